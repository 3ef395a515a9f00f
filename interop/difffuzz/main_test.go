package difffuzz

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that no target leaves a goroutine behind (none should
// start one: every reader works on an in-memory connection).
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
