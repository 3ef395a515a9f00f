package enr

import (
	"crypto/ecdsa"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/rlp"
)

// The example record of EIP-778 and its key.
const (
	specText = "enr:-IS4QHCYrYZbAKWCBRlAy5zzaDZXJBGkcnh4MHcBFZntXNFrdvJjX04jRzjzCBOonrkTfj499SZuOh8R33Ls8RRcy5wBgmlkgnY0gmlwhH8AAAGJc2VjcDI1NmsxoQPKY0yuDUmstAHYpMa2_oxVtw0RW_QAdpzBQA8yWM0xOIN1ZHCCdl8"
	specKey  = "b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291"
	specSig  = "7098ad865b00a582051940cb9cf36836572411a47278783077011599ed5cd16b76f2635f4e234738f30813a89eb9137e3e3df5266e3a1f11df72ecf1145ccb9c"
)

func specBytes(t testing.TB) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(specText, "enr:"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func specPrivKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := crypto.HexToECDSA(specKey)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// testV4 is a copy of the "v4" scheme for this package's tests; the real one
// lives in package enode, which imports this one.
type testV4 struct{}

type rawKey []byte

func (rawKey) ENRKey() string { return "secp256k1" }

func (testV4) Verify(r *Record, sig []byte) error {
	var key rawKey
	if err := r.Load(&key); err != nil {
		return err
	}
	h := crypto.Keccak256(r.AppendContent(nil))
	if len(sig) != 64 || !crypto.VerifySignature(key, h, sig) {
		return ErrInvalidSig
	}
	return nil
}

func (testV4) NodeAddr(r *Record) []byte {
	var key Secp256k1
	if r.Load(&key) != nil {
		return nil
	}
	pub := ecdsa.PublicKey(key)
	return crypto.Keccak256(crypto.FromECDSAPub(&pub)[1:])
}

func signTest(r *Record, key *ecdsa.PrivateKey) error {
	r.Set(V4)
	r.Set(Secp256k1(key.PublicKey))
	sig, err := crypto.Sign(crypto.Keccak256(r.AppendContent(nil)), key)
	if err != nil {
		return err
	}
	return r.SetSig(testV4{}, sig[:64])
}

// acceptAll is a scheme that accepts any signature.
type acceptAll struct{}

func (acceptAll) Verify(*Record, []byte) error { return nil }
func (acceptAll) NodeAddr(*Record) []byte      { return nil }

// rebuild encodes the content of r anew, with r's signature, through Set and
// SetSig rather than the stored encoding.
func rebuild(t testing.TB, r *Record) []byte {
	t.Helper()
	var c Record
	elems := r.AppendElements(nil)
	c.SetSeq(elems[0].(uint64))
	for i := 1; i < len(elems); i += 2 {
		c.Set(WithEntry(elems[i].(string), elems[i+1].(rlp.RawValue)))
	}
	if err := c.SetSig(acceptAll{}, r.Signature()); err != nil {
		t.Fatalf("rebuild: %v", err)
	}
	enc, err := rlp.EncodeToBytes(&c)
	if err != nil {
		t.Fatalf("rebuild: %v", err)
	}
	return enc
}

// rawRecord builds the encoding of [sig, seq, kv...] by hand, without any of
// the checks of this package. Values are encoded with rlp unless RawValue.
func rawRecord(t testing.TB, sig []byte, seq uint64, kv ...any) []byte {
	t.Helper()
	list := append([]any{sig, seq}, kv...)
	b, err := rlp.EncodeToBytes(list)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
