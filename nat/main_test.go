package nat

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/seednet/p2p/internal/netns"
)

func TestMain(m *testing.M) {
	netns.RunChild(netns.Children{"map": childMap, "dial": childDial, "extip": childExtIP})
	goleak.VerifyTestMain(m)
}
