package nat

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/seednet/p2p/internal/netns"
)

// The tests here run our clients against real daemons on a router between
// network namespaces (see internal/netns): miniupnpd for UPnP IGD and
// NAT-PMP, stund for STUN. A child process in the LAN maps a port; a child
// on the WAN side connects in through the mapping.

const testPort = 40404

type mapReport struct {
	Method string
	ExtIP  string
	TCP    uint16
	UDP    uint16
	Err    string
	Got    string // what came in through the mapping
	Delete string // the error of deleting the mappings, "" if none
}

// childMap, in the LAN: maps testPort for TCP and UDP with the method
// named by its argument, serves one TCP connection through it, then
// deletes the mappings when the parent ends it.
func childMap() {
	var r mapReport
	n, err := Parse(netns.Arg())
	if err != nil {
		r.Err = err.Error()
		netns.Report(r)
		return
	}
	ln, err := net.Listen("tcp4", fmt.Sprintf(":%d", testPort))
	if err != nil {
		r.Err = err.Error()
		netns.Report(r)
		return
	}
	defer ln.Close()
	ip, err := n.ExternalIP()
	if err == nil {
		r.ExtIP = ip.String()
		r.TCP, err = n.AddMapping("TCP", testPort, testPort, "p2p test", 10*time.Minute)
	}
	if err == nil {
		r.UDP, err = n.AddMapping("udp", testPort, testPort, "p2p test", 10*time.Minute)
	}
	r.Method = n.String()
	if err != nil {
		r.Err = err.Error()
		netns.Report(r)
		return
	}
	netns.Report(r)
	ln.(*net.TCPListener).SetDeadline(time.Now().Add(30 * time.Second))
	if c, err := ln.Accept(); err == nil {
		line, _ := bufio.NewReader(c).ReadString('\n')
		r.Got = strings.TrimSpace(line)
		fmt.Fprintf(c, "pong\n")
		c.Close()
	}
	netns.Report(r)
	netns.WaitStdinClosed()
	var errs []string
	for _, proto := range []string{"TCP", "UDP"} {
		if err := n.DeleteMapping(proto, testPort, testPort); err != nil {
			errs = append(errs, err.Error())
		}
	}
	r.Delete = strings.Join(errs, "; ")
	netns.Report(r)
}

type dialReport struct {
	Reply string
	Err   string
}

// childDial, on the WAN side: connects to its argument, says ping, and
// reports the reply.
func childDial() {
	var r dialReport
	c, err := net.DialTimeout("tcp4", netns.Arg(), 5*time.Second)
	if err != nil {
		r.Err = err.Error()
		netns.Report(r)
		return
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(c, "ping\n")
	line, err := bufio.NewReader(c).ReadString('\n')
	r.Reply = strings.TrimSpace(line)
	if err != nil {
		r.Err = err.Error()
	}
	netns.Report(r)
}

// childExtIP reports ExternalIP of the method its argument names.
func childExtIP() {
	var r mapReport
	n, err := Parse(netns.Arg())
	if err == nil {
		var ip net.IP
		ip, err = n.ExternalIP()
		r.ExtIP = ip.String()
		r.Method = n.String()
	}
	if err != nil {
		r.Err = err.Error()
	}
	netns.Report(r)
}

func TestNetnsPortMapping(t *testing.T) {
	for _, tc := range []struct {
		name  string
		spec  string
		igdv1 bool
	}{
		{"upnp-igd2", "upnp", false},
		{"upnp-igd1", "upnp", true},
		{"natpmp", "pmp", false},
		{"natpmp-gateway", "pmp:" + netns.RouterLANAddr, false},
		{"any", "any", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nat := netns.NewNAT(t)
			nat.StartMiniupnpd(t, netns.MiniupnpdOptions{IGDv1: tc.igdv1})
			lan := nat.LAN.StartChild(t, "map", tc.spec)
			var r mapReport
			lan.Next(t, &r)
			if r.Err != "" {
				t.Fatalf("%s: %s", r.Method, r.Err)
			}
			t.Logf("%s: external %s, TCP %d, UDP %d", r.Method, r.ExtIP, r.TCP, r.UDP)
			if r.ExtIP != netns.RouterWANAddr || r.TCP == 0 || r.UDP == 0 {
				t.Fatalf("mapping %+v, want external IP %s", r, netns.RouterWANAddr)
			}
			wan := nat.WAN.StartChild(t, "dial", fmt.Sprintf("%s:%d", r.ExtIP, r.TCP))
			var d dialReport
			wan.Next(t, &d)
			if d.Reply != "pong" {
				t.Fatalf("connecting in through the mapping: reply %q, error %s", d.Reply, d.Err)
			}
			lan.Next(t, &r)
			if r.Got != "ping" {
				t.Fatalf("the LAN host got %q", r.Got)
			}
			rules := nat.Router.Run(t, "nft", "list", "chain", "inet", "p2ptest", "prerouting_miniupnpd")
			if !strings.Contains(rules, fmt.Sprint(r.TCP)) {
				t.Fatalf("no rule for port %d:\n%s", r.TCP, rules)
			}
			lan.Stop() // deletes the mappings
			rules = nat.Router.Run(t, "nft", "list", "chain", "inet", "p2ptest", "prerouting_miniupnpd")
			if strings.Contains(rules, fmt.Sprint(r.TCP)) {
				t.Fatalf("mapping of port %d still there after DeleteMapping:\n%s", r.TCP, rules)
			}
		})
	}
}

func TestNetnsSTUN(t *testing.T) {
	nat := netns.NewNAT(t)
	server := nat.StartSTUN(t)
	lan := nat.LAN.StartChild(t, "extip", "stun:"+server)
	var r mapReport
	lan.Next(t, &r)
	if r.Err != "" || r.ExtIP != netns.RouterWANAddr {
		t.Fatalf("STUN: external IP %q, error %s; want %s", r.ExtIP, r.Err, netns.RouterWANAddr)
	}
}

// TestNetnsNoGateway: without a router daemon, discovery fails in a few
// seconds with ErrNoGateway's message.
func TestNetnsNoGateway(t *testing.T) {
	nat := netns.NewNAT(t)
	start := time.Now()
	lan := nat.LAN.StartChild(t, "extip", "any")
	var r mapReport
	lan.Next(t, &r)
	if !strings.Contains(r.Err, "no gateway found") {
		t.Fatalf("error %q", r.Err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("took %v", d)
	}
}
