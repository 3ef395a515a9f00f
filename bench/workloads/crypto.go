package workloads

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rand"
	"fmt"

	gethcrypto "github.com/ethereum/go-ethereum/crypto"
	gethecies "github.com/ethereum/go-ethereum/crypto/ecies"

	"github.com/seednet/p2p/bench/harness"
	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/crypto/ecies"
)

// KeyPair is one secp256k1 key in both libraries' forms (each library
// wants its own curve value in the key).
type KeyPair struct {
	Ours *ecdsa.PrivateKey
	Geth *ecdsa.PrivateKey
}

// NewKeyPair generates a key and converts it for go-ethereum.
func NewKeyPair() (KeyPair, error) {
	k, err := crypto.GenerateKey()
	if err != nil {
		return KeyPair{}, err
	}
	g, err := gethcrypto.ToECDSA(crypto.FromECDSA(k))
	if err != nil {
		return KeyPair{}, err
	}
	return KeyPair{Ours: k, Geth: g}, nil
}

func mustKeyPair() KeyPair {
	k, err := NewKeyPair()
	if err != nil {
		panic(err)
	}
	return k
}

// eciesMsgLen is about the size of an EIP-8 auth body before encryption.
const eciesMsgLen = 300

// eciesPrefix stands for the EIP-8 size prefix that RLPx authenticates as
// ECIES shared MAC data.
var eciesPrefix = []byte{0x01, 0xbb}

// cryptoCases: the secp256k1 and ECIES operations of the RLPx handshake and
// of discovery, one call per operation.
func cryptoCases() []harness.Case {
	a, b := mustKeyPair(), mustKeyPair()
	hash := crypto.Keccak256([]byte("p2pbench"))
	sig, err := crypto.Sign(hash, a.Ours)
	if err != nil {
		panic(err)
	}
	gethA, gethB := gethecies.ImportECDSA(a.Geth), gethecies.ImportECDSA(b.Geth)
	msg := randomBytes(eciesMsgLen, 1)
	oursCT, err := ecies.Encrypt(rand.Reader, &b.Ours.PublicKey, msg, nil, eciesPrefix)
	if err != nil {
		panic(err)
	}
	gethCT, err := gethecies.Encrypt(rand.Reader, &gethB.PublicKey, msg, nil, eciesPrefix)
	if err != nil {
		panic(err)
	}

	op := func(f func() error) func(harness.Budget) (harness.Sample, error) {
		return func(bu harness.Budget) (harness.Sample, error) {
			return harness.Loop(bu, 0, func(n int) error {
				for range n {
					if err := f(); err != nil {
						return err
					}
				}
				return nil
			})
		}
	}
	errOf := func(_ any, err error) error { return err }

	return []harness.Case{
		{
			Name: "crypto/generatekey", Kind: harness.KindTime,
			Impls: []harness.Impl{
				{Name: "ours", Run: op(func() error { return errOf(crypto.GenerateKey()) })},
				{Name: harness.Baseline, Run: op(func() error { return errOf(gethcrypto.GenerateKey()) })},
			},
		},
		{
			Name: "crypto/sign", Kind: harness.KindTime,
			Impls: []harness.Impl{
				{Name: "ours", Run: op(func() error { return errOf(crypto.Sign(hash, a.Ours)) })},
				{Name: harness.Baseline, Run: op(func() error { return errOf(gethcrypto.Sign(hash, a.Geth)) })},
			},
			Check: func() error {
				g, err := gethcrypto.Sign(hash, a.Geth)
				if err != nil {
					return err
				}
				if !bytes.Equal(sig, g) {
					return fmt.Errorf("signatures differ: ours %x, geth %x", sig, g)
				}
				return nil
			},
		},
		{
			Name: "crypto/ecrecover", Kind: harness.KindTime,
			Impls: []harness.Impl{
				{Name: "ours", Run: op(func() error { return errOf(crypto.Ecrecover(hash, sig)) })},
				{Name: harness.Baseline, Run: op(func() error { return errOf(gethcrypto.Ecrecover(hash, sig)) })},
			},
			Check: func() error {
				want := crypto.FromECDSAPub(&a.Ours.PublicKey)
				o, err := crypto.Ecrecover(hash, sig)
				if err != nil {
					return err
				}
				g, err := gethcrypto.Ecrecover(hash, sig)
				if err != nil {
					return err
				}
				if !bytes.Equal(o, want) || !bytes.Equal(g, want) {
					return fmt.Errorf("recovered keys differ: ours %x, geth %x, want %x", o, g, want)
				}
				return nil
			},
		},
		{
			// geth's handshake computes ECDH through ecies.GenerateShared.
			Name: "crypto/ecdh", Kind: harness.KindTime,
			Impls: []harness.Impl{
				{Name: "ours", Run: op(func() error { return errOf(crypto.ECDH(a.Ours, &b.Ours.PublicKey)) })},
				{Name: harness.Baseline, Run: op(func() error { return errOf(gethA.GenerateShared(&gethB.PublicKey, 16, 16)) })},
			},
			Check: func() error {
				o, err := crypto.ECDH(a.Ours, &b.Ours.PublicKey)
				if err != nil {
					return err
				}
				g, err := gethA.GenerateShared(&gethB.PublicKey, 16, 16)
				if err != nil {
					return err
				}
				if !bytes.Equal(o, g) {
					return fmt.Errorf("shared secrets differ: ours %x, geth %x", o, g)
				}
				return nil
			},
		},
		{
			Name: "crypto/ecies-encrypt", Kind: harness.KindTime,
			Impls: []harness.Impl{
				{Name: "ours", Run: op(func() error {
					return errOf(ecies.Encrypt(rand.Reader, &b.Ours.PublicKey, msg, nil, eciesPrefix))
				})},
				{Name: harness.Baseline, Run: op(func() error {
					return errOf(gethecies.Encrypt(rand.Reader, &gethB.PublicKey, msg, nil, eciesPrefix))
				})},
			},
			Check: func() error { return checkECIES(b, gethB, msg, oursCT, gethCT) },
		},
		{
			Name: "crypto/ecies-decrypt", Kind: harness.KindTime,
			Impls: []harness.Impl{
				{Name: "ours", Run: op(func() error { return errOf(ecies.Decrypt(b.Ours, oursCT, nil, eciesPrefix)) })},
				{Name: harness.Baseline, Run: op(func() error { return errOf(gethB.Decrypt(gethCT, nil, eciesPrefix)) })},
			},
			Check: func() error { return checkECIES(b, gethB, msg, oursCT, gethCT) },
		},
	}
}

// checkECIES: each side decrypts the other's ciphertext to msg.
func checkECIES(b KeyPair, gethB *gethecies.PrivateKey, msg, oursCT, gethCT []byte) error {
	o, err := ecies.Decrypt(b.Ours, gethCT, nil, eciesPrefix)
	if err != nil {
		return fmt.Errorf("ours decrypting geth's: %w", err)
	}
	g, err := gethB.Decrypt(oursCT, nil, eciesPrefix)
	if err != nil {
		return fmt.Errorf("geth decrypting ours: %w", err)
	}
	if !bytes.Equal(o, msg) || !bytes.Equal(g, msg) {
		return fmt.Errorf("decrypted messages differ")
	}
	return nil
}
