package secp

import (
	"errors"
	"math/big"
	mrand "math/rand/v2"
	"testing"
)

// sameResult fails the test unless both backends returned the same value and
// errors that match the same sentinel.
func sameResult[T comparable](t *testing.T, what string, va, vb T, ea, eb error) {
	t.Helper()
	for _, sentinel := range []error{ErrInvalidPrivateKey, ErrInvalidPublicKey, ErrInvalidSignature, ErrInvalidRecoveryID} {
		if errors.Is(ea, sentinel) != errors.Is(eb, sentinel) {
			t.Fatalf("%s: first backend error %v, second %v", what, ea, eb)
		}
	}
	if (ea == nil) != (eb == nil) || va != vb {
		t.Fatalf("%s: first backend %x (%v), second %x (%v)", what, any(va), ea, any(vb), eb)
	}
}

// testBackendsAgree checks that two backends return identical bytes, or
// fail alike, on many random and edge-case inputs.
func testBackendsAgree(t *testing.T, a, b Backend) {
	rng := mrand.New(mrand.NewPCG(5, 5))
	n := 500
	if testing.Short() {
		n = 50
	}
	halfN := new(big.Int).Rsh(curveN, 1)
	for i := range n {
		seckey, other, hash := randomSeckey(rng), randomSeckey(rng), randomHash(rng)

		pa, ea := a.PublicKey(seckey)
		pb, eb := b.PublicKey(seckey)
		sameResult(t, "PublicKey", pa, pb, ea, eb)
		otherPub, _ := a.PublicKey(other)

		sa, ea := a.Sign(hash, seckey)
		sb, eb := b.Sign(hash, seckey)
		sameResult(t, "Sign", sa, sb, ea, eb)

		ra, ea := a.Recover(hash, &sa)
		rb, eb := b.Recover(hash, &sa)
		sameResult(t, "Recover", ra, rb, ea, eb)
		if ra != pa {
			t.Fatalf("Recover = %x, want %x", ra, pa)
		}

		sig64 := (*[64]byte)(sa[:64])
		if va, vb := a.Verify(&pa, hash, sig64), b.Verify(&pa, hash, sig64); !va || !vb {
			t.Fatalf("Verify(valid) first %v, second %v", va, vb)
		}
		if va, vb := a.Verify(&otherPub, hash, sig64), b.Verify(&otherPub, hash, sig64); va || vb {
			t.Fatalf("Verify(wrong key) first %v, second %v", va, vb)
		}

		xa, ea := a.ECDH(seckey, &otherPub)
		xb, eb := b.ECDH(seckey, &otherPub)
		sameResult(t, "ECDH", xa, xb, ea, eb)
		ya, _ := b.ECDH(other, &pa)
		if ya != xa {
			t.Fatalf("ECDH not symmetric across backends: %x, %x", xa, ya)
		}

		// Mangled signatures: random recovery ids (including invalid ones),
		// random R and S, high S.
		bad := sa
		switch i % 5 {
		case 0:
			bad[64] = byte(rng.IntN(6))
		case 1:
			bad[rng.IntN(64)] ^= byte(1 + rng.IntN(255))
		case 2:
			copy(bad[:64], randomHash(rng)[:])
			copy(bad[32:64], randomHash(rng)[:])
			bad[64] = byte(rng.IntN(4))
		case 3:
			new(big.Int).Sub(curveN, new(big.Int).SetBytes(sa[32:64])).FillBytes(bad[32:64])
			if new(big.Int).SetBytes(bad[32:64]).Cmp(halfN) <= 0 {
				t.Fatal("S was not low")
			}
		case 4:
			bad[64] = 2 + byte(rng.IntN(2))
		}
		ra, ea = a.Recover(hash, &bad)
		rb, eb = b.Recover(hash, &bad)
		sameResult(t, "Recover(mangled)", ra, rb, ea, eb)
		bad64 := (*[64]byte)(bad[:64])
		if va, vb := a.Verify(&pa, hash, bad64), b.Verify(&pa, hash, bad64); va != vb {
			t.Fatalf("Verify(mangled %x) first %v, second %v", bad, va, vb)
		}

		// Random public keys are almost never on the curve; keys near the
		// ends of the scalar range probe the range checks.
		var junk [64]byte
		copy(junk[:32], randomHash(rng)[:])
		copy(junk[32:], randomHash(rng)[:])
		xa, ea = a.ECDH(seckey, &junk)
		xb, eb = b.ECDH(seckey, &junk)
		sameResult(t, "ECDH(junk)", xa, xb, ea, eb)
		if va, vb := a.Verify(&junk, hash, sig64), b.Verify(&junk, hash, sig64); va != vb {
			t.Fatalf("Verify(junk key) first %v, second %v", va, vb)
		}
		edge := scalar(new(big.Int).Add(curveN, big.NewInt(int64(i%7)-3)))
		pa, ea = a.PublicKey(edge)
		pb, eb = b.PublicKey(edge)
		sameResult(t, "PublicKey(edge)", pa, pb, ea, eb)
		sa, ea = a.Sign(hash, edge)
		sb, eb = b.Sign(hash, edge)
		sameResult(t, "Sign(edge)", sa, sb, ea, eb)
		xa, ea = a.ECDH(edge, &otherPub)
		xb, eb = b.ECDH(edge, &otherPub)
		sameResult(t, "ECDH(edge)", xa, xb, ea, eb)
	}
}

// fuzzBackendsAgree feeds the same arbitrary input to two backends.
func fuzzBackendsAgree(f *testing.F, a, b Backend) {
	rng := mrand.New(mrand.NewPCG(6, 6))
	seckey, hash := randomSeckey(rng), randomHash(rng)
	sig, _ := Decred{}.Sign(hash, seckey)
	pub, _ := Decred{}.PublicKey(seckey)
	f.Add(seckey[:], hash[:], sig[:], pub[:])
	f.Add(scalar(curveN)[:], hash[:], append(sig[:64:64], 2), pointG[:])
	f.Add(make([]byte, 32), make([]byte, 32), make([]byte, 65), make([]byte, 64))
	f.Fuzz(func(t *testing.T, seckeyIn, hashIn, sigIn, pubIn []byte) {
		if len(seckeyIn) != 32 || len(hashIn) != 32 || len(sigIn) != 65 || len(pubIn) != 64 {
			return
		}
		seckey, hash := (*[32]byte)(seckeyIn), (*[32]byte)(hashIn)
		sig, pub := (*[65]byte)(sigIn), (*[64]byte)(pubIn)

		pa, ea := a.PublicKey(seckey)
		pb, eb := b.PublicKey(seckey)
		sameResult(t, "PublicKey", pa, pb, ea, eb)
		sa, ea := a.Sign(hash, seckey)
		sb, eb := b.Sign(hash, seckey)
		sameResult(t, "Sign", sa, sb, ea, eb)
		ra, ea := a.Recover(hash, sig)
		rb, eb := b.Recover(hash, sig)
		sameResult(t, "Recover", ra, rb, ea, eb)
		if va, vb := a.Verify(pub, hash, (*[64]byte)(sig[:64])), b.Verify(pub, hash, (*[64]byte)(sig[:64])); va != vb {
			t.Fatalf("Verify: first %v, second %v", va, vb)
		}
		xa, ea := a.ECDH(seckey, pub)
		xb, eb := b.ECDH(seckey, pub)
		sameResult(t, "ECDH", xa, xb, ea, eb)
	})
}
