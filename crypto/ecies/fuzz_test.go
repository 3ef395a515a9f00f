package ecies

import (
	"bytes"
	"testing"
)

// fuzzKey is the recipient key of the fuzz targets: static key B of the
// EIP-8 vectors, so that those messages are seeds that decrypt.
const fuzzKey = "b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291"

func FuzzDecrypt(f *testing.F) {
	key := mustKey(f, fuzzKey)
	v := loadEIP8(f)
	auth1 := mustHex(f, v.Messages["Auth1"])
	f.Add(auth1, []byte(nil))
	for _, name := range []string{"Auth2", "Auth3"} {
		msg := mustHex(f, v.Messages[name])
		f.Add(msg[2:], msg[:2])
	}
	ct, _ := Encrypt(detRand(4), &key.PublicKey, []byte("seed message"), nil, []byte("s2"))
	f.Add(ct, []byte("s2"))
	f.Add(ct[:Overhead], []byte("s2"))
	f.Add(ct[:Overhead-1], []byte(nil))
	f.Add([]byte{}, []byte(nil))
	f.Fuzz(func(t *testing.T, c, s2 []byte) {
		m, err := Decrypt(key, c, nil, s2)
		if err != nil {
			if m != nil {
				t.Fatal("plaintext with error")
			}
			return
		}
		if len(m) != len(c)-Overhead {
			t.Fatalf("plaintext length %d for ciphertext length %d", len(m), len(c))
		}
	})
}

func FuzzEncryptDecrypt(f *testing.F) {
	key := mustKey(f, fuzzKey)
	f.Add([]byte("message"), []byte(nil), []byte(nil), uint64(0))
	f.Add([]byte{}, []byte("s1"), []byte{0x01, 0xb3}, uint64(1))
	f.Fuzz(func(t *testing.T, m, s1, s2 []byte, seed uint64) {
		ct, err := Encrypt(detRand(seed), &key.PublicKey, m, s1, s2)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decrypt(key, ct, s1, s2)
		if err != nil || !bytes.Equal(got, m) {
			t.Fatalf("Decrypt = %x, %v; want %x", got, err, m)
		}
		if _, err := Decrypt(key, ct, s1, append(bytes.Clone(s2), 0)); err == nil {
			t.Fatal("Decrypt with other s2 succeeded")
		}
	})
}
