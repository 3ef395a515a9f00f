package enr

import (
	"bytes"
	"crypto/ecdsa"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/rlp"
)

func TestSpecVector(t *testing.T) {
	raw := specBytes(t)
	var r Record
	if err := rlp.DecodeBytes(raw, &r); err != nil {
		t.Fatal(err)
	}
	enc, err := rlp.EncodeToBytes(&r)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(enc, raw) {
		t.Fatalf("re-encoding differs:\n got %x\nwant %x", enc, raw)
	}
	if got := rebuild(t, &r); !bytes.Equal(got, raw) {
		t.Fatalf("rebuilt encoding differs:\n got %x\nwant %x", got, raw)
	}
	if err := r.VerifySignature(SchemeMap{"v4": testV4{}}); err != nil {
		t.Fatalf("signature: %v", err)
	}
	if got := hex.EncodeToString(r.Signature()); got != specSig {
		t.Errorf("signature %s, want %s", got, specSig)
	}
	if r.Seq() != 1 {
		t.Errorf("seq %d, want 1", r.Seq())
	}
	if s := r.IdentityScheme(); s != "v4" {
		t.Errorf("scheme %q, want v4", s)
	}
	var ip IPv4Addr
	var udp UDP
	var key Secp256k1
	for _, e := range []Entry{&ip, &udp, &key} {
		if err := r.Load(e); err != nil {
			t.Fatalf("load %s: %v", e.ENRKey(), err)
		}
	}
	if netip.Addr(ip) != netip.MustParseAddr("127.0.0.1") || udp != 30303 {
		t.Errorf("endpoint %v:%d, want 127.0.0.1:30303", netip.Addr(ip), udp)
	}
	pub := specPrivKey(t).PublicKey
	if p := ecdsa.PublicKey(key); !pub.Equal(&p) {
		t.Error("secp256k1 entry is not the public key of the spec's private key")
	}
	var tcp TCP
	if err := r.Load(&tcp); !IsNotFound(err) {
		t.Errorf("load tcp: %v, want not found", err)
	}
	// Signing the same content with the spec's key gives the spec's record:
	// signatures are deterministic (RFC 6979).
	var s Record
	s.SetSeq(1)
	s.Set(IPv4Addr(netip.MustParseAddr("127.0.0.1")))
	s.Set(UDP(30303))
	if err := signTest(&s, specPrivKey(t)); err != nil {
		t.Fatal(err)
	}
	if enc, _ := rlp.EncodeToBytes(&s); !bytes.Equal(enc, raw) {
		t.Errorf("signing the spec's content:\n got %x\nwant %x", enc, raw)
	}
}

func TestDecodeTruncated(t *testing.T) {
	raw := specBytes(t)
	for n := 0; n < len(raw); n++ {
		var r Record
		if err := rlp.DecodeBytes(raw[:n], &r); err == nil {
			t.Fatalf("prefix of %d bytes decoded", n)
		}
	}
}

func TestDecodeDoesNotAlias(t *testing.T) {
	raw := specBytes(t)
	in := bytes.Clone(raw)
	var r Record
	if err := rlp.DecodeBytes(in, &r); err != nil {
		t.Fatal(err)
	}
	clear(in)
	if enc, _ := rlp.EncodeToBytes(&r); !bytes.Equal(enc, raw) {
		t.Fatal("record changed with its input buffer")
	}
}

func TestDecodeInvalid(t *testing.T) {
	sig := make([]byte, 64)
	raw := func(seq uint64, kv ...any) []byte { return rawRecord(t, sig, seq, kv...) }
	tests := []struct {
		name string
		in   []byte
		want error // nil: any error
	}{
		{"empty input", nil, nil},
		{"string", []byte{0x83, 'a', 'b', 'c'}, ErrInvalidRecord},
		{"empty list", []byte{0xc0}, ErrInvalidRecord},
		{"only signature", mustRLP(t, []any{sig}), ErrInvalidRecord},
		{"signature is a list", mustRLP(t, []any{[]any{}, uint64(1)}), ErrInvalidRecord},
		{"seq is a list", mustRLP(t, []any{sig, []any{}}), ErrInvalidRecord},
		{"seq too large", mustRLP(t, []any{sig, make([]byte, 9)}), ErrInvalidRecord},
		{"seq non-canonical", mustRLP(t, []any{sig, []byte{0, 1}}), rlp.ErrCanonInt},
		{"incomplete pair", raw(1, "id", "v4", "ip"), ErrIncompletePair},
		{"key is a list", raw(1, []any{}, "v4"), ErrInvalidRecord},
		{"unsorted keys", raw(1, "udp", uint16(1), "ip", []byte{1, 2, 3, 4}), ErrNotSorted},
		{"unsorted prefix", raw(1, "ipa", "x", "ip", "y"), ErrNotSorted},
		{"duplicate key", raw(1, "id", "v4", "id", "v4"), ErrDuplicateKey},
		{"duplicate later key", raw(1, "a", "x", "b", "y", "b", "z"), ErrDuplicateKey},
		{"non-canonical value", raw(1, "a", rlp.RawValue{0x81, 0x01}), rlp.ErrCanonSize},
		{"non-canonical nested value", raw(1, "a", rlp.RawValue{0xc2, 0x81, 0x01}), rlp.ErrCanonSize},
		{"too big", raw(1, "a", make([]byte, 300)), ErrTooBig},
		{"trailing bytes", append(raw(1, "a", "b"), 0x80), rlp.ErrMoreThanOneValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Record
			err := rlp.DecodeBytes(tt.in, &r)
			if err == nil {
				t.Fatal("no error")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
		})
	}
}

func mustRLP(t *testing.T, v any) []byte {
	t.Helper()
	b, err := rlp.EncodeToBytes(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// padTo signs a record whose "pad" entry makes the encoding size bytes long.
func padTo(t *testing.T, size int) (*Record, error) {
	t.Helper()
	key := specPrivKey(t)
	for n := 0; n < 400; n++ {
		var r Record
		r.SetSeq(1)
		r.Set(WithEntry("pad", make([]byte, n)))
		r.Set(V4)
		r.Set(Secp256k1(key.PublicKey))
		full := rlp.ListSize(rlp.BytesSize(make([]byte, 64)) + uint64(len(contentElems(&r))))
		if int(full) == size {
			return &r, signTest(&r, key)
		}
	}
	t.Fatalf("can't pad to %d bytes", size)
	return nil, nil
}

func contentElems(r *Record) []byte {
	c, _, _ := rlp.SplitList(r.AppendContent(nil))
	return c
}

func TestSizeLimit(t *testing.T) {
	t.Run("sign 300", func(t *testing.T) {
		r, err := padTo(t, SizeLimit)
		if err != nil {
			t.Fatal(err)
		}
		enc, err := rlp.EncodeToBytes(r)
		if err != nil {
			t.Fatal(err)
		}
		if len(enc) != SizeLimit {
			t.Fatalf("size %d", len(enc))
		}
		var dec Record
		if err := rlp.DecodeBytes(enc, &dec); err != nil {
			t.Fatalf("decode: %v", err)
		}
		if err := dec.VerifySignature(testV4{}); err != nil {
			t.Fatalf("verify: %v", err)
		}
	})
	t.Run("sign 301", func(t *testing.T) {
		if _, err := padTo(t, SizeLimit+1); !errors.Is(err, ErrTooBig) {
			t.Fatalf("error %v, want ErrTooBig", err)
		}
	})
	t.Run("decode 301", func(t *testing.T) {
		r, err := padTo(t, SizeLimit)
		if err != nil {
			t.Fatal(err)
		}
		enc, _ := rlp.EncodeToBytes(r)
		// Grow the pad entry by one byte and fix up the headers by hand.
		var big Record
		elems := r.AppendElements(nil)
		big.SetSeq(1)
		for i := 1; i < len(elems); i += 2 {
			k, v := elems[i].(string), elems[i+1].(rlp.RawValue)
			if k == "pad" {
				var b []byte
				rlp.DecodeBytes(v, &b)
				v = mustRLP(t, append(b, 0))
			}
			big.Set(WithEntry(k, v))
		}
		content := contentElems(&big)
		body := append(rlp.AppendBytes(nil, r.Signature()), content...)
		over := append(rlp.AppendListHeader(nil, uint64(len(body))), body...)
		if len(over) != SizeLimit+1 || len(enc) != SizeLimit {
			t.Fatalf("sizes %d, %d", len(over), len(enc))
		}
		var dec Record
		if err := rlp.DecodeBytes(over, &dec); !errors.Is(err, ErrTooBig) {
			t.Fatalf("error %v, want ErrTooBig", err)
		}
	})
}

func TestSignatureTamper(t *testing.T) {
	raw := specBytes(t)
	schemes := SchemeMap{"v4": testV4{}}
	for i := range raw {
		for _, bit := range []byte{0x01, 0x80} {
			in := bytes.Clone(raw)
			in[i] ^= bit
			var r Record
			if err := rlp.DecodeBytes(in, &r); err != nil {
				continue // broken structure
			}
			if err := r.VerifySignature(schemes); err == nil {
				t.Errorf("byte %d ^ %#x: tampered record verifies", i, bit)
			}
		}
	}
}

func TestSetLoad(t *testing.T) {
	key := specPrivKey(t)
	tests := []struct {
		name string
		set  Entry
		load Entry // pointer to a zero value of the type
		want any
	}{
		{"id", ID("v4"), new(ID), ID("v4")},
		{"tcp", TCP(30303), new(TCP), TCP(30303)},
		{"tcp6", TCP6(1), new(TCP6), TCP6(1)},
		{"udp", UDP(65535), new(UDP), UDP(65535)},
		{"udp6", UDP6(0), new(UDP6), UDP6(0)},
		{"quic", QUIC(9000), new(QUIC), QUIC(9000)},
		{"quic6", QUIC6(9001), new(QUIC6), QUIC6(9001)},
		{"ipv4addr", IPv4Addr(netip.MustParseAddr("10.0.0.1")), new(IPv4Addr), IPv4Addr(netip.MustParseAddr("10.0.0.1"))},
		{"ipv4addr mapped", IPv4Addr(netip.MustParseAddr("::ffff:10.0.0.1")), new(IPv4Addr), IPv4Addr(netip.MustParseAddr("10.0.0.1"))},
		{"ipv6addr", IPv6Addr(netip.MustParseAddr("2001:db8::1")), new(IPv6Addr), IPv6Addr(netip.MustParseAddr("2001:db8::1"))},
		{"generic", WithEntry("foo", []uint{1, 2}), WithEntry("foo", new([]uint)), []uint{1, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Record
			r.Set(tt.set)
			if err := signTest(&r, key); err != nil {
				t.Fatal(err)
			}
			enc, err := rlp.EncodeToBytes(&r)
			if err != nil {
				t.Fatal(err)
			}
			var dec Record
			if err := rlp.DecodeBytes(enc, &dec); err != nil {
				t.Fatal(err)
			}
			if err := dec.Load(tt.load); err != nil {
				t.Fatal(err)
			}
			got := deref(tt.load)
			if !equalAny(got, tt.want) {
				t.Fatalf("loaded %v, want %v", got, tt.want)
			}
		})
	}
}

func deref(e Entry) any {
	switch v := e.(type) {
	case *ID:
		return *v
	case *TCP:
		return *v
	case *TCP6:
		return *v
	case *UDP:
		return *v
	case *UDP6:
		return *v
	case *QUIC:
		return *v
	case *QUIC6:
		return *v
	case *IPv4Addr:
		return *v
	case *IPv6Addr:
		return *v
	case *generic:
		return *(v.value.(*[]uint))
	}
	return nil
}

func equalAny(a, b any) bool {
	if as, ok := a.([]uint); ok {
		return slices.Equal(as, b.([]uint))
	}
	return a == b
}

func TestNetIPEntries(t *testing.T) {
	var r Record
	r.Set(IPv4{10, 0, 0, 1})
	r.Set(IPv6(netip.MustParseAddr("2001:db8::1").AsSlice()))
	var ip4 IPv4
	var ip6 IPv6
	if err := r.Load(&ip4); err != nil || !bytes.Equal(ip4, []byte{10, 0, 0, 1}) {
		t.Errorf("ip: %v %v", ip4, err)
	}
	if err := r.Load(&ip6); err != nil || len(ip6) != 16 {
		t.Errorf("ip6: %v %v", ip6, err)
	}
	// A 16-byte IPv4-mapped address is written in the 4-byte form.
	r.Set(IPv4(netip.MustParseAddr("::ffff:10.0.0.2").AsSlice()))
	if err := r.Load(&ip4); err != nil || !bytes.Equal(ip4, []byte{10, 0, 0, 2}) {
		t.Errorf("mapped ip: %v %v", ip4, err)
	}
}

func TestEntryEncodeErrors(t *testing.T) {
	tests := []struct {
		name string
		e    Entry
		want error
	}{
		{"ipv4 holding ipv6", IPv4(netip.MustParseAddr("2001:db8::1").AsSlice()), ErrInvalidIPv4},
		{"ipv4 empty", IPv4(nil), ErrInvalidIPv4},
		{"ipv6 bad length", IPv6{1, 2, 3}, ErrInvalidIPv6},
		{"ipv4addr holding ipv6", IPv4Addr(netip.MustParseAddr("::1")), ErrInvalidIPv4},
		{"ipv4addr zero", IPv4Addr{}, ErrInvalidIPv4},
		{"ipv6addr zero", IPv6Addr{}, ErrInvalidIPv6},
		{"ipv6addr zone", IPv6Addr(netip.MustParseAddr("fe80::1%eth0")), ErrInvalidIPv6},
		{"secp256k1 empty", Secp256k1{}, crypto.ErrInvalidPublicKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := rlp.EncodeToBytes(tt.e); !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
			defer func() {
				if recover() == nil {
					t.Fatal("Set did not panic")
				}
			}()
			var r Record
			r.Set(tt.e)
		})
	}
}

func TestLoadErrors(t *testing.T) {
	var r Record
	r.Set(WithEntry("ip", []byte{1, 2, 3}))
	r.Set(WithEntry("ip6", "short"))
	r.Set(WithEntry("secp256k1", make([]byte, 33)))
	r.Set(WithEntry("tcp", []uint{1}))
	r.Set(WithEntry("udp", uint64(1<<20)))
	tests := []struct {
		name string
		e    Entry
	}{
		{"ipv4", new(IPv4)},
		{"ipv4addr", new(IPv4Addr)},
		{"ipv6", new(IPv6)},
		{"ipv6addr", new(IPv6Addr)},
		{"secp256k1 not on curve", new(Secp256k1)},
		{"tcp list", new(TCP)},
		{"udp overflow", new(UDP)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := r.Load(tt.e)
			var kerr *KeyError
			if !errors.As(err, &kerr) || kerr.Key != tt.e.ENRKey() {
				t.Fatalf("error %v, want *KeyError for %q", err, tt.e.ENRKey())
			}
			if IsNotFound(err) {
				t.Fatalf("error %v reports a missing key", err)
			}
		})
	}
	t.Run("missing", func(t *testing.T) {
		err := r.Load(new(UDP6))
		var kerr *KeyError
		if !IsNotFound(err) || !errors.As(err, &kerr) || kerr.Key != "udp6" {
			t.Fatalf("error %v", err)
		}
		if !strings.Contains(err.Error(), `"udp6"`) {
			t.Fatalf("message %q does not name the key", err)
		}
	})
}

func TestSetKeepsOrder(t *testing.T) {
	keys := []string{"a", "b", "c", "d", "e", "f", "ip", "ip6", "secp256k1", "tcp", "udp", "z"}
	for round := range 20 {
		var r Record
		perm := rand.Perm(len(keys))
		for _, i := range perm {
			r.Set(WithEntry(keys[i], uint(round)))
		}
		r.Set(WithEntry(keys[perm[0]], "replaced"))
		elems := r.AppendElements(nil)
		var got []string
		for i := 1; i < len(elems); i += 2 {
			got = append(got, elems[i].(string))
		}
		if !slices.Equal(got, keys) {
			t.Fatalf("keys %v, want %v", got, keys)
		}
		var s string
		if err := r.Load(WithEntry(keys[perm[0]], &s)); err != nil || s != "replaced" {
			t.Fatalf("replaced value %q, %v", s, err)
		}
	}
}

func TestCopyIsIndependent(t *testing.T) {
	var r Record
	r.Set(UDP(1))
	r.Set(TCP(2))
	if err := signTest(&r, specPrivKey(t)); err != nil {
		t.Fatal(err)
	}
	enc, _ := rlp.EncodeToBytes(&r)
	c := r
	c.Set(UDP(3))
	c.Set(WithEntry("new", uint(1)))
	c.SetSeq(9)
	var udp UDP
	if r.Load(&udp); udp != 1 {
		t.Fatalf("original udp %d", udp)
	}
	if got, _ := rlp.EncodeToBytes(&r); !bytes.Equal(got, enc) {
		t.Fatal("original encoding changed")
	}
	if err := r.VerifySignature(testV4{}); err != nil {
		t.Fatalf("original: %v", err)
	}
}

func TestUnsigned(t *testing.T) {
	var r Record
	if _, err := rlp.EncodeToBytes(&r); !errors.Is(err, ErrNotSigned) {
		t.Fatalf("encode empty: %v", err)
	}
	if err := r.VerifySignature(testV4{}); !errors.Is(err, ErrNotSigned) {
		t.Fatalf("verify empty: %v", err)
	}
	if err := signTest(&r, specPrivKey(t)); err != nil {
		t.Fatal(err)
	}
	for name, change := range map[string]func(){
		"Set":    func() { r.Set(UDP(1)) },
		"SetSeq": func() { r.SetSeq(5) },
		"SetSig": func() { r.SetSig(nil, nil) },
	} {
		t.Run(name, func(t *testing.T) {
			if err := signTest(&r, specPrivKey(t)); err != nil {
				t.Fatal(err)
			}
			change()
			if r.Signature() != nil {
				t.Fatal("signature kept")
			}
			if _, err := rlp.EncodeToBytes(&r); !errors.Is(err, ErrNotSigned) {
				t.Fatalf("encode: %v", err)
			}
		})
	}
	if err := r.SetSig(nil, []byte{1}); !errors.Is(err, ErrInvalidSig) {
		t.Fatalf("SetSig(nil, sig): %v", err)
	}
}

func TestSetSigRejects(t *testing.T) {
	var r Record
	r.Set(UDP(1))
	if err := signTest(&r, specPrivKey(t)); err != nil {
		t.Fatal(err)
	}
	before, _ := rlp.EncodeToBytes(&r)
	bad := r.Signature()
	bad[0] ^= 1
	if err := r.SetSig(testV4{}, bad); !errors.Is(err, ErrInvalidSig) {
		t.Fatalf("error %v, want ErrInvalidSig", err)
	}
	if after, _ := rlp.EncodeToBytes(&r); !bytes.Equal(before, after) {
		t.Fatal("failed SetSig changed the record")
	}
}

func TestSchemeMap(t *testing.T) {
	m := SchemeMap{"v4": testV4{}}
	var r Record
	if err := r.SetSig(acceptAll{}, []byte{1}); err != nil {
		t.Fatal(err)
	}
	if err := r.VerifySignature(m); !errors.Is(err, ErrNoID) {
		t.Errorf("no id: %v", err)
	}
	r.Set(ID("v5"))
	r.SetSig(acceptAll{}, []byte{1})
	if err := r.VerifySignature(m); !errors.Is(err, ErrUnknownScheme) {
		t.Errorf("unknown id: %v", err)
	}
	if m.NodeAddr(&r) != nil {
		t.Error("NodeAddr of unknown scheme")
	}
	raw := specBytes(t)
	var spec Record
	rlp.DecodeBytes(raw, &spec)
	addr := m.NodeAddr(&spec)
	if hex.EncodeToString(addr) != "a448f24c6d18e575453db13171562b71999873db5b286df957af199ec94617f7" {
		t.Errorf("node address %x", addr)
	}
}

func TestRecordStream(t *testing.T) {
	// Records nested in a list decode through a Stream, as in discovery's
	// ENRResponse.
	raw := specBytes(t)
	type resp struct {
		Hash   []byte
		Record Record
	}
	enc := mustRLP(t, []any{[]byte{1, 2, 3}, rlp.RawValue(raw)})
	var v resp
	if err := rlp.DecodeBytes(enc, &v); err != nil {
		t.Fatal(err)
	}
	if v.Record.Seq() != 1 {
		t.Fatalf("seq %d", v.Record.Seq())
	}
	again, err := rlp.EncodeToBytes(&v)
	if err != nil || !bytes.Equal(again, enc) {
		t.Fatalf("re-encoding: %x, %v", again, err)
	}
}
