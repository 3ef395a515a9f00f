package secp

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math/big"
	mrand "math/rand/v2"
	"sync"
	"testing"
)

// Curve constants of secp256k1 (SEC 2, section 2.4.1).
var (
	curveN = mustBig("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
	curveP = mustBig("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f")
	pointG = mustPoint("79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
		"483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8")
	point2G = mustPoint("c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5",
		"1ae168fea63dc339a3c58419466ceaeef7f632653266d0e1236431a950cfe52a")
	point3G = mustPoint("f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9",
		"388f7b0f632de8140fe337e62a37f3566500a99934c2231b6cb9fd7584b8e672")
)

func mustBig(s string) *big.Int {
	v, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic("bad hex " + s)
	}
	return v
}

func mustPoint(x, y string) [64]byte {
	var p [64]byte
	mustBig(x).FillBytes(p[:32])
	mustBig(y).FillBytes(p[32:])
	return p
}

func scalar(v *big.Int) *[32]byte {
	var b [32]byte
	v.FillBytes(b[:])
	return &b
}

func scalarInt(v int64) *[32]byte { return scalar(big.NewInt(v)) }

// nonResidueX returns an x in [1, N-1] for which x³+7 has no square root mod
// P, so no curve point has that x coordinate.
func nonResidueX() *big.Int {
	for x := big.NewInt(1); ; x.Add(x, big.NewInt(1)) {
		rhs := new(big.Int).Exp(x, big.NewInt(3), curveP)
		rhs.Add(rhs, big.NewInt(7)).Mod(rhs, curveP)
		if big.Jacobi(rhs, curveP) == -1 {
			return x
		}
	}
}

func randomSeckey(rng *mrand.Rand) *[32]byte {
	for {
		var k [32]byte
		for i := range k {
			k[i] = byte(rng.Uint32())
		}
		v := new(big.Int).SetBytes(k[:])
		if v.Sign() > 0 && v.Cmp(curveN) < 0 {
			return &k
		}
	}
}

func randomHash(rng *mrand.Rand) *[32]byte {
	var h [32]byte
	for i := range h {
		h[i] = byte(rng.Uint32())
	}
	return &h
}

func TestDecredConformance(t *testing.T) { testConformance(t, Decred{}) }

// testConformance is the behaviour every Backend must have.
func testConformance(t *testing.T, b Backend) {
	t.Run("PublicKey", func(t *testing.T) { testPublicKey(t, b) })
	t.Run("SignKnownAnswer", func(t *testing.T) { testSignKnownAnswer(t, b) })
	t.Run("RoundTrip", func(t *testing.T) { testRoundTrip(t, b) })
	t.Run("RecoverBadInput", func(t *testing.T) { testRecoverBadInput(t, b) })
	t.Run("VerifyBadInput", func(t *testing.T) { testVerifyBadInput(t, b) })
	t.Run("ECDH", func(t *testing.T) { testECDH(t, b) })
	t.Run("Concurrent", func(t *testing.T) { testConcurrent(t, b) })
}

func testPublicKey(t *testing.T, b Backend) {
	negG := pointG
	new(big.Int).Sub(curveP, new(big.Int).SetBytes(pointG[32:])).FillBytes(negG[32:])
	tests := []struct {
		name   string
		seckey *[32]byte
		want   [64]byte
		err    error
	}{
		{"one", scalarInt(1), pointG, nil},
		{"two", scalarInt(2), point2G, nil},
		{"three", scalarInt(3), point3G, nil},
		{"N-1", scalar(new(big.Int).Sub(curveN, big.NewInt(1))), negG, nil},
		{"zero", scalarInt(0), [64]byte{}, ErrInvalidPrivateKey},
		{"N", scalar(curveN), [64]byte{}, ErrInvalidPrivateKey},
		{"N+1", scalar(new(big.Int).Add(curveN, big.NewInt(1))), [64]byte{}, ErrInvalidPrivateKey},
		{"2^256-1", scalar(new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))), [64]byte{}, ErrInvalidPrivateKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := b.PublicKey(tt.seckey)
			if !errors.Is(err, tt.err) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			if got != tt.want {
				t.Fatalf("got %x, want %x", got, tt.want)
			}
		})
	}
}

// testSignKnownAnswer checks a deterministic RFC 6979 signature: secret key 1,
// message SHA-256("Satoshi Nakamoto"), a vector widely used for secp256k1
// RFC 6979 implementations (shown here with S normalised to the low half).
func testSignKnownAnswer(t *testing.T, b Backend) {
	hash := sha256.Sum256([]byte("Satoshi Nakamoto"))
	sig, err := b.Sign(&hash, scalarInt(1))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := hex.DecodeString("934b1ea10a4b3c1757e2b0c017d0b6143ce3c9a7e6a4a49860d7a6ab210ee3d8" +
		"2442ce9d2b916064108014783e923ec36b49743e2ffa1c4496f01a512aafd9e5")
	if !bytes.Equal(sig[:64], want) {
		t.Fatalf("signature %x, want %x", sig[:64], want)
	}
	pub, err := b.Recover(&hash, &sig)
	if err != nil || pub != pointG {
		t.Fatalf("recovered %x, %v; want G", pub, err)
	}
}

func testRoundTrip(t *testing.T, b Backend) {
	rng := mrand.New(mrand.NewPCG(1, 1))
	for range 50 {
		seckey, hash := randomSeckey(rng), randomHash(rng)
		pub, err := b.PublicKey(seckey)
		if err != nil {
			t.Fatal(err)
		}
		sig, err := b.Sign(hash, seckey)
		if err != nil {
			t.Fatal(err)
		}
		if sig[64] > 1 {
			t.Errorf("recovery id %d", sig[64])
		}
		if s := new(big.Int).SetBytes(sig[32:64]); s.Cmp(new(big.Int).Rsh(curveN, 1)) > 0 {
			t.Errorf("high S in %x", sig)
		}
		again, _ := b.Sign(hash, seckey)
		if again != sig {
			t.Errorf("signing is not deterministic: %x, %x", sig, again)
		}
		rec, err := b.Recover(hash, &sig)
		if err != nil || rec != pub {
			t.Fatalf("Recover = %x, %v; want %x", rec, err, pub)
		}
		if !b.Verify(&pub, hash, (*[64]byte)(sig[:64])) {
			t.Fatal("Verify rejects a valid signature")
		}
		other := *hash
		other[0] ^= 1
		if b.Verify(&pub, &other, (*[64]byte)(sig[:64])) {
			t.Fatal("Verify accepts a signature of another hash")
		}
		// The high-S twin: Recover accepts it with the flipped recovery
		// id, Verify rejects it.
		high := sig
		new(big.Int).Sub(curveN, new(big.Int).SetBytes(sig[32:64])).FillBytes(high[32:64])
		high[64] ^= 1
		if rec, err := b.Recover(hash, &high); err != nil || rec != pub {
			t.Fatalf("Recover(high S) = %x, %v; want %x", rec, err, pub)
		}
		if b.Verify(&pub, hash, (*[64]byte)(high[:64])) {
			t.Fatal("Verify accepts high S")
		}
	}
}

func testRecoverBadInput(t *testing.T, b Backend) {
	hash := sha256.Sum256([]byte("recover"))
	good, err := b.Sign(&hash, scalarInt(12345))
	if err != nil {
		t.Fatal(err)
	}
	with := func(f func(sig *[65]byte)) *[65]byte {
		sig := good
		f(&sig)
		return &sig
	}
	setR := func(v *big.Int) func(*[65]byte) { return func(s *[65]byte) { v.FillBytes(s[:32]) } }
	setS := func(v *big.Int) func(*[65]byte) { return func(s *[65]byte) { v.FillBytes(s[32:64]) } }
	tests := []struct {
		name string
		sig  *[65]byte
		err  error
	}{
		{"V=4", with(func(s *[65]byte) { s[64] = 4 }), ErrInvalidRecoveryID},
		{"V=27", with(func(s *[65]byte) { s[64] = 27 }), ErrInvalidRecoveryID},
		{"V=255", with(func(s *[65]byte) { s[64] = 255 }), ErrInvalidRecoveryID},
		{"R=0", with(setR(big.NewInt(0))), ErrInvalidSignature},
		{"S=0", with(setS(big.NewInt(0))), ErrInvalidSignature},
		{"R=N", with(setR(curveN)), ErrInvalidSignature},
		{"S=N", with(setS(curveN)), ErrInvalidSignature},
		{"R=2^256-1", with(func(s *[65]byte) { copy(s[:32], bytes.Repeat([]byte{0xff}, 32)) }), ErrInvalidSignature},
		{"S=2^256-1", with(func(s *[65]byte) { copy(s[32:64], bytes.Repeat([]byte{0xff}, 32)) }), ErrInvalidSignature},
		{"R not an x coordinate", with(setR(nonResidueX())), ErrInvalidSignature},
		// With V in 2..3 the nonce point's x is R+N, which must stay below P.
		{"V=2 R+N>=P", with(func(s *[65]byte) {
			new(big.Int).Sub(curveN, big.NewInt(1)).FillBytes(s[:32])
			s[64] = 2
		}), ErrInvalidSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := b.Recover(&hash, tt.sig)
			if !errors.Is(err, tt.err) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
		})
	}
	// V=2 with a small R is a valid encoding (x = R+N < P); it recovers some
	// key or fails, and both are fine as long as nothing panics.
	small := with(func(s *[65]byte) { setR(big.NewInt(1))(s); s[64] = 2 })
	b.Recover(&hash, small)
}

func testVerifyBadInput(t *testing.T, b Backend) {
	hash := sha256.Sum256([]byte("verify"))
	seckey := scalarInt(777)
	pub, _ := b.PublicKey(seckey)
	sig65, _ := b.Sign(&hash, seckey)
	good := *(*[64]byte)(sig65[:64])
	offCurve := pub
	offCurve[63] ^= 1
	xTooBig := pub
	curveP.FillBytes(xTooBig[:32])
	tests := []struct {
		name string
		pub  [64]byte
		sig  [64]byte
		want bool
	}{
		{"valid", pub, good, true},
		{"pub off curve", offCurve, good, false},
		{"pub x=P", xTooBig, good, false},
		{"pub zero", [64]byte{}, good, false},
		{"sig zero", pub, [64]byte{}, false},
		{"R=N", pub, func() [64]byte { s := good; curveN.FillBytes(s[:32]); return s }(), false},
		{"S=N", pub, func() [64]byte { s := good; curveN.FillBytes(s[32:]); return s }(), false},
		{"S=0", pub, func() [64]byte { s := good; clear(s[32:]); return s }(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := b.Verify(&tt.pub, &hash, &tt.sig); got != tt.want {
				t.Fatalf("Verify = %v, want %v", got, tt.want)
			}
		})
	}
}

func testECDH(t *testing.T, b Backend) {
	x := func(p [64]byte) [32]byte { return [32]byte(p[:32]) }
	offCurve := pointG
	offCurve[0] ^= 0x80
	tests := []struct {
		name   string
		seckey *[32]byte
		pub    [64]byte
		want   [32]byte
		err    error
	}{
		{"1*G", scalarInt(1), pointG, x(pointG), nil},
		{"2*G", scalarInt(2), pointG, x(point2G), nil},
		{"1*3G", scalarInt(1), point3G, x(point3G), nil},
		{"zero key", scalarInt(0), pointG, [32]byte{}, ErrInvalidPrivateKey},
		{"key N", scalar(curveN), pointG, [32]byte{}, ErrInvalidPrivateKey},
		{"off curve", scalarInt(2), offCurve, [32]byte{}, ErrInvalidPublicKey},
		{"infinity", scalarInt(2), [64]byte{}, [32]byte{}, ErrInvalidPublicKey},
		{"both bad", scalarInt(0), offCurve, [32]byte{}, ErrInvalidPrivateKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := b.ECDH(tt.seckey, &tt.pub)
			if !errors.Is(err, tt.err) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			if got != tt.want {
				t.Fatalf("got %x, want %x", got, tt.want)
			}
		})
	}
	rng := mrand.New(mrand.NewPCG(2, 2))
	for range 20 {
		ka, kb := randomSeckey(rng), randomSeckey(rng)
		pa, _ := b.PublicKey(ka)
		pb, _ := b.PublicKey(kb)
		s1, err1 := b.ECDH(ka, &pb)
		s2, err2 := b.ECDH(kb, &pa)
		if err1 != nil || err2 != nil || s1 != s2 {
			t.Fatalf("ECDH not symmetric: %x %v, %x %v", s1, err1, s2, err2)
		}
	}
}

func testConcurrent(t *testing.T, b Backend) {
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			rng := mrand.New(mrand.NewPCG(3, uint64(g)))
			for range 25 {
				seckey, hash := randomSeckey(rng), randomHash(rng)
				pub, err := b.PublicKey(seckey)
				if err != nil {
					t.Error(err)
					return
				}
				sig, err := b.Sign(hash, seckey)
				if err != nil {
					t.Error(err)
					return
				}
				if rec, err := b.Recover(hash, &sig); err != nil || rec != pub {
					t.Errorf("Recover = %x, %v; want %x", rec, err, pub)
					return
				}
				if _, err := b.ECDH(seckey, &pub); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}
