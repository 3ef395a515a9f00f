package nat_test

import (
	"fmt"

	"github.com/seednet/p2p/nat"
)

// Parse reads the strings of go-ethereum's -nat flag. "extip" states the
// external address; the others find a gateway when first used.
func ExampleParse() {
	for _, spec := range []string{"extip:203.0.113.7", "upnp", "pmp:192.168.1.1", "none", "magic"} {
		n, err := nat.Parse(spec)
		switch {
		case err != nil:
			fmt.Println(spec, "->", err)
		case n == nil:
			fmt.Println(spec, "-> no NAT handling")
		default:
			fmt.Println(spec, "->", n)
		}
	}
	ip, _ := nat.ExtIP{203, 0, 113, 7}.ExternalIP()
	fmt.Println("external address:", ip)
	// Output:
	// extip:203.0.113.7 -> extip:203.0.113.7
	// upnp -> UPnP
	// pmp:192.168.1.1 -> NAT-PMP
	// none -> no NAT handling
	// magic -> nat: unknown method "magic" (want any, none, upnp, pmp[:gateway], stun[:host:port] or extip:IP)
	// external address: 203.0.113.7
}
