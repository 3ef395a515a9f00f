package ecies

import (
	"crypto/rand"
	"testing"

	"github.com/seednet/p2p/crypto"
)

func BenchmarkEncrypt300(b *testing.B) {
	key, _ := crypto.GenerateKey()
	m := make([]byte, 300)
	b.ReportAllocs()
	b.SetBytes(int64(len(m)))
	for b.Loop() {
		if _, err := Encrypt(rand.Reader, &key.PublicKey, m, nil, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecrypt300(b *testing.B) {
	key, _ := crypto.GenerateKey()
	m := make([]byte, 300)
	ct, _ := Encrypt(rand.Reader, &key.PublicKey, m, nil, nil)
	b.ReportAllocs()
	b.SetBytes(int64(len(m)))
	for b.Loop() {
		if _, err := Decrypt(key, ct, nil, nil); err != nil {
			b.Fatal(err)
		}
	}
}
