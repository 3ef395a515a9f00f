package netutil

import (
	"net"
	"net/netip"
)

// IPToAddr converts ip to a netip.Addr. Unlike netip.AddrFromSlice, it gives
// an IPv4 address (not an IPv4-mapped IPv6 one) for an IPv4 address in the
// 16-byte form. A nil or malformed ip gives the invalid zero Addr.
func IPToAddr(ip net.IP) netip.Addr {
	if ip4 := ip.To4(); ip4 != nil {
		return netip.AddrFrom4([4]byte(ip4))
	}
	if len(ip) == net.IPv6len {
		return netip.AddrFrom16([16]byte(ip))
	}
	return netip.Addr{}
}

// AddrAddr returns the IP address of addr, which may be a *net.IPAddr,
// *net.TCPAddr or *net.UDPAddr; for other types it returns the invalid zero
// Addr.
func AddrAddr(addr net.Addr) netip.Addr {
	switch a := addr.(type) {
	case *net.IPAddr:
		return IPToAddr(a.IP)
	case *net.TCPAddr:
		return IPToAddr(a.IP)
	case *net.UDPAddr:
		return IPToAddr(a.IP)
	}
	return netip.Addr{}
}
