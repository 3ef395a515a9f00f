package ecies

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"io"
	"math/big"
	mrand "math/rand/v2"
	"testing"
	"testing/iotest"

	"github.com/seednet/p2p/crypto"
)

// detRand is a deterministic randomness source for tests.
func detRand(seed uint64) io.Reader {
	return mrand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8)})
}

func TestOverhead(t *testing.T) {
	if Overhead != 65+16+32 {
		t.Fatalf("Overhead = %d", Overhead)
	}
}

func TestRoundTrip(t *testing.T) {
	key, _ := crypto.GenerateKey()
	tests := []struct {
		name      string
		m, s1, s2 []byte
	}{
		{"empty", nil, nil, nil},
		{"short", []byte("hello"), nil, nil},
		{"auth-sized", bytes.Repeat([]byte{0xab}, 300), nil, []byte{0x01, 0xad}},
		{"with s1", []byte("message"), []byte("shared info"), nil},
		{"with s1 and s2", []byte("message"), []byte("shared info"), []byte("mac data")},
		{"large", bytes.Repeat([]byte("x"), 70000), nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct, err := Encrypt(rand.Reader, &key.PublicKey, tt.m, tt.s1, tt.s2)
			if err != nil {
				t.Fatal(err)
			}
			if len(ct) != len(tt.m)+Overhead {
				t.Fatalf("ciphertext length %d, want %d", len(ct), len(tt.m)+Overhead)
			}
			m, err := Decrypt(key, ct, tt.s1, tt.s2)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(m, tt.m) {
				t.Fatalf("decrypted %x, want %x", m, tt.m)
			}
		})
	}
}

// TestEncryptLayout checks where Encrypt puts what it reads from rand, and
// the tag and ciphertext against a direct computation of the scheme.
func TestEncryptLayout(t *testing.T) {
	key, _ := crypto.GenerateKey()
	m := []byte("the layout of an ECIES ciphertext")
	s1, s2 := []byte("s1"), []byte("s2")
	var stream bytes.Buffer
	io.CopyN(&stream, detRand(1), 48)
	random := bytes.Clone(stream.Bytes())

	ct, err := Encrypt(&stream, &key.PublicKey, m, s1, s2)
	if err != nil {
		t.Fatal(err)
	}
	eph, err := crypto.ToECDSA(random[:32])
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ct[:65], crypto.FromECDSAPub(&eph.PublicKey)) {
		t.Fatal("R is not the public key of the first 32 random bytes")
	}
	if !bytes.Equal(ct[65:81], random[32:48]) {
		t.Fatal("IV is not the next 16 random bytes")
	}
	z, _ := crypto.ECDH(eph, &key.PublicKey)
	k := sha256.Sum256(append(append([]byte{0, 0, 0, 1}, z...), s1...))
	km := sha256.Sum256(k[16:])
	ke := [16]byte(k[:16])
	wantBody := make([]byte, len(m))
	if err := xorKeyStream(wantBody, m, &ke, random[32:48]); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ct[81:len(ct)-32], wantBody) {
		t.Fatal("ciphertext body differs from AES-128-CTR(kE, IV, m)")
	}
	if tag := messageTag(&km, ct[65:len(ct)-32], s2); !bytes.Equal(ct[len(ct)-32:], tag) {
		t.Fatal("tag differs from HMAC-SHA256(SHA-256(kM), IV || c || s2)")
	}
}

func TestConcatKDF(t *testing.T) {
	z, s1 := []byte("shared secret"), []byte("other info")
	out := make([]byte, 80)
	concatKDF(out, z, s1)
	var want []byte
	for i := byte(1); i <= 3; i++ {
		h := sha256.Sum256(append(append([]byte{0, 0, 0, i}, z...), s1...))
		want = append(want, h[:]...)
	}
	if !bytes.Equal(out, want[:80]) {
		t.Fatalf("concatKDF = %x, want %x", out, want[:80])
	}
}

func TestDecryptBadInput(t *testing.T) {
	key, _ := crypto.GenerateKey()
	m := []byte("message for tampering")
	s2 := []byte{0x00, 0x86}
	ct, err := Encrypt(detRand(2), &key.PublicKey, m, nil, s2)
	if err != nil {
		t.Fatal(err)
	}
	// Every truncation fails.
	for i := range ct {
		_, err := Decrypt(key, ct[:i], nil, s2)
		want := ErrInvalidMAC
		if i < Overhead {
			want = ErrInvalidMessage
		}
		if !errors.Is(err, want) {
			t.Fatalf("prefix of length %d: error %v, want %v", i, err, want)
		}
	}
	// Every flipped bit fails: in R the point leaves the curve or the MAC
	// fails, elsewhere the MAC fails.
	for i := range ct {
		for bit := range 8 {
			bad := bytes.Clone(ct)
			bad[i] ^= 1 << bit
			if _, err := Decrypt(key, bad, nil, s2); err == nil {
				t.Fatalf("flipping bit %d of byte %d: no error", bit, i)
			}
		}
	}
	if _, err := Decrypt(key, append(bytes.Clone(ct), 0), nil, s2); !errors.Is(err, ErrInvalidMAC) {
		t.Errorf("extended ciphertext: error %v, want ErrInvalidMAC", err)
	}
	for _, prefix := range []byte{0x00, 0x02, 0x03, 0x06, 0x07} {
		bad := bytes.Clone(ct)
		bad[0] = prefix
		if _, err := Decrypt(key, bad, nil, s2); !errors.Is(err, ErrInvalidPublicKey) {
			t.Errorf("R prefix %#x: error %v, want ErrInvalidPublicKey", prefix, err)
		}
	}
	for _, prv := range []*ecdsa.PrivateKey{nil, {}, {D: big.NewInt(0)}, {D: new(big.Int).Lsh(big.NewInt(1), 256)}, {D: crypto.S256().Params().N}} {
		if _, err := Decrypt(prv, ct, nil, s2); !errors.Is(err, ErrInvalidPrivateKey) {
			t.Errorf("bad private key %v: error %v, want ErrInvalidPrivateKey", prv, err)
		}
	}
}

// TestInvalidCurve plays the invalid-curve attack: an R that is not on
// secp256k1 but on another curve y² = x³ + b where it has small order. Were
// Decrypt to multiply it by the secret key without checking, the MAC check
// would tell the attacker the secret key modulo that small order.
func TestInvalidCurve(t *testing.T) {
	key, _ := crypto.GenerateKey()
	ct, _ := Encrypt(rand.Reader, &key.PublicKey, []byte("m"), nil, nil)

	var points [][]byte
	// (0, 1) has order 3 on y² = x³ + 1.
	p := make([]byte, 64)
	p[63] = 1
	points = append(points, p)
	// The valid R with Y changed: on some curve y² = x³ + b', not secp256k1.
	p = bytes.Clone(ct[1:65])
	p[63] ^= 1
	points = append(points, p)
	// The point at infinity in its conventional (0, 0) form.
	points = append(points, make([]byte, 64))
	// Coordinates not below the field prime.
	p = bytes.Repeat([]byte{0xff}, 64)
	points = append(points, p)

	for i, pt := range points {
		bad := bytes.Clone(ct)
		copy(bad[1:65], pt)
		if _, err := Decrypt(key, bad, nil, nil); !errors.Is(err, ErrInvalidPublicKey) {
			t.Errorf("point %d: Decrypt error %v, want ErrInvalidPublicKey", i, err)
		}
		pub := &ecdsa.PublicKey{Curve: crypto.S256(), X: new(big.Int).SetBytes(pt[:32]), Y: new(big.Int).SetBytes(pt[32:])}
		if _, err := Encrypt(rand.Reader, pub, []byte("m"), nil, nil); !errors.Is(err, ErrInvalidPublicKey) {
			t.Errorf("point %d: Encrypt error %v, want ErrInvalidPublicKey", i, err)
		}
	}
}

// TestMalleableR documents that R and -R decrypt alike (see the package
// documentation).
func TestMalleableR(t *testing.T) {
	key, _ := crypto.GenerateKey()
	ct, _ := Encrypt(rand.Reader, &key.PublicKey, []byte("m"), nil, nil)
	p := crypto.S256().Params().P
	negY := new(big.Int).Sub(p, new(big.Int).SetBytes(ct[33:65]))
	bad := bytes.Clone(ct)
	negY.FillBytes(bad[33:65])
	if m, err := Decrypt(key, bad, nil, nil); err != nil || string(m) != "m" {
		t.Fatalf("Decrypt with -R = %q, %v", m, err)
	}
}

func TestEncryptBadInput(t *testing.T) {
	key, _ := crypto.GenerateKey()
	if _, err := Encrypt(rand.Reader, nil, nil, nil, nil); !errors.Is(err, ErrInvalidPublicKey) {
		t.Errorf("nil key: error %v", err)
	}
	if _, err := Encrypt(rand.Reader, &ecdsa.PublicKey{}, nil, nil, nil); !errors.Is(err, ErrInvalidPublicKey) {
		t.Errorf("empty key: error %v", err)
	}
	readErr := errors.New("no randomness")
	if _, err := Encrypt(iotest.ErrReader(readErr), &key.PublicKey, nil, nil, nil); !errors.Is(err, readErr) {
		t.Errorf("failing reader: error %v", err)
	}
	// Enough for the key, not for the IV.
	var short bytes.Buffer
	io.CopyN(&short, detRand(3), 40)
	if _, err := Encrypt(&short, &key.PublicKey, nil, nil, nil); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("short reader: error %v", err)
	}
	// A reader of only invalid keys (all zero) is caught.
	if _, err := Encrypt(bytes.NewReader(make([]byte, 4096)), &key.PublicKey, nil, nil, nil); err == nil {
		t.Error("all-zero randomness accepted")
	}
	// One invalid key (N) is skipped.
	stream := append(crypto.S256().Params().N.FillBytes(make([]byte, 32)), bytes.Repeat([]byte{1}, 48)...)
	ct, err := Encrypt(bytes.NewReader(stream), &key.PublicKey, []byte("m"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m, err := Decrypt(key, ct, nil, nil); err != nil || string(m) != "m" {
		t.Fatalf("Decrypt = %q, %v", m, err)
	}
}
