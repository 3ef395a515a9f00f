package ecies

import (
	"bytes"
	"crypto/ecdsa"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/seednet/p2p/crypto"
)

// eip8Vectors are the RLPx handshake test vectors of EIP-8, copied from the
// EIP into testdata.
type eip8Vectors struct {
	StaticKeyA    string            `json:"staticKeyA"`
	StaticKeyB    string            `json:"staticKeyB"`
	EphemeralKeyA string            `json:"ephemeralKeyA"`
	EphemeralKeyB string            `json:"ephemeralKeyB"`
	NonceA        string            `json:"nonceA"`
	NonceB        string            `json:"nonceB"`
	Messages      map[string]string `json:"messages"`
}

func loadEIP8(t testing.TB) *eip8Vectors {
	t.Helper()
	data, err := os.ReadFile("testdata/eip8_handshake.json")
	if err != nil {
		t.Fatal(err)
	}
	var v eip8Vectors
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	return &v
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil || len(b) == 0 {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func mustKey(t testing.TB, hexkey string) *ecdsa.PrivateKey {
	t.Helper()
	k, err := crypto.HexToECDSA(hexkey)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// splitEIP8 splits an EIP-8 packet into its size prefix, which is the ECIES
// shared MAC data s2, and the ciphertext.
func splitEIP8(t testing.TB, msg []byte) (prefix, ct []byte) {
	t.Helper()
	if size := binary.BigEndian.Uint16(msg); int(size) != len(msg)-2 {
		t.Fatalf("size prefix %d, want %d", size, len(msg)-2)
	}
	return msg[:2], msg[2:]
}

// TestDecryptEIP8 decrypts the handshake messages of EIP-8 and checks their
// contents: the nonces, the static key, and the signature, which must recover
// the initiator's ephemeral key from static-shared-secret ^ nonce.
func TestDecryptEIP8(t *testing.T) {
	v := loadEIP8(t)
	keyA, keyB := mustKey(t, v.StaticKeyA), mustKey(t, v.StaticKeyB)
	ephA, ephB := mustKey(t, v.EphemeralKeyA), mustKey(t, v.EphemeralKeyB)
	nonceA, nonceB := mustHex(t, v.NonceA), mustHex(t, v.NonceB)
	pubA := crypto.FromECDSAPub(&keyA.PublicKey)[1:]
	ephPubA := crypto.FromECDSAPub(&ephA.PublicKey)[1:]
	ephPubB := crypto.FromECDSAPub(&ephB.PublicKey)[1:]

	checkAuth := func(t *testing.T, sig, initiatorPub, nonce []byte) {
		t.Helper()
		if !bytes.Equal(initiatorPub, pubA) {
			t.Errorf("initiator key %x, want %x", initiatorPub, pubA)
		}
		if !bytes.Equal(nonce, nonceA) {
			t.Errorf("nonce %x, want %x", nonce, nonceA)
		}
		shared, err := crypto.ECDH(keyB, &keyA.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		for i := range shared {
			shared[i] ^= nonce[i]
		}
		rec, err := crypto.RecoverRaw(shared, sig)
		if err != nil || !bytes.Equal(rec[:], ephPubA) {
			t.Errorf("signature recovers %x, %v; want ephemeral key A %x", rec, err, ephPubA)
		}
	}
	checkAck := func(t *testing.T, ephPub, nonce []byte) {
		t.Helper()
		if !bytes.Equal(ephPub, ephPubB) {
			t.Errorf("ephemeral key %x, want %x", ephPub, ephPubB)
		}
		if !bytes.Equal(nonce, nonceB) {
			t.Errorf("nonce %x, want %x", nonce, nonceB)
		}
	}
	// checkEIP8 parses an EIP-8 body: an RLP list followed by padding.
	// The version is element 3 of an auth body and element 2 of an ack body.
	checkEIP8 := func(t *testing.T, plain []byte, wantItems, versionIndex int, wantVersion uint64, check func(items [][]byte)) {
		t.Helper()
		items, err := rlpList(plain)
		if err != nil {
			t.Fatalf("plaintext is not an RLP list: %v", err)
		}
		if len(items) != wantItems {
			t.Fatalf("%d list elements, want %d", len(items), wantItems)
		}
		if got := uintValue(items[versionIndex]); got != wantVersion {
			t.Errorf("version %d, want %d", got, wantVersion)
		}
		check(items)
	}

	tests := []struct {
		name  string
		key   *ecdsa.PrivateKey // the recipient
		eip8  bool
		check func(t *testing.T, plain []byte)
	}{
		{"Auth1", keyB, false, func(t *testing.T, plain []byte) {
			// sig (65) || keccak256(ephemeral key) (32) || key (64) || nonce (32) || 0x00
			if len(plain) != 194 || plain[193] != 0 {
				t.Fatalf("bad pre-EIP-8 auth body %x", plain)
			}
			if h := crypto.Keccak256(ephPubA); !bytes.Equal(plain[65:97], h) {
				t.Errorf("ephemeral key hash %x, want %x", plain[65:97], h)
			}
			checkAuth(t, plain[:65], plain[97:161], plain[161:193])
		}},
		{"Auth2", keyB, true, func(t *testing.T, plain []byte) {
			checkEIP8(t, plain, 4, 3, 4, func(items [][]byte) { checkAuth(t, items[0], items[1], items[2]) })
		}},
		{"Auth3", keyB, true, func(t *testing.T, plain []byte) {
			checkEIP8(t, plain, 4+3, 3, 56, func(items [][]byte) { checkAuth(t, items[0], items[1], items[2]) })
		}},
		{"Ack1", keyA, false, func(t *testing.T, plain []byte) {
			// ephemeral key (64) || nonce (32) || 0x00
			if len(plain) != 97 || plain[96] != 0 {
				t.Fatalf("bad pre-EIP-8 ack body %x", plain)
			}
			checkAck(t, plain[:64], plain[64:96])
		}},
		{"Ack2", keyA, true, func(t *testing.T, plain []byte) {
			checkEIP8(t, plain, 3, 2, 4, func(items [][]byte) { checkAck(t, items[0], items[1]) })
		}},
		{"Ack3", keyA, true, func(t *testing.T, plain []byte) {
			checkEIP8(t, plain, 3+3, 2, 57, func(items [][]byte) { checkAck(t, items[0], items[1]) })
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := mustHex(t, v.Messages[tt.name])
			var s2, ct []byte
			if tt.eip8 {
				s2, ct = splitEIP8(t, msg)
			} else {
				ct = msg
			}
			plain, err := Decrypt(tt.key, ct, nil, s2)
			if err != nil {
				t.Fatal(err)
			}
			if len(plain) != len(ct)-Overhead {
				t.Fatalf("plaintext length %d, want %d", len(plain), len(ct)-Overhead)
			}
			tt.check(t, plain)

			// Any other s2, s1 or key fails the MAC check.
			wrongS2 := []byte{0}
			if tt.eip8 {
				wrongS2 = nil
			}
			if _, err := Decrypt(tt.key, ct, nil, wrongS2); !errors.Is(err, ErrInvalidMAC) {
				t.Errorf("wrong s2: error %v, want ErrInvalidMAC", err)
			}
			if _, err := Decrypt(tt.key, ct, []byte{0}, s2); !errors.Is(err, ErrInvalidMAC) {
				t.Errorf("wrong s1: error %v, want ErrInvalidMAC", err)
			}
			other := keyA
			if tt.key == keyA {
				other = keyB
			}
			if _, err := Decrypt(other, ct, nil, s2); !errors.Is(err, ErrInvalidMAC) {
				t.Errorf("wrong key: error %v, want ErrInvalidMAC", err)
			}
		})
	}
}

// rlpList returns the payloads of the elements of the RLP list at the start
// of b; bytes after the list (EIP-8 padding) are ignored. Nested lists are
// returned with their payload only. It is just enough RLP for these tests.
func rlpList(b []byte) ([][]byte, error) {
	isList, content, _, err := rlpSplit(b)
	if err != nil {
		return nil, err
	}
	if !isList {
		return nil, errors.New("not a list")
	}
	var items [][]byte
	for len(content) > 0 {
		_, item, rest, err := rlpSplit(content)
		if err != nil {
			return nil, err
		}
		items = append(items, item)
		content = rest
	}
	return items, nil
}

func rlpSplit(b []byte) (isList bool, content, rest []byte, err error) {
	if len(b) == 0 {
		return false, nil, nil, errors.New("empty input")
	}
	p := b[0]
	var off, size int
	switch {
	case p < 0x80:
		return false, b[:1], b[1:], nil
	case p < 0xb8:
		off, size = 1, int(p-0x80)
	case p < 0xc0:
		off, size, err = longSize(b, int(p-0xb7))
	case p < 0xf8:
		isList, off, size = true, 1, int(p-0xc0)
	default:
		isList = true
		off, size, err = longSize(b, int(p-0xf7))
	}
	if err != nil {
		return false, nil, nil, err
	}
	if len(b)-off < size {
		return false, nil, nil, errors.New("value exceeds input")
	}
	return isList, b[off : off+size], b[off+size:], nil
}

func longSize(b []byte, n int) (off, size int, err error) {
	if len(b) < 1+n || n > 4 {
		return 0, 0, errors.New("bad size")
	}
	for _, c := range b[1 : 1+n] {
		size = size<<8 | int(c)
	}
	return 1 + n, size, nil
}

func uintValue(b []byte) uint64 {
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v
}
