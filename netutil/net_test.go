package netutil

import (
	"errors"
	"net"
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

func TestParseNetlist(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Netlist
		wantErr string // substring of the error; empty: no error
	}{
		{name: "empty", in: "", want: Netlist{}},
		{name: "only spaces and commas", in: " , ,", want: Netlist{}},
		{name: "one", in: "10.0.0.0/8", want: Netlist{netip.MustParsePrefix("10.0.0.0/8")}},
		{
			name: "spaces",
			in:   " 10.0.0.0/8 ,\t192.168.0.0/16\n, fe80::/10 ",
			want: Netlist{
				netip.MustParsePrefix("10.0.0.0/8"),
				netip.MustParsePrefix("192.168.0.0/16"),
				netip.MustParsePrefix("fe80::/10"),
			},
		},
		{name: "host bits cleared", in: "10.1.2.3/8", want: Netlist{netip.MustParsePrefix("10.0.0.0/8")}},
		{name: "no mask", in: "10.0.0.0/8, 10.0.0.1", wantErr: `"10.0.0.1"`},
		{name: "bad address", in: "10.0.0.300/8", wantErr: `"10.0.0.300/8"`},
		{name: "mask too long", in: "10.0.0.0/33", wantErr: `"10.0.0.0/33"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := ParseNetlist(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if l == nil || !reflect.DeepEqual(*l, tt.want) {
				t.Fatalf("got %v, want %v", l, tt.want)
			}
		})
	}
}

func TestNetlistStringRoundTrip(t *testing.T) {
	in := "10.0.0.0/8,192.168.0.0/16,fc00::/7"
	l, err := ParseNetlist(in)
	if err != nil {
		t.Fatal(err)
	}
	if got := l.String(); got != in {
		t.Fatalf("String() = %q, want %q", got, in)
	}
	if got := (Netlist{}).String(); got != "" {
		t.Fatalf("empty String() = %q", got)
	}
}

func TestNetlistAddPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("Add of an invalid mask did not panic")
		}
	}()
	var l Netlist
	l.Add("not a mask")
}

func TestNetlistContains(t *testing.T) {
	var l Netlist
	l.Add("127.0.0.0/8")
	l.Add("10.0.0.0/8")
	l.Add("2001:db8::/32")
	l.Add("::ffff:192.168.0.0/112")
	tests := []struct {
		name string
		list *Netlist
		ip   string
		want bool
	}{
		{"ipv4 in", &l, "10.1.2.3", true},
		{"ipv4 out", &l, "11.0.0.1", false},
		{"loopback in", &l, "127.0.0.1", true},
		{"mapped ipv4 in", &l, "::ffff:10.0.0.1", true},
		{"ipv6 in", &l, "2001:db8::1", true},
		{"ipv6 out", &l, "2001:db9::1", false},
		{"mapped mask, mapped address", &l, "::ffff:192.168.1.1", true},
		{"mapped mask, ipv4 address", &l, "192.168.1.1", true},
		{"mapped mask, out", &l, "192.169.1.1", false},
		{"nil list", nil, "10.0.0.1", false},
		{"empty list", &Netlist{}, "10.0.0.1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ip := netip.MustParseAddr(tt.ip)
			if got := tt.list.ContainsAddr(ip); got != tt.want {
				t.Errorf("ContainsAddr(%v) = %v, want %v", ip, got, tt.want)
			}
			if got := tt.list.Contains(net.ParseIP(tt.ip)); got != tt.want {
				t.Errorf("Contains(%v) = %v, want %v", ip, got, tt.want)
			}
		})
	}
	if l.ContainsAddr(netip.Addr{}) || l.Contains(nil) {
		t.Error("list contains the invalid address")
	}
}

func TestNetlistPermits(t *testing.T) {
	only := &Netlist{netip.MustParsePrefix("10.0.0.0/8")}
	tests := []struct {
		name string
		list *Netlist
		ip   netip.Addr
		want bool
	}{
		{"nil list permits all", nil, netip.MustParseAddr("1.2.3.4"), true},
		{"empty list permits all", &Netlist{}, netip.MustParseAddr("1.2.3.4"), true},
		{"listed", only, netip.MustParseAddr("10.0.0.1"), true},
		{"listed, mapped", only, netip.MustParseAddr("::ffff:10.0.0.1"), true},
		{"not listed", only, netip.MustParseAddr("1.2.3.4"), false},
		{"invalid address", only, netip.Addr{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.list.Permits(tt.ip); got != tt.want {
				t.Fatalf("Permits(%v) = %v, want %v", tt.ip, got, tt.want)
			}
		})
	}
}

func TestNetlistTOML(t *testing.T) {
	l, _ := ParseNetlist("10.0.0.0/8, fc00::/7")
	masks, ok := l.MarshalTOML().([]string)
	if !ok || !reflect.DeepEqual(masks, []string{"10.0.0.0/8", "fc00::/7"}) {
		t.Fatalf("MarshalTOML() = %#v", l.MarshalTOML())
	}
	var back Netlist
	err := back.UnmarshalTOML(func(v any) error {
		*(v.(*[]string)) = masks
		return nil
	})
	if err != nil || !reflect.DeepEqual(back, *l) {
		t.Fatalf("UnmarshalTOML gave %v, %v; want %v", back, err, *l)
	}
	err = back.UnmarshalTOML(func(v any) error {
		*(v.(*[]string)) = []string{"bad"}
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), `"bad"`) {
		t.Fatalf("UnmarshalTOML of a bad mask: %v", err)
	}
	wantErr := errors.New("decode")
	if err := back.UnmarshalTOML(func(any) error { return wantErr }); err != wantErr {
		t.Fatalf("UnmarshalTOML passed on %v, want %v", err, wantErr)
	}
}

func TestIsLAN(t *testing.T) {
	tests := []struct {
		ip   string
		want bool
	}{
		{"127.0.0.1", true},
		{"127.255.255.254", true},
		{"::1", true},
		{"10.0.1.1", true},
		{"172.16.0.1", true},
		{"172.31.255.255", true},
		{"192.168.1.1", true},
		{"169.254.1.1", true},
		{"fe80::1", true},
		{"fc00::1", true},
		{"fdab::1", true},
		{"::ffff:10.0.0.1", true},
		{"::ffff:127.0.0.1", true},
		{"0.0.0.0", false}, // special, not LAN, as in go-ethereum since net/netip
		{"172.32.0.1", false},
		{"100.64.0.1", false},
		{"1.2.3.4", false},
		{"224.0.0.1", false},
		{"ff02::1", false},
		{"2001:db8::1", false},
		{"::ffff:1.2.3.4", false},
	}
	for _, tt := range tests {
		t.Run(tt.ip, func(t *testing.T) {
			if got := AddrIsLAN(netip.MustParseAddr(tt.ip)); got != tt.want {
				t.Errorf("AddrIsLAN = %v, want %v", got, tt.want)
			}
			if got := IsLAN(net.ParseIP(tt.ip)); got != tt.want {
				t.Errorf("IsLAN = %v, want %v", got, tt.want)
			}
		})
	}
	if AddrIsLAN(netip.Addr{}) || IsLAN(nil) {
		t.Error("invalid address is LAN")
	}
}

func TestIsSpecialNetwork(t *testing.T) {
	tests := []struct {
		ip   string
		want bool
	}{
		{"0.1.2.3", true},
		{"192.0.2.1", true},
		{"198.18.0.1", true},
		{"198.19.255.255", true},
		{"198.51.100.7", true},
		{"203.0.113.7", true},
		{"255.255.255.255", true},
		{"224.0.0.1", true},
		{"::ffff:192.0.2.1", true},
		{"2001:db8::1", true},
		{"2002::1", true},
		{"ff02::1", true},
		{"1.2.3.4", false},
		{"10.0.0.1", false},
		{"127.0.0.1", false},
		{"198.20.0.1", false},
		{"2a00::1", false},
	}
	for _, tt := range tests {
		t.Run(tt.ip, func(t *testing.T) {
			if got := AddrIsSpecialNetwork(netip.MustParseAddr(tt.ip)); got != tt.want {
				t.Errorf("AddrIsSpecialNetwork = %v, want %v", got, tt.want)
			}
			if got := IsSpecialNetwork(net.ParseIP(tt.ip)); got != tt.want {
				t.Errorf("IsSpecialNetwork = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCheckRelayAddr(t *testing.T) {
	tests := []struct {
		name         string
		sender, addr string // empty: the invalid address
		want         error
	}{
		{"invalid", "1.2.3.4", "", errInvalid},
		{"unspecified", "1.2.3.4", "0.0.0.0", errUnspecified},
		{"unspecified v6", "1.2.3.4", "::", errUnspecified},
		{"special", "1.2.3.4", "192.0.2.1", errSpecial},
		{"multicast", "1.2.3.4", "224.0.0.1", errSpecial},
		{"loopback from loopback", "127.0.0.1", "127.0.0.2", nil},
		{"loopback from LAN", "10.0.0.1", "127.0.0.2", errLoopback},
		{"loopback from WAN", "1.2.3.4", "127.0.0.2", errLoopback},
		{"mapped loopback from mapped loopback", "::ffff:127.0.0.1", "::ffff:127.0.0.2", nil},
		{"LAN from LAN", "192.168.0.1", "10.0.0.1", nil},
		{"LAN from loopback", "127.0.0.1", "10.0.0.1", nil},
		{"LAN from WAN", "1.2.3.4", "10.0.0.1", errLAN},
		{"WAN from WAN", "1.2.3.4", "5.6.7.8", nil},
		{"WAN from LAN", "10.0.0.1", "5.6.7.8", nil},
		{"WAN from invalid sender", "", "5.6.7.8", nil},
		{"LAN from invalid sender", "", "10.0.0.1", errLAN},
	}
	parse := func(s string) netip.Addr {
		if s == "" {
			return netip.Addr{}
		}
		return netip.MustParseAddr(s)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sender, addr := parse(tt.sender), parse(tt.addr)
			if err := CheckRelayAddr(sender, addr); err != tt.want {
				t.Errorf("CheckRelayAddr(%v, %v) = %v, want %v", sender, addr, err, tt.want)
			}
			if err := CheckRelayIP(net.IP(sender.AsSlice()), net.IP(addr.AsSlice())); err != tt.want {
				t.Errorf("CheckRelayIP(%v, %v) = %v, want %v", sender, addr, err, tt.want)
			}
		})
	}
}

func TestSameNet(t *testing.T) {
	tests := []struct {
		name      string
		bits      uint
		ip, other string
		want      bool
	}{
		{"same /24", 24, "1.2.3.4", "1.2.3.200", true},
		{"other /24", 24, "1.2.3.4", "1.2.4.4", false},
		{"odd bits same", 23, "1.2.2.1", "1.2.3.1", true},
		{"odd bits other", 23, "1.2.3.1", "1.2.4.1", false},
		{"zero bits", 0, "1.2.3.4", "200.0.0.1", true},
		{"mapped", 24, "::ffff:1.2.3.4", "1.2.3.5", true},
		{"families differ", 0, "1.2.3.4", "::1", false},
		{"ipv6 /48", 48, "2a00:1:2::1", "2a00:1:2:ffff::1", true},
		{"ipv6 other /48", 48, "2a00:1:2::1", "2a00:1:3::1", false},
		{"bits past the end, equal", 64, "1.2.3.4", "1.2.3.4", true},
		{"bits past the end, differ", 64, "1.2.3.4", "1.2.3.5", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ip, other := netip.MustParseAddr(tt.ip), netip.MustParseAddr(tt.other)
			if got := AddrSameNet(tt.bits, ip, other); got != tt.want {
				t.Errorf("AddrSameNet = %v, want %v", got, tt.want)
			}
			if got := SameNet(tt.bits, net.ParseIP(tt.ip), net.ParseIP(tt.other)); got != tt.want {
				t.Errorf("SameNet = %v, want %v", got, tt.want)
			}
		})
	}
	if AddrSameNet(0, netip.Addr{}, netip.Addr{}) {
		t.Error("invalid addresses share a network")
	}
}

func TestIPToAddr(t *testing.T) {
	tests := []struct {
		name string
		ip   net.IP
		want netip.Addr
	}{
		{"nil", nil, netip.Addr{}},
		{"short", net.IP{1, 2, 3}, netip.Addr{}},
		{"ipv4", net.IP{1, 2, 3, 4}, netip.MustParseAddr("1.2.3.4")},
		{"ipv4 in 16 bytes", net.ParseIP("1.2.3.4"), netip.MustParseAddr("1.2.3.4")},
		{"ipv6", net.ParseIP("2001:db8::1"), netip.MustParseAddr("2001:db8::1")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IPToAddr(tt.ip); got != tt.want {
				t.Fatalf("IPToAddr(%v) = %v, want %v", tt.ip, got, tt.want)
			}
		})
	}
}

func TestAddrAddr(t *testing.T) {
	want := netip.MustParseAddr("1.2.3.4")
	ip := net.ParseIP("1.2.3.4")
	tests := []struct {
		name string
		addr net.Addr
		want netip.Addr
	}{
		{"ip", &net.IPAddr{IP: ip}, want},
		{"tcp", &net.TCPAddr{IP: ip, Port: 1}, want},
		{"udp", &net.UDPAddr{IP: ip, Port: 1}, want},
		{"unix", &net.UnixAddr{Name: "/x", Net: "unix"}, netip.Addr{}},
		{"nil", nil, netip.Addr{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AddrAddr(tt.addr); got != tt.want {
				t.Fatalf("AddrAddr = %v, want %v", got, tt.want)
			}
		})
	}
}

type tempErr struct{ temp bool }

func (e tempErr) Error() string   { return "temp" }
func (e tempErr) Temporary() bool { return e.temp }

func TestIsTemporaryError(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"plain", errors.New("x"), false},
		{"temporary", tempErr{true}, true},
		{"not temporary", tempErr{false}, false},
		{"wrapped temporary", &net.OpError{Op: "read", Err: tempErr{true}}, true},
		{"closed", net.ErrClosed, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsTemporaryError(tt.err); got != tt.want {
				t.Fatalf("IsTemporaryError(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}
