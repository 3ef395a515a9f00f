package crypto

import (
	"crypto/ecdsa"
	"encoding/hex"
	"math/big"
	"strings"
	"testing"
)

func TestPubkeyToAddress(t *testing.T) {
	tests := []struct {
		name, key, addr string
	}{
		// The secret key 1: its public key is the generator G.
		{"key 1", "0000000000000000000000000000000000000000000000000000000000000001", "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf"},
		// The first account of the Hardhat and Anvil development chains.
		{"hardhat account 0", "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80", "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, err := HexToECDSA(tt.key)
			if err != nil {
				t.Fatal(err)
			}
			a := PubkeyToAddress(key.PublicKey)
			if a.Hex() != tt.addr || a.String() != tt.addr {
				t.Fatalf("address %s, want %s", a.Hex(), tt.addr)
			}
			if got, want := hex.EncodeToString(a.Bytes()), strings.ToLower(tt.addr[2:]); got != want {
				t.Fatalf("Bytes %s, want %s", got, want)
			}
		})
	}
	t.Run("key without coordinates", func(t *testing.T) {
		if a := PubkeyToAddress(ecdsa.PublicKey{}); a != (Address{}) {
			t.Fatalf("address %s, want zero", a)
		}
	})
}

// TestAddressHexEIP55 checks Hex against the examples of EIP-55.
func TestAddressHexEIP55(t *testing.T) {
	for _, want := range []string{
		// All caps.
		"0x52908400098527886E0F7030069857D2E4169EE7",
		"0x8617E340B3D01FA5F11F306F4090FD50E238070D",
		// All lower.
		"0xde709f2102306220921060314715629080e2fb77",
		"0x27b1fdb04752bbc536007a920d24acb045561c26",
		// Normal.
		"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
		"0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
		"0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
		"0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
	} {
		t.Run(want, func(t *testing.T) {
			b, err := hex.DecodeString(strings.ToLower(want[2:]))
			if err != nil {
				t.Fatal(err)
			}
			if got := Address(b).Hex(); got != want {
				t.Fatalf("Hex() = %s, want %s", got, want)
			}
		})
	}
}

func TestValidateSignatureValues(t *testing.T) {
	one := big.NewInt(1)
	n := new(big.Int).Set(secp256k1N)
	nMinus1 := new(big.Int).Sub(n, one)
	half := new(big.Int).Rsh(n, 1)
	halfPlus1 := new(big.Int).Add(half, one)
	tests := []struct {
		name      string
		v         byte
		r, s      *big.Int
		homestead bool
		want      bool
	}{
		{"minimal", 0, one, one, true, true},
		{"v 1", 1, one, one, true, true},
		{"v 2", 2, one, one, false, false},
		{"v 27", 27, one, one, false, false},
		{"r zero", 0, big.NewInt(0), one, false, false},
		{"s zero", 0, one, big.NewInt(0), false, false},
		{"r negative", 0, big.NewInt(-1), one, false, false},
		{"r N-1", 0, nMinus1, one, true, true},
		{"r N", 0, n, one, false, false},
		{"s N-1 frontier", 0, one, nMinus1, false, true},
		{"s N-1 homestead", 0, one, nMinus1, true, false},
		{"s N frontier", 0, one, n, false, false},
		{"s N/2 homestead", 0, one, half, true, true},
		{"s N/2+1 homestead", 0, one, halfPlus1, true, false},
		{"s N/2+1 frontier", 0, one, halfPlus1, false, true},
		{"nil r", 0, nil, one, false, false},
		{"nil s", 0, one, nil, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ValidateSignatureValues(tt.v, tt.r, tt.s, tt.homestead); got != tt.want {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestValidateSignatureValuesSign checks that Sign's signatures pass with
// homestead.
func TestValidateSignatureValuesSign(t *testing.T) {
	key, err := HexToECDSA("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 16 {
		sig, err := Sign(Keccak256([]byte{byte(i)}), key)
		if err != nil {
			t.Fatal(err)
		}
		r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:64])
		if !ValidateSignatureValues(sig[64], r, s, true) {
			t.Fatalf("signature %x rejected", sig)
		}
	}
}
