package netutil

import (
	"net"
	"net/netip"
	"testing"
)

func TestDistinctNetSet(t *testing.T) {
	type op struct {
		add    bool // add, else remove
		ip     string
		wantOK bool // for add
	}
	tests := []struct {
		name          string
		subnet, limit uint
		ops           []op
		wantLen       int
		wantString    string
	}{
		{
			name: "limit per /24", subnet: 24, limit: 2,
			ops: []op{
				{true, "10.0.0.1", true},
				{true, "10.0.0.2", true},
				{true, "10.0.0.3", false},
				{true, "10.0.1.1", true},
				{true, "::ffff:10.0.0.4", false}, // mapped: the same subnet
			},
			wantLen: 3, wantString: "{10.0.0.0/24×2 10.0.1.0/24×1}",
		},
		{
			name: "remove makes room", subnet: 24, limit: 1,
			ops: []op{
				{true, "10.0.0.1", true},
				{true, "10.0.0.2", false},
				{false, "10.0.0.1", false},
				{true, "10.0.0.2", true},
			},
			wantLen: 1, wantString: "{10.0.0.0/24×1}",
		},
		{
			name: "remove of an uncounted subnet", subnet: 24, limit: 1,
			ops: []op{
				{true, "10.0.0.1", true},
				{false, "10.0.1.1", false},
			},
			wantLen: 1, wantString: "{10.0.0.0/24×1}",
		},
		{
			name: "same address twice counts twice", subnet: 32, limit: 2,
			ops: []op{
				{true, "1.2.3.4", true},
				{true, "1.2.3.4", true},
				{true, "1.2.3.4", false},
			},
			wantLen: 2, wantString: "{1.2.3.4/32×2}",
		},
		{
			name: "subnet longer than ipv4", subnet: 48, limit: 1,
			ops: []op{
				{true, "1.2.3.4", true},
				{true, "1.2.3.5", true},
				{true, "2a00:1:2::1", true},
				{true, "2a00:1:2::2", false},
			},
			wantLen: 3, wantString: "{1.2.3.4/32×1 1.2.3.5/32×1 2a00:1:2::/48×1}",
		},
		{
			name: "zero limit", subnet: 24, limit: 0,
			ops:     []op{{true, "1.2.3.4", false}},
			wantLen: 0, wantString: "{}",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := DistinctNetSet{Subnet: tt.subnet, Limit: tt.limit}
			for i, o := range tt.ops {
				ip := netip.MustParseAddr(o.ip)
				if !o.add {
					s.RemoveAddr(ip)
					continue
				}
				if got := s.AddAddr(ip); got != o.wantOK {
					t.Fatalf("op %d: AddAddr(%v) = %v, want %v", i, ip, got, o.wantOK)
				}
			}
			if s.Len() != tt.wantLen {
				t.Errorf("Len() = %d, want %d", s.Len(), tt.wantLen)
			}
			if got := s.String(); got != tt.wantString {
				t.Errorf("String() = %q, want %q", got, tt.wantString)
			}
		})
	}
}

func TestDistinctNetSetNetIP(t *testing.T) {
	s := DistinctNetSet{Subnet: 24, Limit: 1}
	if !s.Add(net.ParseIP("10.0.0.1")) {
		t.Fatal("Add refused the first address")
	}
	if s.Add(net.IP{10, 0, 0, 2}) {
		t.Fatal("Add accepted a second address in the subnet")
	}
	if !s.Contains(net.IP{10, 0, 0, 9}) || s.Contains(net.IP{10, 0, 1, 1}) {
		t.Fatal("Contains is wrong")
	}
	if !s.ContainsAddr(netip.MustParseAddr("::ffff:10.0.0.9")) {
		t.Fatal("ContainsAddr does not unmap")
	}
	s.Remove(net.IP{10, 0, 0, 1})
	if s.Len() != 0 || s.Contains(net.IP{10, 0, 0, 1}) {
		t.Fatalf("after Remove: %v", s)
	}
}

func TestDistinctNetSetInvalid(t *testing.T) {
	s := DistinctNetSet{Subnet: 24, Limit: 10}
	if s.AddAddr(netip.Addr{}) || s.Add(nil) {
		t.Fatal("invalid address counted")
	}
	s.RemoveAddr(netip.Addr{})
	if s.ContainsAddr(netip.Addr{}) || s.Len() != 0 {
		t.Fatal("invalid address found")
	}
}
