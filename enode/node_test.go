package enode

import (
	"encoding/json"
	"errors"
	"net/netip"
	"testing"

	"github.com/seednet/p2p/enr"
)

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

func signedNode(t *testing.T, entries ...enr.Entry) *Node {
	t.Helper()
	var r enr.Record
	for _, e := range entries {
		r.Set(e)
	}
	if err := SignV4(&r, testKey(t, 0)); err != nil {
		t.Fatal(err)
	}
	n, err := New(ValidSchemes, &r)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestNodeEndpoint(t *testing.T) {
	tests := []struct {
		name     string
		entries  []enr.Entry
		ip       string // "" for none
		tcp, udp int
	}{
		{"none", nil, "", 0, 0},
		{"ports only", []enr.Entry{enr.TCP(1), enr.UDP(2)}, "", 1, 2},
		{"ipv4", []enr.Entry{enr.IPv4Addr(mustAddr("8.8.8.8")), enr.TCP(1), enr.UDP(2)}, "8.8.8.8", 1, 2},
		{"ipv6", []enr.Entry{enr.IPv6Addr(mustAddr("2001:db8::1")), enr.TCP(1), enr.UDP(2)}, "2001:db8::1", 1, 2},
		{"ipv6 own ports", []enr.Entry{enr.IPv6Addr(mustAddr("2001:db8::1")), enr.TCP(1), enr.UDP(2), enr.TCP6(3), enr.UDP6(4)}, "2001:db8::1", 3, 4},
		{"both public: ipv4", []enr.Entry{enr.IPv4Addr(mustAddr("8.8.8.8")), enr.IPv6Addr(mustAddr("2001:db8::1")), enr.TCP(1), enr.UDP6(4)}, "8.8.8.8", 1, 0},
		{"private ipv4, public ipv6", []enr.Entry{enr.IPv4Addr(mustAddr("192.168.1.1")), enr.IPv6Addr(mustAddr("2001:db8::1")), enr.TCP(1), enr.TCP6(3)}, "2001:db8::1", 3, 0},
		{"loopback ipv4, link-local ipv6", []enr.Entry{enr.IPv4Addr(mustAddr("127.0.0.1")), enr.IPv6Addr(mustAddr("fe80::1"))}, "fe80::1", 0, 0},
		{"loopback both", []enr.Entry{enr.IPv4Addr(mustAddr("127.0.0.1")), enr.IPv6Addr(mustAddr("::1"))}, "127.0.0.1", 0, 0},
		{"unspecified ipv4", []enr.Entry{enr.IPv4Addr(mustAddr("0.0.0.0")), enr.UDP(2)}, "", 0, 2},
		{"multicast ipv4, loopback ipv6", []enr.Entry{enr.IPv4Addr(mustAddr("224.0.0.1")), enr.IPv6Addr(mustAddr("::1"))}, "::1", 0, 0},
		{"mapped ipv6 entry", []enr.Entry{enr.IPv6Addr(mustAddr("::ffff:1.2.3.4")), enr.UDP(2), enr.UDP6(5)}, "1.2.3.4", 0, 2},
		{"invalid ip entry", []enr.Entry{enr.WithEntry("ip", []byte{1, 2, 3}), enr.UDP(2)}, "", 0, 2},
		{"invalid port entry", []enr.Entry{enr.IPv4Addr(mustAddr("8.8.8.8")), enr.WithEntry("udp", "xyz")}, "8.8.8.8", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := signedNode(t, tt.entries...)
			var want netip.Addr
			if tt.ip != "" {
				want = mustAddr(tt.ip)
			}
			if n.IPAddr() != want {
				t.Errorf("IP %v, want %v", n.IPAddr(), want)
			}
			if (n.IP() == nil) != (tt.ip == "") || n.Incomplete() != (tt.ip == "") {
				t.Errorf("IP() %v Incomplete %v", n.IP(), n.Incomplete())
			}
			if n.TCP() != tt.tcp || n.UDP() != tt.udp {
				t.Errorf("ports tcp %d udp %d, want %d %d", n.TCP(), n.UDP(), tt.tcp, tt.udp)
			}
			ep, ok := n.UDPEndpoint()
			if ok != (tt.ip != "" && tt.udp != 0) || (ok && ep != netip.AddrPortFrom(want, uint16(tt.udp))) {
				t.Errorf("UDPEndpoint %v %v", ep, ok)
			}
			ep, ok = n.TCPEndpoint()
			if ok != (tt.ip != "" && tt.tcp != 0) || (ok && ep != netip.AddrPortFrom(want, uint16(tt.tcp))) {
				t.Errorf("TCPEndpoint %v %v", ep, ok)
			}
		})
	}
}

func TestValidateComplete(t *testing.T) {
	tests := []struct {
		name    string
		entries []enr.Entry
		want    error
	}{
		{"complete", []enr.Entry{enr.IPv4Addr(mustAddr("10.0.0.1")), enr.UDP(1)}, nil},
		{"no ip", []enr.Entry{enr.UDP(1)}, ErrMissingIP},
		{"unspecified ip", []enr.Entry{enr.IPv4Addr(mustAddr("0.0.0.0")), enr.UDP(1)}, ErrInvalidIP},
		{"multicast ip", []enr.Entry{enr.IPv6Addr(mustAddr("ff02::1")), enr.UDP(1)}, ErrInvalidIP},
		{"no udp", []enr.Entry{enr.IPv4Addr(mustAddr("10.0.0.1")), enr.TCP(1)}, ErrMissingUDP},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := signedNode(t, tt.entries...).ValidateComplete()
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
		})
	}
}

func TestNodeRecordIsCopy(t *testing.T) {
	n := signedNode(t, enr.UDP(1))
	r := n.Record()
	r.Set(enr.UDP(2))
	r.SetSeq(7)
	var udp enr.UDP
	if n.Load(&udp); udp != 1 || n.Seq() != 0 {
		t.Fatalf("node changed: udp %d seq %d", udp, n.Seq())
	}
	if _, err := Parse(ValidSchemes, n.String()); err != nil {
		t.Fatal(err)
	}
}

func TestNewUnverified(t *testing.T) {
	var r enr.Record
	r.Set(enr.UDP(1))
	if _, err := New(ValidSchemes, &r); !errors.Is(err, enr.ErrNotSigned) {
		t.Errorf("unsigned: %v", err)
	}
	// A scheme that verifies but gives no address.
	r.SetSig(noAddr{}, []byte{})
	if _, err := New(noAddr{}, &r); !errors.Is(err, ErrInvalidNodeAddr) {
		t.Errorf("no address: %v", err)
	}
}

type noAddr struct{}

func (noAddr) Verify(*enr.Record, []byte) error { return nil }
func (noAddr) NodeAddr(*enr.Record) []byte      { return []byte{1} }

func TestNodeJSON(t *testing.T) {
	nodes := []*Node{MustParse(specText), NewV4(&testKey(t, 2).PublicKey, []byte{10, 0, 0, 1}, 30303, 30301)}
	for _, n := range nodes {
		b, err := json.Marshal(n)
		if err != nil {
			t.Fatal(err)
		}
		var back Node
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if back.ID() != n.ID() || back.String() != n.String() {
			t.Fatalf("round trip: %s, want %s", back.String(), n.String())
		}
	}
	var back Node
	if err := json.Unmarshal([]byte(`"enr:xyz"`), &back); !errors.Is(err, ErrInvalidNode) {
		t.Fatalf("bad input: %v", err)
	}
}
