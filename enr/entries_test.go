package enr

import (
	"bytes"
	"errors"
	"net"
	"net/netip"
	"testing"

	"github.com/seednet/p2p/rlp"
)

func TestIPEntry(t *testing.T) {
	tests := []struct {
		name    string
		ip      IP
		wantKey string
		wantEnc []byte // the value's encoding
	}{
		{"ipv4", IP{10, 0, 0, 1}, "ip", []byte{0x84, 10, 0, 0, 1}},
		{"ipv4 in 16 bytes", IP(net.ParseIP("10.0.0.1")), "ip", []byte{0x84, 10, 0, 0, 1}},
		{"ipv6", IP(net.ParseIP("2001:db8::1")), "ip6", append([]byte{0x90}, net.ParseIP("2001:db8::1")...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if k := tt.ip.ENRKey(); k != tt.wantKey {
				t.Fatalf("ENRKey %q, want %q", k, tt.wantKey)
			}
			enc, err := rlp.EncodeToBytes(tt.ip)
			if err != nil || !bytes.Equal(enc, tt.wantEnc) {
				t.Fatalf("encoding %x, %v; want %x", enc, err, tt.wantEnc)
			}
			// Set stores it under its key, where the typed entries find it.
			var r Record
			r.Set(tt.ip)
			want := netip.MustParseAddr(net.IP(tt.ip).String())
			if tt.wantKey == "ip" {
				var a IPv4Addr
				if err := r.Load(&a); err != nil || netip.Addr(a) != want {
					t.Fatalf("IPv4Addr %v, %v", netip.Addr(a), err)
				}
			} else {
				var a IPv6Addr
				if err := r.Load(&a); err != nil || netip.Addr(a) != want {
					t.Fatalf("IPv6Addr %v, %v", netip.Addr(a), err)
				}
			}
			// And it decodes back.
			var dec IP
			if err := rlp.DecodeBytes(enc, &dec); err != nil || !net.IP(dec).Equal(net.IP(tt.ip)) {
				t.Fatalf("decoded %v, %v", net.IP(dec), err)
			}
		})
	}
}

func TestIPEntryErrors(t *testing.T) {
	for _, tt := range []struct {
		name string
		ip   IP
	}{
		{"empty", nil},
		{"short", IP{1, 2, 3}},
		{"long", IP(make([]byte, 17))},
	} {
		t.Run("encode "+tt.name, func(t *testing.T) {
			if _, err := rlp.EncodeToBytes(tt.ip); !errors.Is(err, ErrInvalidIP) {
				t.Fatalf("error %v, want ErrInvalidIP", err)
			}
		})
	}
	for _, tt := range []struct {
		name string
		enc  []byte
	}{
		{"3 bytes", []byte{0x83, 1, 2, 3}},
		{"5 bytes", []byte{0x85, 1, 2, 3, 4, 5}},
		{"empty", []byte{0x80}},
		{"list", []byte{0xc4, 0x01, 0x02, 0x03, 0x04}},
	} {
		t.Run("decode "+tt.name, func(t *testing.T) {
			var ip IP
			if err := rlp.DecodeBytes(tt.enc, &ip); !errors.Is(err, ErrInvalidIP) {
				t.Fatalf("error %v, want ErrInvalidIP", err)
			}
		})
	}
	// An empty IP loads the "ip6" entry.
	var r Record
	r.Set(IP(net.ParseIP("2001:db8::1")))
	var ip IP
	if err := r.Load(&ip); err != nil || !net.IP(ip).Equal(net.ParseIP("2001:db8::1")) {
		t.Fatalf("Load: %v, %v", net.IP(ip), err)
	}
}

func TestIDv4(t *testing.T) {
	var r Record
	r.Set(IDv4)
	if r.IdentityScheme() != "v4" || IDv4 != V4 {
		t.Fatalf("scheme %q", r.IdentityScheme())
	}
}

func TestRecordSize(t *testing.T) {
	tests := []struct {
		name  string
		build func(t *testing.T) *Record
	}{
		{"empty unsigned", func(t *testing.T) *Record { return new(Record) }},
		{"unsigned with entries", func(t *testing.T) *Record {
			r := new(Record)
			r.SetSeq(1 << 40)
			r.Set(IPv4Addr(netip.MustParseAddr("10.0.0.1")))
			r.Set(UDP(30303))
			return r
		}},
		{"signed", func(t *testing.T) *Record {
			r := new(Record)
			r.Set(UDP(30303))
			if err := signTest(r, specPrivKey(t)); err != nil {
				t.Fatal(err)
			}
			return r
		}},
		{"spec vector", func(t *testing.T) *Record {
			r := new(Record)
			if err := rlp.DecodeBytes(specBytes(t), r); err != nil {
				t.Fatal(err)
			}
			return r
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.build(t)
			var want int
			if sig := r.Signature(); sig != nil {
				enc, err := rlp.EncodeToBytes(r)
				if err != nil {
					t.Fatal(err)
				}
				want = len(enc)
			} else {
				// The encoding with an empty signature.
				cpy := *r
				if err := cpy.SetSig(acceptAll{}, []byte{}); err != nil {
					t.Fatal(err)
				}
				enc, err := rlp.EncodeToBytes(&cpy)
				if err != nil {
					t.Fatal(err)
				}
				want = len(enc)
			}
			if got := r.Size(); got != uint64(want) {
				t.Fatalf("Size() = %d, want %d", got, want)
			}
		})
	}
}
