package p2ptest

import (
	"fmt"

	"github.com/seednet/p2p"
)

// describeReason names a reason with its wire code: "breach of protocol
// (0x02)".
func describeReason(r p2p.DiscReason) string {
	return fmt.Sprintf("%v (0x%02x)", r, uint8(r))
}
