package crypto

import (
	"bytes"
	"crypto/ecdsa"
	"errors"
	"math/big"
	"testing"
)

func TestECDH(t *testing.T) {
	for range 20 {
		a, _ := GenerateKey()
		b, _ := GenerateKey()
		sa, err := ECDH(a, &b.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		sb, err := ECDH(b, &a.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		if len(sa) != 32 || !bytes.Equal(sa, sb) {
			t.Fatalf("shared secrets differ: %x, %x", sa, sb)
		}
		raw, err := ECDHRaw(a, FromECDSAPub(&b.PublicKey)[1:])
		if err != nil || !bytes.Equal(raw[:], sa) {
			t.Fatalf("ECDHRaw = %x, %v; want %x", raw, err, sa)
		}
	}
	// 2 * G has a known x coordinate.
	two, _ := ToECDSA(bytes32(big.NewInt(2)))
	s, err := ECDH(two, &ecdsa.PublicKey{Curve: S256(), X: testGx, Y: testGy})
	want := mustHex("c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5")
	if err != nil || !bytes.Equal(s, want) {
		t.Fatalf("ECDH(2, G) = %x, %v; want %x", s, err, want)
	}
}

func TestECDHBadInput(t *testing.T) {
	key, _ := GenerateKey()
	good := &key.PublicKey
	pt := func(x, y *big.Int) *ecdsa.PublicKey { return &ecdsa.PublicKey{Curve: S256(), X: x, Y: y} }
	tests := []struct {
		name string
		prv  *ecdsa.PrivateKey
		pub  *ecdsa.PublicKey
		err  error
	}{
		{"nil pub", key, nil, ErrInvalidPublicKey},
		{"empty pub", key, &ecdsa.PublicKey{}, ErrInvalidPublicKey},
		{"off curve", key, pt(good.X, new(big.Int).Add(good.Y, big.NewInt(1))), ErrInvalidPublicKey},
		{"invalid curve (0,1)", key, pt(big.NewInt(0), big.NewInt(1)), ErrInvalidPublicKey},
		{"zero point", key, pt(big.NewInt(0), big.NewInt(0)), ErrInvalidPublicKey},
		{"x + P", key, pt(new(big.Int).Add(good.X, testP), good.Y), ErrInvalidPublicKey},
		{"negative y", key, pt(good.X, new(big.Int).Neg(good.Y)), ErrInvalidPublicKey},
		{"nil prv", nil, good, ErrInvalidPrivateKey},
		{"zero prv", &ecdsa.PrivateKey{D: big.NewInt(0)}, good, ErrInvalidPrivateKey},
		{"prv N", &ecdsa.PrivateKey{D: testN}, good, ErrInvalidPrivateKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ECDH(tt.prv, tt.pub); !errors.Is(err, tt.err) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
		})
	}
	for _, l := range []int{0, 33, 63, 65} {
		if _, err := ECDHRaw(key, make([]byte, l)); !errors.Is(err, ErrInvalidPublicKey) {
			t.Errorf("ECDHRaw with %d-byte key: error %v", l, err)
		}
	}
}
