package difffuzz

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that no target leaves a goroutine behind: none starts
// one but go-ethereum's in-memory node database (for its v5 codec), which
// keeps one for up to a second after Close.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/syndtr/goleveldb/leveldb.(*DB).mpoolDrain"))
}
