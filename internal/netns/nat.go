package netns

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// NAT is a LAN behind a router that masquerades it to a WAN:
//
//	LAN 10.77.1.2 --- 10.77.1.1 Router 11.77.2.1 --- 11.77.2.2 WAN
//	                                                  11.77.2.3
//
// The WAN side needs an address that miniupnpd accepts as public (it
// refuses to map ports when its external interface has a private or
// reserved address, documentation ranges included); the namespaces are
// linked to nothing else, so these addresses are reached only inside
// them. The router forwards LAN→WAN and, for what miniupnpd maps, WAN→LAN.
type NAT struct {
	LAN, Router, WAN *NS
}

// Addresses of the NAT topology.
const (
	LANAddr       = "10.77.1.2"
	RouterLANAddr = "10.77.1.1"
	RouterWANAddr = "11.77.2.1"
	WANAddr       = "11.77.2.2"
	WANAddr2      = "11.77.2.3" // a second WAN address, for the STUN server
)

// nftRules set up masquerading, and the table and chains that miniupnpd
// adds its rules to (its nftables back end expects them to exist).
const nftRules = `table inet p2ptest {
  chain forward {
    type filter hook forward priority 0; policy drop;
    ct state established,related accept
    iifname "lan0" oifname "wan0" accept
    jump miniupnpd
  }
  chain miniupnpd {
  }
  chain prerouting {
    type nat hook prerouting priority -100; policy accept;
    jump prerouting_miniupnpd
  }
  chain postrouting {
    type nat hook postrouting priority 100; policy accept;
    jump postrouting_miniupnpd
    oifname "wan0" masquerade
  }
  chain prerouting_miniupnpd {
  }
  chain postrouting_miniupnpd {
  }
}
`

// NewNAT builds the topology, or skips the test when namespaces or nft
// are not available.
func NewNAT(t testing.TB) *NAT {
	t.Helper()
	Skip(t)
	if _, err := exec.LookPath("nft"); err != nil {
		t.Skip("skipped: the NAT topology needs nft (Debian package nftables)")
	}
	n := &NAT{LAN: New(t, "lan"), Router: New(t, "rtr"), WAN: New(t, "wan")}
	Link(t, n.LAN, "eth0", LANAddr+"/24", n.Router, "lan0", RouterLANAddr+"/24")
	Link(t, n.WAN, "eth0", WANAddr+"/24", n.Router, "wan0", RouterWANAddr+"/24")
	n.WAN.Run(t, "ip", "addr", "add", WANAddr2+"/24", "dev", "eth0")
	n.LAN.Run(t, "ip", "route", "add", "default", "via", RouterLANAddr)
	n.Router.Run(t, "sysctl", "-qw", "net.ipv4.ip_forward=1")
	cmd := n.Router.Command("nft", "-f", "-")
	cmd.Stdin = strings.NewReader(nftRules)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("nft: %v\n%s", err, out)
	}
	return n
}

// MiniupnpdOptions configure StartMiniupnpd.
type MiniupnpdOptions struct {
	IGDv1 bool // report IGD v1 (force_igd_desc_v1), as older routers do
}

// StartMiniupnpd runs miniupnpd (UPnP IGD and NAT-PMP) on the router,
// listening on the LAN side, until the end of the test. It skips the test
// when miniupnpd is not installed.
func (n *NAT) StartMiniupnpd(t testing.TB, opts MiniupnpdOptions) {
	t.Helper()
	bin, err := exec.LookPath("miniupnpd")
	if err != nil {
		t.Skip("skipped: miniupnpd is not installed (Debian package miniupnpd-nftables; scripts/deps.sh installs it)")
	}
	dir := t.TempDir()
	conf := fmt.Sprintf(`ext_ifname=wan0
listening_ip=lan0
http_port=5000
enable_natpmp=yes
enable_upnp=yes
secure_mode=yes
system_uptime=yes
notify_interval=30
force_igd_desc_v1=%s
uuid=3d1c2f4e-0b5a-4d6e-9f70-7a8b9c0d1e2f
upnp_table_name=p2ptest
upnp_nat_table_name=p2ptest
upnp_forward_chain=miniupnpd
upnp_nat_chain=prerouting_miniupnpd
upnp_nat_postrouting_chain=postrouting_miniupnpd
allow 1024-65535 10.77.1.0/24 1024-65535
deny 0-65535 0.0.0.0/0 0-65535
`, yesNo(opts.IGDv1))
	path := filepath.Join(dir, "miniupnpd.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	startDaemon(t, n.Router.Command(bin, "-f", path, "-d", "-P", filepath.Join(dir, "miniupnpd.pid")), "Listening for NAT-PMP")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// StartSTUN runs a STUN server (stund, of Debian's stun-server) on the WAN
// side at WANAddr:3478 until the end of the test, and returns its address.
// It skips the test when stund is not installed.
func (n *NAT) StartSTUN(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("stund")
	if err != nil {
		t.Skip("skipped: stund is not installed (Debian package stun-server; scripts/deps.sh installs it)")
	}
	startDaemon(t, n.WAN.Command(bin, "-v", "-h", WANAddr, "-a", WANAddr2), "Opened port 3478")
	return WANAddr + ":3478"
}

// startDaemon starts cmd and waits until a line of its output contains
// ready; the daemon is killed at the end of the test.
func startDaemon(t testing.TB, cmd *exec.Cmd, ready string) {
	t.Helper()
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	readyc := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(pr)
		seen := false
		for sc.Scan() {
			if !seen && strings.Contains(sc.Text(), ready) {
				seen = true
				close(readyc)
			}
		}
		io.Copy(io.Discard, pr)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		pw.Close()
		<-done
	})
	select {
	case <-readyc:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s did not say %q within 10s", cmd.Args, ready)
	}
}
