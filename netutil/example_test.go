package netutil_test

import (
	"fmt"
	"net/netip"

	"github.com/seednet/p2p/netutil"
)

// A NetRestrict list, as p2p.Server and discovery take it.
func ExampleParseNetlist() {
	list, err := netutil.ParseNetlist("10.0.0.0/8, 192.168.0.0/16")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, ip := range []string{"10.1.2.3", "192.168.7.7", "203.0.113.5"} {
		fmt.Println(ip, list.Permits(netip.MustParseAddr(ip)))
	}
	var none *netutil.Netlist // nil: no restriction
	fmt.Println("nil list permits 203.0.113.5:", none.Permits(netip.MustParseAddr("203.0.113.5")))
	_, err = netutil.ParseNetlist("10.0.0.0/33")
	fmt.Println(err != nil)
	// Output:
	// 10.1.2.3 true
	// 192.168.7.7 true
	// 203.0.113.5 false
	// nil list permits 203.0.113.5: true
	// true
}

// DistinctNetSet counts addresses per subnet, as discovery's table limits
// do.
func ExampleDistinctNetSet() {
	set := netutil.DistinctNetSet{Subnet: 24, Limit: 2}
	for _, ip := range []string{"198.51.100.1", "198.51.100.2", "198.51.100.3", "203.0.113.1"} {
		fmt.Println(ip, set.AddAddr(netip.MustParseAddr(ip)))
	}
	fmt.Println(set.Len())
	// Output:
	// 198.51.100.1 true
	// 198.51.100.2 true
	// 198.51.100.3 false
	// 203.0.113.1 true
	// 3
}
