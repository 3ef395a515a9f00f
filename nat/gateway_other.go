//go:build !linux

package nat

import (
	"fmt"
	"net/netip"
)

// defaultGateway is known only on Linux; elsewhere give the gateway
// (pmp:192.168.0.1).
func defaultGateway() (netip.Addr, error) {
	return netip.Addr{}, fmt.Errorf("%w: the default gateway is found on Linux only; give it as pmp:IP", ErrNoGateway)
}
