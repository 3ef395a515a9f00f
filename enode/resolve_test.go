package enode

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"

	"github.com/seednet/p2p/enr"
)

// fakeResolver answers every lookup with addrs or err, and counts lookups.
type fakeResolver struct {
	addrs []netip.Addr
	err   error
	calls int
}

func (r *fakeResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	r.calls++
	return r.addrs, r.err
}

func addrs(ss ...string) []netip.Addr {
	var res []netip.Addr
	for _, s := range ss {
		res = append(res, netip.MustParseAddr(s))
	}
	return res
}

func TestResolveHostname(t *testing.T) {
	pub := testPubHex(t)
	lookupErr := errors.New("lookup failed")
	tests := []struct {
		name    string
		url     string
		res     fakeResolver
		wantIP  string // "" for unchanged
		wantErr error
	}{
		{name: "ipv4", url: "@boot.example:30303", res: fakeResolver{addrs: addrs("1.2.3.4")}, wantIP: "1.2.3.4"},
		{name: "first ipv4", url: "@boot.example:30303", res: fakeResolver{addrs: addrs("1.2.3.4", "5.6.7.8")}, wantIP: "1.2.3.4"},
		{name: "ipv4 over ipv6 alike", url: "@localhost:30303", res: fakeResolver{addrs: addrs("::1", "127.0.0.1")}, wantIP: "127.0.0.1"},
		{name: "global ipv6 over private ipv4", url: "@boot.example:30303", res: fakeResolver{addrs: addrs("10.0.0.1", "2a00::1")}, wantIP: "2a00::1"},
		{name: "mapped", url: "@boot.example:30303", res: fakeResolver{addrs: addrs("::ffff:1.2.3.4")}, wantIP: "1.2.3.4"},
		{name: "unusable skipped", url: "@boot.example:30303", res: fakeResolver{addrs: addrs("0.0.0.0", "224.0.0.1", "1.2.3.4")}, wantIP: "1.2.3.4"},
		{name: "only unusable", url: "@boot.example:30303", res: fakeResolver{addrs: addrs("0.0.0.0", "ff02::1")}, wantErr: ErrNoAddress},
		{name: "no address", url: "@boot.example:30303", res: fakeResolver{}, wantErr: ErrNoAddress},
		{name: "lookup error", url: "@boot.example:30303", res: fakeResolver{err: lookupErr}, wantErr: lookupErr},
		{name: "ip literal", url: "@10.0.0.1:30303", res: fakeResolver{addrs: addrs("1.2.3.4")}},
		{name: "incomplete", url: "", res: fakeResolver{addrs: addrs("1.2.3.4")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := "enode://" + pub
			if tt.url != "" {
				url += tt.url + "?discport=30301"
			}
			n := MustParseV4(url)
			res, err := ResolveHostname(context.Background(), &tt.res, n)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || res != nil {
					t.Fatalf("got %v, %v; want error %v", res, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantIP == "" {
				if res != n || tt.res.calls != 0 {
					t.Fatalf("node without host name changed or looked up (%d lookups)", tt.res.calls)
				}
				return
			}
			if got := res.IPAddr(); got != mustAddr(tt.wantIP) {
				t.Fatalf("IPAddr %v, want %v", got, tt.wantIP)
			}
			tcp, ok1 := res.TCPEndpoint()
			udp, ok2 := res.UDPEndpoint()
			if !ok1 || !ok2 || tcp.Port() != 30303 || udp.Port() != 30301 {
				t.Fatalf("endpoints %v %v, %v %v", tcp, ok1, udp, ok2)
			}
			if res.ID() != n.ID() || res.Hostname() != n.Hostname() || res.Incomplete() || res.ValidateComplete() != nil {
				t.Fatalf("resolved node %v: id %v, host %q", res, res.ID(), res.Hostname())
			}
			if res.URLv4() != n.URLv4() {
				t.Fatalf("URLv4 %s, want the host name form %s", res.URLv4(), n.URLv4())
			}
			// The record carries the address, and makes the same node.
			again, err := New(v4CompatID{}, res.Record())
			if err != nil || again.IPAddr() != res.IPAddr() || again.ID() != res.ID() {
				t.Fatalf("record gives %v, %v", again, err)
			}
			// The input node is unchanged.
			if !n.Incomplete() {
				t.Fatal("input node changed")
			}
		})
	}
}

func TestResolveHostnameAgain(t *testing.T) {
	n := MustParseV4("enode://" + testPubHex(t) + "@boot.example:30303")
	first, err := ResolveHostname(context.Background(), &fakeResolver{addrs: addrs("1.2.3.4", "2a00::1")}, n)
	if err != nil {
		t.Fatal(err)
	}
	second, err := ResolveHostname(context.Background(), &fakeResolver{addrs: addrs("2a00::2")}, first)
	if err != nil {
		t.Fatal(err)
	}
	var ip4 enr.IPv4Addr
	if second.IPAddr() != mustAddr("2a00::2") || second.Load(&ip4) == nil {
		t.Fatalf("second resolution: %v, stale ip entry %v", second.IPAddr(), netip.Addr(ip4))
	}
}

func TestResolveHostnameSigned(t *testing.T) {
	var r enr.Record
	r.Set(enr.IPv4Addr(mustAddr("10.0.0.1")))
	r.Set(enr.TCP(1))
	r.Set(enr.UDP(2))
	if err := SignV4(&r, testKey(t, 0)); err != nil {
		t.Fatal(err)
	}
	signed, err := New(ValidSchemes, &r)
	if err != nil {
		t.Fatal(err)
	}
	n := signed.WithHostname("boot.example")
	if n.Hostname() != "boot.example" || signed.Hostname() != "" || n.IPAddr() != signed.IPAddr() {
		t.Fatal("WithHostname changed more than the copy's name")
	}
	res, err := ResolveHostname(context.Background(), &fakeResolver{addrs: addrs("1.2.3.4")}, n)
	if err != nil {
		t.Fatal(err)
	}
	if ep, _ := res.TCPEndpoint(); ep != netip.MustParseAddrPort("1.2.3.4:1") {
		t.Fatalf("TCP endpoint %v", ep)
	}
	if _, err := New(ValidSchemes, res.Record()); err != nil {
		t.Fatalf("record no longer verifies: %v", err)
	}
	if res.Seq() != signed.Seq() || res.ID() != signed.ID() {
		t.Fatal("identity changed")
	}
}

// TestResolveHostnameNetResolver resolves with a real *net.Resolver:
// "localhost" from the hosts file, and a .onion name, which the resolver
// refuses without asking the DNS (RFC 7686).
func TestResolveHostnameNetResolver(t *testing.T) {
	r := &net.Resolver{PreferGo: true}
	pub := testPubHex(t)
	n, err := ResolveHostname(context.Background(), r, MustParseV4("enode://"+pub+"@localhost:30303"))
	if err != nil {
		t.Skipf("localhost does not resolve here: %v", err)
	}
	if !n.IPAddr().IsLoopback() {
		t.Fatalf("localhost resolved to %v", n.IPAddr())
	}
	res, err := ResolveHostname(context.Background(), r, MustParseV4("enode://"+pub+"@unresolvable.onion:30303"))
	if err == nil || res != nil {
		t.Fatalf("unresolvable.onion resolved to %v", res)
	}
}
