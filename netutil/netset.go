package netutil

import (
	"cmp"
	"fmt"
	"maps"
	"net"
	"net/netip"
	"slices"
	"strings"
)

// DistinctNetSet counts IP addresses per subnet and refuses more than Limit
// addresses in one subnet, a defence against one operator filling a table
// with nodes. A subnet is the first Subnet bits of an address (24 gives a
// /24 for IPv4 and a /24 for IPv6); addresses shorter than Subnet bits are
// counted one by one. IPv4-mapped IPv6 addresses are unmapped first.
//
// The zero value counts with Limit 0, which refuses everything: set Subnet
// and Limit before use. A DistinctNetSet is not safe for concurrent use.
type DistinctNetSet struct {
	Subnet uint // number of leading bits that make a subnet
	Limit  uint // maximum number of addresses in one subnet

	members map[netip.Prefix]uint
	n       uint
}

// Add counts ip if its subnet holds fewer than Limit addresses and reports
// whether it did; see AddAddr.
func (s *DistinctNetSet) Add(ip net.IP) bool {
	return s.AddAddr(IPToAddr(ip))
}

// AddAddr counts ip if its subnet holds fewer than Limit addresses and
// reports whether it did. Invalid addresses are refused. The set counts
// addresses, not distinct ones: adding an address twice counts it twice.
func (s *DistinctNetSet) AddAddr(ip netip.Addr) bool {
	key, ok := s.key(ip)
	if !ok || s.members[key] >= s.Limit {
		return false
	}
	if s.members == nil {
		s.members = make(map[netip.Prefix]uint)
	}
	s.members[key]++
	s.n++
	return true
}

// Remove uncounts ip; see RemoveAddr.
func (s *DistinctNetSet) Remove(ip net.IP) {
	s.RemoveAddr(IPToAddr(ip))
}

// RemoveAddr uncounts one address of ip's subnet, if the subnet has any. The
// set does not remember the addresses themselves: callers remove only what
// they added.
func (s *DistinctNetSet) RemoveAddr(ip netip.Addr) {
	key, ok := s.key(ip)
	if !ok {
		return
	}
	switch n := s.members[key]; n {
	case 0:
		return
	case 1:
		delete(s.members, key)
	default:
		s.members[key] = n - 1
	}
	s.n--
}

// Contains reports whether the set counts an address in ip's subnet; see
// ContainsAddr.
func (s DistinctNetSet) Contains(ip net.IP) bool {
	return s.ContainsAddr(IPToAddr(ip))
}

// ContainsAddr reports whether the set counts an address in ip's subnet
// (not necessarily ip itself).
func (s DistinctNetSet) ContainsAddr(ip netip.Addr) bool {
	key, ok := s.key(ip)
	return ok && s.members[key] > 0
}

// Len returns the number of addresses counted.
func (s DistinctNetSet) Len() int {
	return int(s.n)
}

// String lists the subnets with their counts, in address order, such as
// "{10.0.0.0/24×2 10.0.1.0/24×1}".
func (s DistinctNetSet) String() string {
	keys := slices.SortedFunc(maps.Keys(s.members), func(a, b netip.Prefix) int {
		return cmp.Or(a.Addr().Compare(b.Addr()), cmp.Compare(a.Bits(), b.Bits()))
	})
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%v×%d", k, s.members[k])
	}
	b.WriteByte('}')
	return b.String()
}

// key returns the subnet of ip that the set counts.
func (s *DistinctNetSet) key(ip netip.Addr) (netip.Prefix, bool) {
	ip = ip.Unmap()
	if !ip.IsValid() {
		return netip.Prefix{}, false
	}
	p, err := ip.Prefix(int(min(s.Subnet, uint(ip.BitLen()))))
	return p, err == nil
}
