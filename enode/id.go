package enode

import (
	"crypto/ecdsa"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/seednet/p2p/crypto"
)

// ID is a node identifier, the node's address in the discovery DHT. For the
// "v4" identity scheme it is the Keccak-256 hash of the node's 64-byte public
// key (PubkeyToIDV4).
type ID [32]byte

// ErrInvalidID is the error of ParseID and UnmarshalText for text that is not
// 64 hex digits (optionally prefixed with 0x).
var ErrInvalidID = errors.New("enode: invalid node ID")

// Bytes returns the ID as a byte slice.
func (id ID) Bytes() []byte { return id[:] }

// String returns the ID as 64 lower-case hex digits.
func (id ID) String() string { return hex.EncodeToString(id[:]) }

// TerminalString returns the first 8 bytes as hex, for logs.
func (id ID) TerminalString() string { return hex.EncodeToString(id[:8]) }

// GoString returns the ID as a call to HexID, for %#v.
func (id ID) GoString() string { return fmt.Sprintf("enode.HexID(%q)", id.String()) }

// IsZero reports whether id is all zeros.
func (id ID) IsZero() bool { return id == ID{} }

// MarshalText implements encoding.TextMarshaler: 64 hex digits.
func (id ID) MarshalText() ([]byte, error) {
	return hex.AppendEncode(nil, id[:]), nil
}

// UnmarshalText implements encoding.TextUnmarshaler; it accepts what ParseID
// accepts.
func (id *ID) UnmarshalText(text []byte) error {
	v, err := ParseID(string(text))
	if err != nil {
		return err
	}
	*id = v
	return nil
}

// ParseID parses 64 hex digits, optionally prefixed with 0x.
func ParseID(s string) (ID, error) {
	var id ID
	h := strings.TrimPrefix(s, "0x")
	if len(h) != 2*len(id) {
		return ID{}, fmt.Errorf("%w: need %d hex digits, got %d", ErrInvalidID, 2*len(id), len(h))
	}
	if _, err := hex.Decode(id[:], []byte(h)); err != nil {
		return ID{}, fmt.Errorf("%w: %w", ErrInvalidID, err)
	}
	return id, nil
}

// HexID is ParseID for constants in code and tests: it panics if s is not a
// valid ID. Use ParseID for input.
func HexID(s string) ID {
	id, err := ParseID(s)
	if err != nil {
		panic(err)
	}
	return id
}

// PubkeyToIDV4 returns the "v4" node ID of a public key: the Keccak-256 hash
// of its 64-byte X || Y form.
func PubkeyToIDV4(pub *ecdsa.PublicKey) ID {
	var raw [64]byte
	pub.X.FillBytes(raw[:32])
	pub.Y.FillBytes(raw[32:])
	return ID(crypto.Keccak256Hash(raw[:]))
}
