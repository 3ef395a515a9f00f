package crypto

import (
	"bytes"
	"math/big"
	"testing"
)

func FuzzUnmarshalPubkey(f *testing.F) {
	key, _ := HexToECDSA(testKeyHex)
	g := uncompressed(testGx, testGy)
	f.Add(FromECDSAPub(&key.PublicKey))
	f.Add(g)
	f.Add(append([]byte{0x06}, g[1:]...))
	f.Add(uncompressed(big.NewInt(0), big.NewInt(1)))
	f.Add(uncompressed(testP, testGy))
	f.Add(CompressPubkey(&key.PublicKey))
	f.Add([]byte{})
	f.Add([]byte{0x04})
	f.Fuzz(func(t *testing.T, in []byte) {
		pub, err := UnmarshalPubkey(in)
		if err != nil {
			if pub != nil {
				t.Fatal("non-nil key with error")
			}
			return
		}
		if !S256().IsOnCurve(pub.X, pub.Y) {
			t.Fatalf("accepted off-curve point %x", in)
		}
		if out := FromECDSAPub(pub); !bytes.Equal(out, in) {
			t.Fatalf("FromECDSAPub = %x, want %x", out, in)
		}
		dec, err := DecompressPubkey(CompressPubkey(pub))
		if err != nil || !dec.Equal(pub) {
			t.Fatalf("compression round trip: %v, %v", dec, err)
		}
	})
}

func FuzzEcrecover(f *testing.F) {
	key, _ := HexToECDSA(testKeyHex)
	msg := Keccak256([]byte("foo"))
	sig, _ := Sign(msg, key)
	f.Add(msg, sig)
	high := bytes.Clone(sig)
	new(big.Int).Sub(testN, new(big.Int).SetBytes(sig[32:64])).FillBytes(high[32:64])
	high[64] ^= 1
	f.Add(msg, high)
	f.Add(msg, append(bytes.Clone(sig[:64]), 2))
	f.Add(msg, append(bytes.Clone(sig[:64]), 4))
	f.Add(msg, make([]byte, 65))
	f.Add(msg, bytes.Repeat([]byte{0xff}, 65))
	f.Add(msg[:31], sig)
	f.Add([]byte{}, []byte{})
	f.Fuzz(func(t *testing.T, hash, sig []byte) {
		pub, err := Ecrecover(hash, sig)
		if err != nil {
			if pub != nil {
				t.Fatal("non-nil key with error")
			}
			return
		}
		if len(pub) != 65 || pub[0] != 4 {
			t.Fatalf("bad key %x", pub)
		}
		pk, err := UnmarshalPubkey(pub)
		if err != nil {
			t.Fatalf("recovered key does not parse: %v", err)
		}
		sp, err := SigToPub(hash, sig)
		if err != nil || !sp.Equal(pk) {
			t.Fatalf("SigToPub = %v, %v; want %v", sp, err, pk)
		}
		// A recovered key verifies its signature unless S is high.
		lowS := new(big.Int).SetBytes(sig[32:64]).Cmp(new(big.Int).Rsh(testN, 1)) <= 0
		if VerifySignature(pub, hash, sig[:64]) != lowS {
			t.Fatalf("VerifySignature = %v with low S %v", !lowS, lowS)
		}
	})
}

func FuzzDecompressPubkey(f *testing.F) {
	key, _ := HexToECDSA(testKeyHex)
	f.Add(CompressPubkey(&key.PublicKey))
	f.Add(append([]byte{0x03}, bytes32(testGx)...))
	f.Add(append([]byte{0x02}, bytes32(testP)...))
	f.Add([]byte{0x02})
	f.Fuzz(func(t *testing.T, in []byte) {
		pub, err := DecompressPubkey(in)
		if err != nil {
			return
		}
		if !S256().IsOnCurve(pub.X, pub.Y) {
			t.Fatalf("accepted off-curve point %x", in)
		}
		if out := CompressPubkey(pub); !bytes.Equal(out, in) {
			t.Fatalf("CompressPubkey = %x, want %x", out, in)
		}
	})
}
