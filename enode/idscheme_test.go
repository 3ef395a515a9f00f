package enode

import (
	"bytes"
	"errors"
	"testing"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/enr"
	"github.com/seednet/p2p/rlp"
)

func TestSpecVector(t *testing.T) {
	n, err := Parse(ValidSchemes, specText)
	if err != nil {
		t.Fatal(err)
	}
	if n.ID() != HexID(specID) {
		t.Errorf("ID %s, want %s", n.ID(), specID)
	}
	if got := n.String(); got != specText {
		t.Errorf("String:\n got %s\nwant %s", got, specText)
	}
	key, _ := crypto.HexToECDSA(specKey)
	if !n.Pubkey().Equal(&key.PublicKey) {
		t.Error("public key differs")
	}
	if PubkeyToIDV4(&key.PublicKey) != n.ID() {
		t.Error("PubkeyToIDV4 differs")
	}
	if ep, ok := n.UDPEndpoint(); !ok || ep.String() != "127.0.0.1:30303" {
		t.Errorf("UDP endpoint %v %v", ep, ok)
	}
	if _, ok := n.TCPEndpoint(); ok {
		t.Error("TCP endpoint without tcp entry")
	}
	if n.Seq() != 1 || n.Incomplete() || n.ValidateComplete() != nil {
		t.Errorf("seq %d incomplete %v validate %v", n.Seq(), n.Incomplete(), n.ValidateComplete())
	}
	// Re-signing the same content with the same key reproduces the record.
	var r enr.Record
	r.SetSeq(1)
	r.Set(enr.IPv4Addr(n.IPAddr()))
	r.Set(enr.UDP(30303))
	if err := SignV4(&r, key); err != nil {
		t.Fatal(err)
	}
	n2, err := New(ValidSchemes, &r)
	if err != nil {
		t.Fatal(err)
	}
	if n2.String() != specText {
		t.Errorf("re-signed:\n got %s\nwant %s", n2.String(), specText)
	}
}

func TestSignV4Tamper(t *testing.T) {
	key := testKey(t, 0)
	var r enr.Record
	r.Set(enr.TCP(30303))
	if err := SignV4(&r, key); err != nil {
		t.Fatal(err)
	}
	enc, _ := rlp.EncodeToBytes(&r)
	tests := []struct {
		name   string
		mutate func(r *enr.Record) error
		want   error
	}{
		{"changed entry", func(r *enr.Record) error {
			sig := r.Signature()
			r.Set(enr.TCP(30304))
			return r.SetSig(V4ID{}, sig)
		}, enr.ErrInvalidSig},
		{"changed seq", func(r *enr.Record) error {
			sig := r.Signature()
			r.SetSeq(r.Seq() + 1)
			return r.SetSig(V4ID{}, sig)
		}, enr.ErrInvalidSig},
		{"short signature", func(r *enr.Record) error { return r.SetSig(V4ID{}, r.Signature()[:63]) }, enr.ErrInvalidSig},
		{"other key", func(r *enr.Record) error {
			sig := r.Signature()
			r.Set(Secp256k1(testKey(t, 1).PublicKey))
			return r.SetSig(V4ID{}, sig)
		}, enr.ErrInvalidSig},
		{"no key", func(r *enr.Record) error {
			var c enr.Record
			c.Set(enr.V4)
			return c.SetSig(V4ID{}, r.Signature())
		}, enr.ErrNotFound},
		{"bad key", func(r *enr.Record) error {
			sig := r.Signature()
			r.Set(enr.WithEntry("secp256k1", make([]byte, 32)))
			return r.SetSig(V4ID{}, sig)
		}, crypto.ErrInvalidPublicKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c enr.Record
			if err := rlp.DecodeBytes(enc, &c); err != nil {
				t.Fatal(err)
			}
			if err := tt.mutate(&c); !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
		})
	}
	// Flipping any bit of the encoding breaks decoding or verification.
	for i := range enc {
		in := bytes.Clone(enc)
		in[i] ^= 0x10
		var c enr.Record
		if rlp.DecodeBytes(in, &c) != nil {
			continue
		}
		if _, err := New(ValidSchemes, &c); err == nil {
			t.Errorf("byte %d: tampered record accepted", i)
		}
	}
}

func TestSignV4TooBig(t *testing.T) {
	var r enr.Record
	r.Set(enr.WithEntry("pad", make([]byte, 200)))
	if err := SignV4(&r, testKey(t, 0)); !errors.Is(err, enr.ErrTooBig) {
		t.Fatalf("error %v, want ErrTooBig", err)
	}
	if r.IdentityScheme() != "" {
		t.Error("failed SignV4 changed the record")
	}
}

func TestNullScheme(t *testing.T) {
	id := HexID(specID)
	var r enr.Record
	r.Set(enr.IPv4Addr(mustAddr("10.0.0.1")))
	r.Set(enr.UDP(1))
	n := SignNull(&r, id)
	if n.ID() != id {
		t.Fatalf("ID %s", n.ID())
	}
	if _, err := New(ValidSchemes, n.Record()); !errors.Is(err, enr.ErrUnknownScheme) {
		t.Errorf("null record with ValidSchemes: %v", err)
	}
	n2, err := New(ValidSchemesForTesting, n.Record())
	if err != nil || n2.ID() != id {
		t.Errorf("ValidSchemesForTesting: %v", err)
	}
	if _, err := Parse(ValidSchemesForTesting, n.String()); err != nil {
		t.Errorf("text round trip: %v", err)
	}
}
