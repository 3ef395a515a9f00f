package enode

import (
	"context"
	"encoding/hex"
	"errors"
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/enr"
)

// A valid public key (of testKey(t, 0)) in URL form.
func testPubHex(t testing.TB) string {
	return hex.EncodeToString(crypto.FromECDSAPub(&testKey(t, 0).PublicKey)[1:])
}

func TestParseV4(t *testing.T) {
	pub := testPubHex(t)
	offCurve := strings.Repeat("0", 127) + "1"
	tests := []struct {
		name     string
		in       string
		ip       string // "" for none
		host     string // wanted Hostname
		tcp, udp int
		err      error // wanted error, besides ErrInvalidNode; nil for success
		url      string
	}{
		{name: "ipv4", in: "enode://" + pub + "@10.3.58.6:30303", ip: "10.3.58.6", tcp: 30303, udp: 30303},
		{name: "discport", in: "enode://" + pub + "@10.3.58.6:30303?discport=30301", ip: "10.3.58.6", tcp: 30303, udp: 30301},
		{name: "ipv6", in: "enode://" + pub + "@[2001:db8:3c4d:15::abcd:ef12]:52150", ip: "2001:db8:3c4d:15::abcd:ef12", tcp: 52150, udp: 52150},
		{name: "ipv6 loopback", in: "enode://" + pub + "@[::1]:1?discport=2", ip: "::1", tcp: 1, udp: 2},
		{name: "mapped ipv4", in: "enode://" + pub + "@[::ffff:1.2.3.4]:30303", ip: "1.2.3.4", tcp: 30303, udp: 30303, url: "enode://" + pub + "@1.2.3.4:30303"},
		{name: "upper-case key", in: "enode://" + strings.ToUpper(pub) + "@127.0.0.1:30303", ip: "127.0.0.1", tcp: 30303, udp: 30303, url: "enode://" + pub + "@127.0.0.1:30303"},
		{name: "tcp port 0", in: "enode://" + pub + "@127.0.0.1:0?discport=30301", ip: "127.0.0.1", tcp: 0, udp: 30301},
		{name: "other query ignored", in: "enode://" + pub + "@127.0.0.1:3?foo=bar", ip: "127.0.0.1", tcp: 3, udp: 3, url: "enode://" + pub + "@127.0.0.1:3"},
		{name: "trailing slash", in: "enode://" + pub + "@127.0.0.1:3/", ip: "127.0.0.1", tcp: 3, udp: 3, url: "enode://" + pub + "@127.0.0.1:3"},
		{name: "incomplete", in: "enode://" + pub},
		{name: "bare key", in: pub, url: "enode://" + pub},

		{name: "host name", in: "enode://" + pub + "@bootnode.example.org:30303", host: "bootnode.example.org", tcp: 30303, udp: 30303},
		{name: "host name discport", in: "enode://" + pub + "@boot-1.example.org:30303?discport=30301", host: "boot-1.example.org", tcp: 30303, udp: 30301},
		{name: "localhost", in: "enode://" + pub + "@localhost:30303", host: "localhost", tcp: 30303, udp: 30303},
		{name: "host name with final dot", in: "enode://" + pub + "@node.example.:1", host: "node.example.", tcp: 1, udp: 1},
		{name: "numeric label", in: "enode://" + pub + "@1.example:1", host: "1.example", tcp: 1, udp: 1},

		{name: "host name in brackets", in: "enode://" + pub + "@[localhost]:30303"},
		{name: "ipv4 in brackets", in: "enode://" + pub + "@[10.3.58.6]:30303"},
		{name: "bad host name", in: "enode://" + pub + "@-bad.example:30303", err: ErrHostname},
		{name: "empty label", in: "enode://" + pub + "@a..example:30303", err: ErrHostname},
		{name: "long label", in: "enode://" + pub + "@" + strings.Repeat("a", 64) + ".example:30303", err: ErrHostname},
		{name: "long name", in: "enode://" + pub + "@" + strings.Repeat("a.", 127) + "ab:30303", err: ErrHostname},
		{name: "no key", in: "enode://10.3.58.6:30303"},
		{name: "empty key", in: "enode://@10.3.58.6:30303"},
		{name: "short key", in: "enode://" + pub[:126] + "@10.3.58.6:30303"},
		{name: "long key", in: "enode://" + pub + "00@10.3.58.6:30303"},
		{name: "not hex", in: "enode://" + "x" + pub[1:] + "@10.3.58.6:30303"},
		{name: "off-curve key", in: "enode://" + offCurve + "@10.3.58.6:30303", err: crypto.ErrInvalidPublicKey},
		{name: "off-curve incomplete", in: "enode://" + offCurve, err: crypto.ErrInvalidPublicKey},
		{name: "password", in: "enode://" + pub + ":x@10.3.58.6:30303"},
		{name: "wrong scheme", in: "http://" + pub + "@10.3.58.6:30303"},
		{name: "no scheme", in: pub + "@10.3.58.6:30303"},
		{name: "no port", in: "enode://" + pub + "@10.3.58.6"},
		{name: "empty port", in: "enode://" + pub + "@10.3.58.6:"},
		{name: "port too big", in: "enode://" + pub + "@10.3.58.6:65536"},
		{name: "signed port", in: "enode://" + pub + "@10.3.58.6:+1"},
		{name: "discport too big", in: "enode://" + pub + "@10.3.58.6:1?discport=70000"},
		{name: "discport empty", in: "enode://" + pub + "@10.3.58.6:1?discport="},
		{name: "discport twice", in: "enode://" + pub + "@10.3.58.6:1?discport=1&discport=2"},
		{name: "bad query", in: "enode://" + pub + "@10.3.58.6:1?discport=%zz"},
		{name: "no host", in: "enode://" + pub + "@:30303"},
		{name: "ipv6 zone", in: "enode://" + pub + "@[fe80::1%25eth0]:30303"},
		{name: "path", in: "enode://" + pub + "@10.3.58.6:30303/x"},
		{name: "fragment", in: "enode://" + pub + "@10.3.58.6:30303#x"},
		{name: "bad ipv4", in: "enode://" + pub + "@10.3.58.256:30303", err: ErrHostname},
		{name: "empty", in: ""},
		{name: "only scheme", in: "enode://"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := ParseV4(tt.in)
			wantErr := tt.err != nil || (tt.ip == "" && tt.host == "" && tt.name != "incomplete" && tt.name != "bare key")
			if wantErr {
				if !errors.Is(err, ErrInvalidNode) {
					t.Fatalf("error %v, want ErrInvalidNode", err)
				}
				if tt.err != nil && !errors.Is(err, tt.err) {
					t.Fatalf("error %v, want %v", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if n.ID() != PubkeyToIDV4(&testKey(t, 0).PublicKey) {
				t.Errorf("ID %s", n.ID())
			}
			var wantIP netip.Addr
			if tt.ip != "" {
				wantIP = mustAddr(tt.ip)
			}
			if n.IPAddr() != wantIP || n.TCP() != tt.tcp || n.UDP() != tt.udp {
				t.Errorf("endpoint %v tcp %d udp %d, want %v %d %d", n.IPAddr(), n.TCP(), n.UDP(), wantIP, tt.tcp, tt.udp)
			}
			if n.Hostname() != tt.host {
				t.Errorf("Hostname %q, want %q", n.Hostname(), tt.host)
			}
			_, hasTCP := n.TCPEndpoint()
			_, hasUDP := n.UDPEndpoint()
			if n.Incomplete() != (tt.ip == "") || (tt.ip == "" && (hasTCP || hasUDP)) {
				t.Errorf("Incomplete %v, TCP endpoint %v, UDP endpoint %v", n.Incomplete(), hasTCP, hasUDP)
			}
			wantURL := tt.url
			if wantURL == "" {
				wantURL = tt.in
			}
			if got := n.URLv4(); got != wantURL {
				t.Errorf("URLv4 %s, want %s", got, wantURL)
			}
			if n.String() != n.URLv4() {
				t.Errorf("String %s differs from URLv4", n.String())
			}
			// Parse gives the same node.
			if tt.name != "bare key" {
				p, err := Parse(ValidSchemes, tt.in)
				if err != nil || p.URLv4() != n.URLv4() {
					t.Errorf("Parse: %v %v", p, err)
				}
			}
			// So do MustParseV4 and the text form.
			if m := MustParseV4(tt.in); m.URLv4() != n.URLv4() || m.Hostname() != n.Hostname() {
				t.Errorf("MustParseV4: %v", m)
			}
			var u Node
			if err := u.UnmarshalText([]byte(n.String())); err != nil || u.Hostname() != tt.host || u.ID() != n.ID() {
				t.Errorf("UnmarshalText: %v %v", &u, err)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"no prefix", "foo", ErrMissingPrefix},
		{"bare key", testPubHex(t), ErrMissingPrefix},
		{"bad base64", "enr:!!", nil},
		{"padded base64", "enr:-IS4QA==", nil},
		{"truncated record", specText[:len(specText)-4], nil},
		{"too long", "enr:" + strings.Repeat("A", 401), enr.ErrTooBig},
		{"bad signature", specText[:10] + "A" + specText[11:], enr.ErrInvalidSig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(ValidSchemes, tt.in)
			if !errors.Is(err, ErrInvalidNode) {
				t.Fatalf("error %v, want ErrInvalidNode", err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
		})
	}
	for n := 0; n < len(specText); n++ {
		if _, err := Parse(ValidSchemes, specText[:n]); err == nil {
			t.Fatalf("prefix of %d characters parsed", n)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("MustParse did not panic")
		}
	}()
	MustParse("enr:")
}

func TestNewV4(t *testing.T) {
	pub := &testKey(t, 0).PublicKey
	tests := []struct {
		name     string
		ip       net.IP
		tcp, udp int
		wantIP   string
		wtcp     int
		wudp     int
	}{
		{"ipv4", net.IP{10, 0, 0, 1}, 1, 2, "10.0.0.1", 1, 2},
		{"16-byte ipv4", net.ParseIP("10.0.0.1"), 1, 2, "10.0.0.1", 1, 2},
		{"ipv6", net.ParseIP("2001:db8::1"), 1, 2, "2001:db8::1", 1, 2},
		{"no ip", nil, 1, 2, "", 1, 2},
		{"bad ip", net.IP{1, 2, 3}, 1, 2, "", 1, 2},
		{"bad ports", net.IP{10, 0, 0, 1}, -1, 70000, "10.0.0.1", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := NewV4(pub, tt.ip, tt.tcp, tt.udp)
			var want netip.Addr
			if tt.wantIP != "" {
				want = mustAddr(tt.wantIP)
			}
			if n.IPAddr() != want || n.TCP() != tt.wtcp || n.UDP() != tt.wudp {
				t.Fatalf("got %v %d %d", n.IPAddr(), n.TCP(), n.UDP())
			}
			if n.ID() != PubkeyToIDV4(pub) || !n.Pubkey().Equal(pub) || n.Seq() != 0 {
				t.Fatal("identity")
			}
			if _, err := New(ValidSchemes, n.Record()); err == nil {
				t.Fatal("unsigned NewV4 record verifies with ValidSchemes")
			}
		})
	}
}

func TestURLv4OtherScheme(t *testing.T) {
	var r enr.Record
	r.Set(enr.IPv4Addr(mustAddr("10.0.0.1")))
	r.Set(enr.TCP(5))
	n := SignNull(&r, HexID(specID))
	if got, want := n.URLv4(), "enode://null."+specID+"@10.0.0.1:5?discport=0"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestResolveV4(t *testing.T) {
	pub := testPubHex(t)
	ctx := context.Background()
	n, err := ResolveV4(ctx, nil, "enode://"+pub+"@10.0.0.1:30303")
	if err != nil || n.IPAddr() != mustAddr("10.0.0.1") {
		t.Fatalf("literal: %v %v", n, err)
	}
	if n, err := ResolveV4(ctx, nil, "enode://"+pub); err != nil || !n.Incomplete() {
		t.Fatalf("incomplete: %v %v", n, err)
	}
	if _, err := ResolveV4(ctx, nil, "enode://"+pub+"@[fe80::1%25x]:1"); !errors.Is(err, ErrInvalidNode) {
		t.Fatalf("zone: %v", err)
	}
	if _, err := ResolveV4(ctx, nil, "enode://"+pub[2:]+"@10.0.0.1:1"); !errors.Is(err, ErrInvalidNode) {
		t.Fatalf("bad key: %v", err)
	}
	// "localhost" resolves from the hosts file on any sane system; no DNS
	// query leaves the machine.
	n, err = ResolveV4(ctx, &net.Resolver{PreferGo: true}, "enode://"+pub+"@localhost:30303")
	if err != nil {
		t.Skipf("localhost does not resolve here: %v", err)
	}
	if !n.IPAddr().IsLoopback() || n.TCP() != 30303 || n.Hostname() != "localhost" {
		t.Fatalf("localhost resolved to %v (%s)", n.IPAddr(), n.Hostname())
	}
	// Names under .onion are never looked up in the DNS (RFC 7686): the
	// resolver fails at once, without the network.
	if _, err := ResolveV4(ctx, &net.Resolver{PreferGo: true}, "enode://"+pub+"@unresolvable.onion:30303"); err == nil {
		t.Fatal("unresolvable.onion resolved")
	}
}

func TestMustParseV4Panics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("MustParseV4 did not panic")
		}
	}()
	MustParseV4("enode://00@10.0.0.1:1")
}

// TestParseLineBreaks: a record's text with a line break in its base64 is
// refused (Go's base64 decoder skips CR and LF), so that every record has
// one text form; found by dnsdisc's fuzzer.
func TestParseLineBreaks(t *testing.T) {
	if _, err := Parse(ValidSchemes, specText); err != nil {
		t.Fatal(err)
	}
	for _, brk := range []string{"\n", "\r", "\r\n"} {
		text := specText[:20] + brk + specText[20:]
		if _, err := Parse(ValidSchemes, text); !errors.Is(err, ErrInvalidNode) {
			t.Errorf("text with %q decoded: %v", brk, err)
		}
	}
}
