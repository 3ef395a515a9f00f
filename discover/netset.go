package discover

import (
	"errors"
	"net/netip"

	"github.com/seednet/p2p/netutil"
)

// Address checks and the per-subnet counters behind the table's IP limits.

var (
	errSpecialIP = errors.New("special-purpose address")
	errLANRelay  = errors.New("LAN address relayed by a non-LAN host")
	errLoopRelay = errors.New("loopback address relayed by a non-loopback host")
	errLowPort   = errors.New("UDP port below 1025")
)

// checkRelayIP reports whether a node at ip may be accepted when sender
// tells us about it (in a Neighbors packet or a record): unspecified and
// multicast addresses never, loopback addresses only from loopback senders,
// LAN addresses (netutil.AddrIsLAN) only from LAN senders.
//
// It is netutil.CheckRelayAddr without that function's rejection of the
// other special-purpose ranges (documentation and benchmarking networks,
// 0.0.0.0/8, 6to4, Teredo and so on), which go-ethereum applies.
func checkRelayIP(sender, ip netip.Addr) error {
	sender, ip = sender.Unmap(), ip.Unmap()
	switch {
	case !ip.IsValid() || ip.IsUnspecified() || ip.IsMulticast():
		return errSpecialIP
	case ip.IsLoopback() && !sender.IsLoopback():
		return errLoopRelay
	case netutil.AddrIsLAN(ip) && !netutil.AddrIsLAN(sender):
		return errLANRelay
	}
	return nil
}

// Subnet sizes for the IP limits: a /24 for IPv4, a /48 for IPv6.
const (
	subnetBits4 = 24
	subnetBits6 = 48
)

// ipLimit counts addresses against an IP limit: at most limit addresses per
// IPv4 /24 and per IPv6 /48. LAN addresses (netutil.AddrIsLAN) are not
// counted. It is not safe for concurrent use; the table guards it.
type ipLimit struct {
	v4, v6 netutil.DistinctNetSet
}

func newIPLimit(limit uint) ipLimit {
	return ipLimit{
		v4: netutil.DistinctNetSet{Subnet: subnetBits4, Limit: limit},
		v6: netutil.DistinctNetSet{Subnet: subnetBits6, Limit: limit},
	}
}

// set returns the counter for ip's family, or nil for a LAN address.
func (l *ipLimit) set(ip netip.Addr) *netutil.DistinctNetSet {
	ip = ip.Unmap()
	switch {
	case netutil.AddrIsLAN(ip):
		return nil
	case ip.Is4():
		return &l.v4
	default:
		return &l.v6
	}
}

// add counts ip if its subnet has room and reports whether it did (always
// true for LAN addresses; never for the invalid address).
func (l *ipLimit) add(ip netip.Addr) bool {
	s := l.set(ip)
	return s == nil || s.AddAddr(ip)
}

// remove uncounts ip, which add counted.
func (l *ipLimit) remove(ip netip.Addr) {
	if s := l.set(ip); s != nil {
		s.RemoveAddr(ip)
	}
}
