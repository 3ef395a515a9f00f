package crypto

import (
	"testing"
)

func BenchmarkGenerateKey(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := GenerateKey(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSign(b *testing.B) {
	key, _ := GenerateKey()
	msg := Keccak256([]byte("foo"))
	b.ReportAllocs()
	for b.Loop() {
		Sign(msg, key)
	}
}

func BenchmarkEcrecover(b *testing.B) {
	key, _ := GenerateKey()
	msg := Keccak256([]byte("foo"))
	sig, _ := Sign(msg, key)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Ecrecover(msg, sig); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRecoverRaw(b *testing.B) {
	key, _ := GenerateKey()
	msg := Keccak256([]byte("foo"))
	sig, _ := Sign(msg, key)
	b.ReportAllocs()
	for b.Loop() {
		RecoverRaw(msg, sig)
	}
}

func BenchmarkVerifySignature(b *testing.B) {
	key, _ := GenerateKey()
	msg := Keccak256([]byte("foo"))
	sig, _ := Sign(msg, key)
	pub := FromECDSAPub(&key.PublicKey)
	b.ReportAllocs()
	for b.Loop() {
		if !VerifySignature(pub, msg, sig[:64]) {
			b.Fatal("invalid")
		}
	}
}

func BenchmarkECDH(b *testing.B) {
	k1, _ := GenerateKey()
	k2, _ := GenerateKey()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ECDH(k1, &k2.PublicKey); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkECDHRaw(b *testing.B) {
	k1, _ := GenerateKey()
	k2, _ := GenerateKey()
	pub := FromECDSAPub(&k2.PublicKey)[1:]
	b.ReportAllocs()
	for b.Loop() {
		ECDHRaw(k1, pub)
	}
}

func BenchmarkUnmarshalPubkey(b *testing.B) {
	k, _ := GenerateKey()
	pub := FromECDSAPub(&k.PublicKey)
	b.ReportAllocs()
	for b.Loop() {
		UnmarshalPubkey(pub)
	}
}

func BenchmarkKeccak256(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"32B", 32}, {"64KiB", 64 << 10}} {
		data := make([]byte, size.n)
		b.Run(size.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(size.n))
			for b.Loop() {
				Keccak256(data)
			}
		})
	}
}

func BenchmarkHashData32B(b *testing.B) {
	kh := NewKeccakState()
	data := make([]byte, 32)
	b.ReportAllocs()
	b.SetBytes(32)
	for b.Loop() {
		HashData(kh, data)
	}
}
