package crypto_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/seednet/p2p/crypto"
)

func ExampleKeccak256() {
	fmt.Printf("%x\n", crypto.Keccak256([]byte("abc")))
	// Hashing several pieces hashes their concatenation.
	fmt.Printf("%x\n", crypto.Keccak256([]byte("a"), []byte("bc")))
	// Output:
	// 4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45
	// 4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45
}

func ExampleSign() {
	key, err := crypto.HexToECDSA("289c2857d4598e37fb9647507e47a309d6133539bf21a8b9cb6df88fd5232032")
	if err != nil {
		panic(err)
	}
	hash := crypto.Keccak256([]byte("hello"))
	sig, err := crypto.Sign(hash, key)
	if err != nil {
		panic(err)
	}

	// Anyone holding the hash and signature can recover the signer's key.
	pub, err := crypto.Ecrecover(hash, sig)
	if err != nil {
		panic(err)
	}
	fmt.Println("signature length:", len(sig))
	fmt.Println("recovered the signer:", bytes.Equal(pub, crypto.FromECDSAPub(&key.PublicKey)))
	// VerifySignature takes the signature without its recovery id.
	fmt.Println("valid:", crypto.VerifySignature(pub, hash, sig[:64]))
	// Output:
	// signature length: 65
	// recovered the signer: true
	// valid: true
}

func ExampleECDH() {
	alice, _ := crypto.GenerateKey()
	bob, _ := crypto.GenerateKey()

	s1, _ := crypto.ECDH(alice, &bob.PublicKey)
	s2, _ := crypto.ECDH(bob, &alice.PublicKey)
	fmt.Println(len(s1), bytes.Equal(s1, s2))
	// Output: 32 true
}

func ExampleGenerateKey() {
	key, err := crypto.GenerateKey()
	if err != nil {
		panic(err)
	}
	// A node ID in devp2p is the public key without its 0x04 prefix.
	id := crypto.FromECDSAPub(&key.PublicKey)[1:]
	fmt.Println(len(id))
	// Output: 64
}

func ExampleSaveECDSA() {
	dir, err := os.MkdirTemp("", "nodekey")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "nodekey")

	key, _ := crypto.GenerateKey()
	if err := crypto.SaveECDSA(file, key); err != nil {
		panic(err)
	}
	loaded, err := crypto.LoadECDSA(file)
	if err != nil {
		panic(err)
	}
	fmt.Println(loaded.Equal(key))
	// Output: true
}
