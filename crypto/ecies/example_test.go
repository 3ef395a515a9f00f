package ecies_test

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/crypto/ecies"
)

func ExampleEncrypt() {
	recipient, err := crypto.GenerateKey()
	if err != nil {
		panic(err)
	}
	msg := []byte("hello, node")
	ct, err := ecies.Encrypt(rand.Reader, &recipient.PublicKey, msg, nil, nil)
	if err != nil {
		panic(err)
	}
	fmt.Println(len(ct) == len(msg)+ecies.Overhead)

	pt, err := ecies.Decrypt(recipient, ct, nil, nil)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s\n", pt)
	// Output:
	// true
	// hello, node
}

// An EIP-8 handshake message is sent as a 2-byte big-endian size followed by
// the ciphertext, and the size prefix is authenticated as the shared MAC
// data s2.
func ExampleDecrypt_eip8() {
	recipient, _ := crypto.GenerateKey()
	body := []byte("auth body: an RLP list and padding")

	prefix := make([]byte, 2)
	binary.BigEndian.PutUint16(prefix, uint16(len(body)+ecies.Overhead))
	ct, err := ecies.Encrypt(rand.Reader, &recipient.PublicKey, body, nil, prefix)
	if err != nil {
		panic(err)
	}
	packet := append(prefix, ct...)

	// The receiver reads the prefix, then the ciphertext.
	size := binary.BigEndian.Uint16(packet[:2])
	pt, err := ecies.Decrypt(recipient, packet[2:2+size], nil, packet[:2])
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s\n", pt)
	// Output: auth body: an RLP list and padding
}
