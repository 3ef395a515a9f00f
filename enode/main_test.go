package enode

import (
	"crypto/ecdsa"
	"testing"

	"github.com/seednet/p2p/crypto"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The example record of EIP-778, its key and its node ID.
const (
	specText = "enr:-IS4QHCYrYZbAKWCBRlAy5zzaDZXJBGkcnh4MHcBFZntXNFrdvJjX04jRzjzCBOonrkTfj499SZuOh8R33Ls8RRcy5wBgmlkgnY0gmlwhH8AAAGJc2VjcDI1NmsxoQPKY0yuDUmstAHYpMa2_oxVtw0RW_QAdpzBQA8yWM0xOIN1ZHCCdl8"
	specKey  = "b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291"
	specID   = "a448f24c6d18e575453db13171562b71999873db5b286df957af199ec94617f7"
)

// testKey returns a deterministic key for index i.
func testKey(t testing.TB, i byte) *ecdsa.PrivateKey {
	t.Helper()
	d := make([]byte, 32)
	d[0], d[31] = 0x40, i+1
	k, err := crypto.ToECDSA(d)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
