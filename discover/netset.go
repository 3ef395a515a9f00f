package discover

import (
	"errors"
	"net/netip"
)

// Address checks and the per-subnet counters behind the table's IP limits.

var (
	errSpecialIP = errors.New("special-purpose address")
	errLANRelay  = errors.New("LAN address relayed by a non-LAN host")
	errLoopRelay = errors.New("loopback address relayed by a non-loopback host")
	errLowPort   = errors.New("UDP port below 1025")
)

// isLAN reports whether ip is a loopback, private (RFC 1918, RFC 4193) or
// link-local address. Such addresses are exempt from the table's IP limits.
func isLAN(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast()
}

// checkRelayIP reports whether a node at ip may be accepted when sender
// tells us about it (in a Neighbors packet or a record): unspecified and
// multicast addresses never, loopback addresses only from loopback senders,
// LAN addresses only from LAN senders.
func checkRelayIP(sender, ip netip.Addr) error {
	sender, ip = sender.Unmap(), ip.Unmap()
	switch {
	case !ip.IsValid() || ip.IsUnspecified() || ip.IsMulticast():
		return errSpecialIP
	case ip.IsLoopback() && !sender.IsLoopback():
		return errLoopRelay
	case isLAN(ip) && !isLAN(sender):
		return errLANRelay
	}
	return nil
}

// Subnet sizes for the IP limits: a /24 for IPv4, a /48 for IPv6.
const (
	subnetBits4 = 24
	subnetBits6 = 48
)

// subnetOf returns the subnet of ip that the IP limits count.
func subnetOf(ip netip.Addr) netip.Prefix {
	ip = ip.Unmap()
	bits := subnetBits6
	if ip.Is4() {
		bits = subnetBits4
	}
	p, err := ip.Prefix(bits)
	if err != nil {
		return netip.Prefix{}
	}
	return p
}

// netCounter counts addresses per subnet and refuses more than limit in one
// subnet. LAN addresses are not counted. The zero value is not usable:
// limit must be set. It is not safe for concurrent use; the table guards it.
type netCounter struct {
	limit  int
	counts map[netip.Prefix]int
}

// add counts ip if its subnet has room and reports whether it did (always
// true for LAN addresses).
func (c *netCounter) add(ip netip.Addr) bool {
	if isLAN(ip) {
		return true
	}
	p := subnetOf(ip)
	if c.counts[p] >= c.limit {
		return false
	}
	if c.counts == nil {
		c.counts = make(map[netip.Prefix]int)
	}
	c.counts[p]++
	return true
}

// remove uncounts ip, which add counted.
func (c *netCounter) remove(ip netip.Addr) {
	if isLAN(ip) {
		return
	}
	p := subnetOf(ip)
	if n := c.counts[p]; n > 1 {
		c.counts[p] = n - 1
	} else {
		delete(c.counts, p)
	}
}
