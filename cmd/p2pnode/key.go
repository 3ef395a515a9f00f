package main

import (
	"crypto/ecdsa"
	"fmt"

	"github.com/seednet/p2p/crypto"
)

// ecdsaKey is the node key: loaded from a file, or fresh.
type ecdsaKey struct{ k *ecdsa.PrivateKey }

func (k *ecdsaKey) load(file string) error {
	var err error
	if file == "" {
		k.k, err = crypto.GenerateKey()
		return err
	}
	if k.k, err = crypto.LoadECDSA(file); err != nil {
		return fmt.Errorf("-key: %w", err)
	}
	return nil
}
