package secp

import (
	mrand "math/rand/v2"
	"testing"
)

func BenchmarkDecred(b *testing.B) { benchmarkBackend(b, Decred{}) }

func benchmarkBackend(b *testing.B, be Backend) {
	rng := mrand.New(mrand.NewPCG(4, 4))
	seckey, hash := randomSeckey(rng), randomHash(rng)
	pub, _ := be.PublicKey(seckey)
	sig, _ := be.Sign(hash, seckey)
	b.Run("PublicKey", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			be.PublicKey(seckey)
		}
	})
	b.Run("Sign", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			be.Sign(hash, seckey)
		}
	})
	b.Run("Recover", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			be.Recover(hash, &sig)
		}
	})
	b.Run("Verify", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			be.Verify(&pub, hash, (*[64]byte)(sig[:64]))
		}
	})
	b.Run("ECDH", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			be.ECDH(seckey, &pub)
		}
	})
}
