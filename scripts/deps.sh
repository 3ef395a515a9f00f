#!/usr/bin/env bash
# Installs what the tests need beyond the Go module proxy: the system's
# libsecp256k1 (Debian package libsecp256k1-dev, with the recovery and ecdh
# modules) for the optional `libsecp256k1` build of package crypto.
#
# It installs only when it can (root with apt-get); otherwise it says what is
# missing and the cgo variant of the crypto tests is skipped by `make test`.
set -eu

have_secp() {
  [ -f /usr/include/secp256k1_recovery.h ] && [ -f /usr/include/secp256k1_ecdh.h ]
}

if have_secp; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "deps: installing libsecp256k1-dev" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q libsecp256k1-dev >/dev/null 2>&1 || {
    apt-get update -q >/dev/null 2>&1
    apt-get install -y -q libsecp256k1-dev >/dev/null
  }
fi
if ! have_secp; then
  echo "deps: libsecp256k1-dev is not installed; the libsecp256k1 build of crypto will not be tested" >&2
  echo "deps: install it with: sudo apt-get install libsecp256k1-dev" >&2
fi
