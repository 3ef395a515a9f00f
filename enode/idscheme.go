package enode

import (
	"crypto/ecdsa"
	"fmt"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/enr"
)

// ValidSchemes are the identity schemes accepted on the network: only "v4".
var ValidSchemes = enr.SchemeMap{
	"v4": V4ID{},
}

// ValidSchemesForTesting adds the "null" scheme (NullID), whose records need
// no key, to ValidSchemes. Never use it for records from the network.
var ValidSchemesForTesting = enr.SchemeMap{
	"v4":   V4ID{},
	"null": NullID{},
}

// Secp256k1 is the "secp256k1" record entry, also known as enr.Secp256k1.
type Secp256k1 = enr.Secp256k1

// V4ID is the "v4" identity scheme of EIP-778: a record is signed with
// secp256k1 ECDSA over the Keccak-256 hash of its content [seq, k, v, ...],
// the signature being the 64 bytes R || S; the "secp256k1" entry holds the
// compressed public key; the node ID is the Keccak-256 hash of the
// uncompressed 64-byte public key.
type V4ID struct{}

// SignV4 sets the "id" and "secp256k1" entries of r for key and signs it.
// It fails, leaving r unchanged, if the signed record would be larger than
// enr.SizeLimit (enr.ErrTooBig).
func SignV4(r *enr.Record, key *ecdsa.PrivateKey) error {
	cpy := *r
	cpy.Set(enr.V4)
	cpy.Set(Secp256k1(key.PublicKey))
	h := crypto.Keccak256Hash(cpy.AppendContent(make([]byte, 0, enr.SizeLimit)))
	sig, err := crypto.Sign(h[:], key)
	if err != nil {
		return err
	}
	if err := cpy.SetSig(V4ID{}, sig[:64]); err != nil {
		return err
	}
	*r = cpy
	return nil
}

// rawSecp256k1 loads the "secp256k1" entry without decompressing the key;
// VerifySignature takes the compressed form.
type rawSecp256k1 []byte

func (rawSecp256k1) ENRKey() string { return "secp256k1" }

// Verify implements enr.IdentityScheme.
func (V4ID) Verify(r *enr.Record, sig []byte) error {
	var key rawSecp256k1
	if err := r.Load(&key); err != nil {
		return err
	}
	if len(key) != 33 {
		return &enr.KeyError{Key: key.ENRKey(), Err: crypto.ErrInvalidPublicKey}
	}
	if len(sig) != 64 {
		return fmt.Errorf("%w: %d bytes, want 64", enr.ErrInvalidSig, len(sig))
	}
	h := crypto.Keccak256Hash(r.AppendContent(make([]byte, 0, enr.SizeLimit)))
	if !crypto.VerifySignature(key, h[:], sig) {
		return enr.ErrInvalidSig
	}
	return nil
}

// NodeAddr implements enr.IdentityScheme. It returns nil if the record has no
// valid "secp256k1" entry.
func (V4ID) NodeAddr(r *enr.Record) []byte {
	var key Secp256k1
	if r.Load(&key) != nil {
		return nil
	}
	id := PubkeyToIDV4((*ecdsa.PublicKey)(&key))
	return id[:]
}

// v4CompatID verifies the unsigned records that NewV4 builds for nodes known
// only by an enode URL: they carry a key but no "id" entry or signature.
type v4CompatID struct{ V4ID }

func (v4CompatID) Verify(r *enr.Record, sig []byte) error {
	var key Secp256k1
	return r.Load(&key)
}

// NullID is the "null" identity scheme, for tests only: records need no
// signature and carry their node ID in a "nulladdr" entry. See SignNull.
type NullID struct{}

// Verify implements enr.IdentityScheme; it accepts any record.
func (NullID) Verify(r *enr.Record, sig []byte) error { return nil }

// NodeAddr implements enr.IdentityScheme.
func (NullID) NodeAddr(r *enr.Record) []byte {
	var id ID
	if r.Load(enr.WithEntry("nulladdr", &id)) != nil {
		return nil
	}
	return id[:]
}

// SignNull makes a Node with the given ID from r using the "null" scheme, for
// tests that need many nodes without keys. Such nodes verify only against
// ValidSchemesForTesting. It panics if r is too large to sign.
func SignNull(r *enr.Record, id ID) *Node {
	r.Set(enr.ID("null"))
	r.Set(enr.WithEntry("nulladdr", id))
	if err := r.SetSig(NullID{}, []byte{}); err != nil {
		panic(err)
	}
	return newNodeWithID(r, id)
}
