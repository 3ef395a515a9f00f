// Copyright the seednet/p2p authors. Licensed under the Apache License 2.0.

package netns

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
