package crypto

import (
	"bytes"
	"crypto/ecdsa"
	"encoding/hex"
	"errors"
	"math/big"
	"testing"
)

// A key and the address go-ethereum derives from it (the last 20 bytes of the
// Keccak-256 hash of X || Y): a fact shared by every Ethereum implementation.
const (
	testKeyHex  = "289c2857d4598e37fb9647507e47a309d6133539bf21a8b9cb6df88fd5232032"
	testAddrHex = "970e8128ab834e8eac17ab8e3812f010678cf791"
)

func address(pub []byte) string {
	return hex.EncodeToString(Keccak256(pub[1:])[12:])
}

func TestSignRecover(t *testing.T) {
	key, _ := HexToECDSA(testKeyHex)
	if got := address(FromECDSAPub(&key.PublicKey)); got != testAddrHex {
		t.Fatalf("address %s, want %s", got, testAddrHex)
	}
	msg := Keccak256([]byte("foo"))
	sig, err := Sign(msg, key)
	if err != nil {
		t.Fatal(err)
	}
	if len(sig) != SignatureLength || sig[RecoveryIDOffset] > 1 {
		t.Fatalf("bad signature %x", sig)
	}
	pub, err := Ecrecover(msg, sig)
	if err != nil {
		t.Fatal(err)
	}
	if got := address(pub); got != testAddrHex {
		t.Fatalf("recovered address %s, want %s", got, testAddrHex)
	}
	pk, err := SigToPub(msg, sig)
	if err != nil || !pk.Equal(&key.PublicKey) || pk.Curve != S256() {
		t.Fatalf("SigToPub = %v, %v", pk, err)
	}
	raw, err := RecoverRaw(msg, sig)
	if err != nil || !bytes.Equal(raw[:], pub[1:]) {
		t.Fatalf("RecoverRaw = %x, %v", raw, err)
	}
	if !VerifySignature(pub, msg, sig[:64]) {
		t.Fatal("VerifySignature(uncompressed) = false")
	}
	if !VerifySignature(CompressPubkey(pk), msg, sig[:64]) {
		t.Fatal("VerifySignature(compressed) = false")
	}
	again, _ := Sign(msg, key)
	if !bytes.Equal(sig, again) {
		t.Fatal("signatures are not deterministic")
	}
}

func TestSignRandomKeys(t *testing.T) {
	halfN := new(big.Int).Rsh(testN, 1)
	for i := range 50 {
		key, _ := GenerateKey()
		msg := Keccak256([]byte{byte(i)})
		sig, err := Sign(msg, key)
		if err != nil {
			t.Fatal(err)
		}
		if new(big.Int).SetBytes(sig[32:64]).Cmp(halfN) > 0 {
			t.Fatalf("high S: %x", sig)
		}
		pub, err := SigToPub(msg, sig)
		if err != nil || !pub.Equal(&key.PublicKey) {
			t.Fatalf("SigToPub = %v, %v", pub, err)
		}
	}
}

func TestSignBadInput(t *testing.T) {
	key, _ := HexToECDSA(testKeyHex)
	msg := make([]byte, 32)
	tests := []struct {
		name string
		hash []byte
		key  *ecdsa.PrivateKey
		err  error
	}{
		{"short hash", msg[:31], key, ErrInvalidHashLength},
		{"long hash", append(msg, 0), key, ErrInvalidHashLength},
		{"nil key", msg, nil, ErrInvalidPrivateKey},
		{"nil scalar", msg, &ecdsa.PrivateKey{}, ErrInvalidPrivateKey},
		{"zero scalar", msg, &ecdsa.PrivateKey{D: big.NewInt(0)}, ErrInvalidPrivateKey},
		{"negative scalar", msg, &ecdsa.PrivateKey{D: big.NewInt(-1)}, ErrInvalidPrivateKey},
		{"scalar N", msg, &ecdsa.PrivateKey{D: testN}, ErrInvalidPrivateKey},
		{"scalar 2^256", msg, &ecdsa.PrivateKey{D: new(big.Int).Lsh(big.NewInt(1), 256)}, ErrInvalidPrivateKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Sign(tt.hash, tt.key); !errors.Is(err, tt.err) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
		})
	}
}

func TestEcrecoverBadInput(t *testing.T) {
	key, _ := HexToECDSA(testKeyHex)
	msg := Keccak256([]byte("foo"))
	good, _ := Sign(msg, key)
	with := func(f func(sig []byte)) []byte {
		sig := bytes.Clone(good)
		f(sig)
		return sig
	}
	tests := []struct {
		name string
		hash []byte
		sig  []byte
		err  error
	}{
		{"short hash", msg[:31], good, ErrInvalidHashLength},
		{"empty sig", msg, nil, ErrInvalidSignature},
		{"64-byte sig", msg, good[:64], ErrInvalidSignature},
		{"66-byte sig", msg, append(bytes.Clone(good), 0), ErrInvalidSignature},
		{"V=4", msg, with(func(s []byte) { s[64] = 4 }), ErrInvalidRecoveryID},
		{"V=27", msg, with(func(s []byte) { s[64] += 27 }), ErrInvalidRecoveryID},
		{"R=0", msg, with(func(s []byte) { clear(s[:32]) }), ErrInvalidSignature},
		{"S=0", msg, with(func(s []byte) { clear(s[32:64]) }), ErrInvalidSignature},
		{"R=N", msg, with(func(s []byte) { testN.FillBytes(s[:32]) }), ErrInvalidSignature},
		{"S=N", msg, with(func(s []byte) { testN.FillBytes(s[32:64]) }), ErrInvalidSignature},
		{"R=2^256-1", msg, with(func(s []byte) { copy(s[:32], bytes.Repeat([]byte{0xff}, 32)) }), ErrInvalidSignature},
		{"V=2, R+N>=P", msg, with(func(s []byte) {
			new(big.Int).Sub(testN, big.NewInt(1)).FillBytes(s[:32])
			s[64] = 2
		}), ErrInvalidSignature},
		{"R=5, no such point", msg, with(func(s []byte) { big.NewInt(5).FillBytes(s[:32]) }), ErrInvalidSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Ecrecover(tt.hash, tt.sig); !errors.Is(err, tt.err) {
				t.Fatalf("Ecrecover: error %v, want %v", err, tt.err)
			}
			if _, err := SigToPub(tt.hash, tt.sig); !errors.Is(err, tt.err) {
				t.Fatalf("SigToPub: error %v, want %v", err, tt.err)
			}
		})
	}
	for i := range good {
		if _, err := Ecrecover(msg, good[:i]); err == nil {
			t.Fatalf("signature prefix of length %d accepted", i)
		}
	}
}

// TestEcrecoverHighS documents that Ecrecover accepts the high-S twin of a
// signature (with V flipped) while VerifySignature rejects it.
func TestEcrecoverHighS(t *testing.T) {
	key, _ := HexToECDSA(testKeyHex)
	msg := Keccak256([]byte("foo"))
	sig, _ := Sign(msg, key)
	high := bytes.Clone(sig)
	new(big.Int).Sub(testN, new(big.Int).SetBytes(sig[32:64])).FillBytes(high[32:64])
	high[64] ^= 1
	pub, err := SigToPub(msg, high)
	if err != nil || !pub.Equal(&key.PublicKey) {
		t.Fatalf("SigToPub(high S) = %v, %v", pub, err)
	}
	if VerifySignature(FromECDSAPub(&key.PublicKey), msg, high[:64]) {
		t.Fatal("VerifySignature accepts high S")
	}
}

func TestVerifySignature(t *testing.T) {
	key, _ := HexToECDSA(testKeyHex)
	pub := FromECDSAPub(&key.PublicKey)
	cpub := CompressPubkey(&key.PublicKey)
	msg := Keccak256([]byte("foo"))
	sig, _ := Sign(msg, key)
	other, _ := GenerateKey()
	hybrid := bytes.Clone(pub)
	hybrid[0] = 0x06 | pub[64]&1
	tests := []struct {
		name           string
		pub, hash, sig []byte
		want           bool
	}{
		{"uncompressed", pub, msg, sig[:64], true},
		{"compressed", cpub, msg, sig[:64], true},
		{"with V", pub, msg, sig, false},
		{"short sig", pub, msg, sig[:63], false},
		{"other key", FromECDSAPub(&other.PublicKey), msg, sig[:64], false},
		{"other hash", pub, Keccak256([]byte("bar")), sig[:64], false},
		{"short hash", pub, msg[:31], sig[:64], false},
		{"hybrid key", hybrid, msg, sig[:64], false},
		{"raw key", pub[1:], msg, sig[:64], false},
		{"off-curve key", append(bytes.Clone(pub[:64]), pub[64]^1), msg, sig[:64], false},
		{"bad compressed key", append([]byte{0x02}, bytes32(big.NewInt(5))...), msg, sig[:64], false},
		{"empty key", nil, msg, sig[:64], false},
		{"zero sig", pub, msg, make([]byte, 64), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := VerifySignature(tt.pub, tt.hash, tt.sig); got != tt.want {
				t.Fatalf("VerifySignature = %v, want %v", got, tt.want)
			}
		})
	}
}
