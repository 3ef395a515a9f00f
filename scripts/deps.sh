#!/usr/bin/env bash
# Installs what the tests need beyond the Go module proxy, from Debian's
# packages:
#   - the system's libsecp256k1 (libsecp256k1-dev, with the recovery and ecdh
#     modules) for the optional `libsecp256k1` build of package crypto;
#   - NSD (nsd), the authoritative DNS server that the tests of dnsdisc,
#     cmd/p2pnode and interop/dnsdisc run on a loopback port to serve DNS
#     node lists. The tests start and stop their own NSD; the system's NSD
#     service, which the package may start on port 53, is stopped and
#     disabled right after the install;
#   - for the NAT tests, which build a LAN, a router and a WAN out of network
#     namespaces: nftables (nft, for the router's masquerading), miniupnpd
#     (miniupnpd-nftables: UPnP IGD and NAT-PMP on the router) and stund
#     (stun-server: a STUN server on the WAN side). The tests start and stop
#     their own daemons in their namespaces; a system miniupnpd service the
#     package may start is stopped and disabled;
#   - iproute2 (ip, tc) for those namespaces and for the simulator's
#     multi-host mode (sim/netns), which shapes its veth links with tc;
#   - Chromium (chromium), the headless browser that the dashboard's browser
#     test (the dashboard/browsertest module) opens the page in, driven with
#     chromedp. The test starts and ends its own browser, run with
#     --headless and --no-sandbox (it may run as root).
#
# It installs only when it can (root with apt-get); otherwise it says what is
# missing: the cgo variant of the crypto tests is skipped by `make test`, and
# the tests that need NSD, the NAT tools or Chromium skip themselves.
set -eu

can_install() {
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1
}

# apt_install PACKAGE installs a Debian package, updating the package lists
# if the first try fails.
apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "$1" >/dev/null 2>&1 || {
    apt-get update -q >/dev/null 2>&1
    apt-get install -y -q "$1" >/dev/null
  }
}

have_secp() {
  [ -f /usr/include/secp256k1_recovery.h ] && [ -f /usr/include/secp256k1_ecdh.h ]
}

if ! have_secp && can_install; then
  echo "deps: installing libsecp256k1-dev" >&2
  apt_install libsecp256k1-dev
fi
if ! have_secp; then
  echo "deps: libsecp256k1-dev is not installed; the libsecp256k1 build of crypto will not be tested" >&2
  echo "deps: install it with: sudo apt-get install libsecp256k1-dev" >&2
fi

have_nsd() {
  command -v nsd >/dev/null 2>&1 || [ -x /usr/sbin/nsd ]
}

if ! have_nsd && can_install; then
  echo "deps: installing nsd" >&2
  apt_install nsd || true
  # Stop the system service the package may have started (it would answer
  # DNS on port 53 of every address) and keep it from starting at boot.
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    systemctl disable --now nsd.service >/dev/null 2>&1 || true
  fi
  if command -v service >/dev/null 2>&1; then
    service nsd stop >/dev/null 2>&1 || true
  fi
fi
if ! have_nsd; then
  echo "deps: nsd is not installed; the tests against a real DNS server will be skipped" >&2
  echo "deps: install it with: sudo apt-get install nsd" >&2
fi

# iproute2 (ip, tc): the network namespaces of the NAT tests and of the
# simulator's multi-host mode (sim/netns), and its tc shaping.
if ! { command -v ip >/dev/null 2>&1 && command -v tc >/dev/null 2>&1; } && can_install; then
  echo "deps: installing iproute2" >&2
  apt_install iproute2 || true
fi
if ! command -v tc >/dev/null 2>&1; then
  echo "deps: ip or tc (iproute2) is missing; the tests in network namespaces will be skipped" >&2
fi

have_nat_tools() {
  command -v nft >/dev/null 2>&1 && { command -v miniupnpd >/dev/null 2>&1 || [ -x /usr/sbin/miniupnpd ]; } &&
    { command -v stund >/dev/null 2>&1 || [ -x /usr/sbin/stund ]; }
}

if ! have_nat_tools && can_install; then
  echo "deps: installing nftables, miniupnpd-nftables and stun-server" >&2
  for pkg in nftables miniupnpd-nftables stun-server; do
    apt_install "$pkg" || true
  done
  for svc in miniupnpd stund stun-server; do
    if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
      systemctl disable --now "$svc.service" >/dev/null 2>&1 || true
    fi
    if command -v service >/dev/null 2>&1; then
      service "$svc" stop >/dev/null 2>&1 || true
    fi
  done
fi
if ! have_nat_tools; then
  echo "deps: nft, miniupnpd or stund is missing; the NAT tests in network namespaces will be skipped" >&2
  echo "deps: install them with: sudo apt-get install nftables miniupnpd-nftables stun-server" >&2
fi

have_chromium() {
  command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]
}

if ! have_chromium && can_install; then
  echo "deps: installing chromium" >&2
  apt_install chromium || true
fi
if ! have_chromium; then
  echo "deps: chromium is not installed; the dashboard's browser test will be skipped" >&2
  echo "deps: install it with: sudo apt-get install chromium" >&2
fi
