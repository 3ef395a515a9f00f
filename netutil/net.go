package netutil

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// Netlist is a list of IP networks, such as the NetRestrict whitelist of
// p2p.Server and discover.Config.
//
// The nil *Netlist and the empty list contain no address. Code that treats
// an absent whitelist as "no restriction" calls Permits, not ContainsAddr.
type Netlist []netip.Prefix

// ParseNetlist parses a comma-separated list of CIDR masks such as
// "10.0.0.0/8, 192.168.0.0/16". Spaces around the masks and empty entries
// are ignored, so the empty string gives an empty list. Masks are stored in
// canonical form (host bits cleared). A bad mask gives an error naming it.
func ParseNetlist(s string) (*Netlist, error) {
	l := make(Netlist, 0)
	for mask := range strings.SplitSeq(s, ",") {
		mask = strings.TrimSpace(mask)
		if mask == "" {
			continue
		}
		p, err := parseMask(mask)
		if err != nil {
			return nil, err
		}
		l = append(l, p)
	}
	return &l, nil
}

func parseMask(mask string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(mask)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("netutil: invalid CIDR mask %q in netlist: %w", mask, err)
	}
	return p.Masked(), nil
}

// Add parses a CIDR mask and appends it to the list. It panics if the mask
// is invalid: it is meant for lists written into the program, as in
// go-ethereum. Parse masks from users with ParseNetlist.
func (l *Netlist) Add(cidr string) {
	p, err := parseMask(cidr)
	if err != nil {
		panic(err)
	}
	*l = append(*l, p)
}

// Contains reports whether ip is in one of the networks of the list. A nil
// list contains nothing.
func (l *Netlist) Contains(ip net.IP) bool {
	return l.ContainsAddr(IPToAddr(ip))
}

// ContainsAddr reports whether ip is in one of the networks of the list. A
// nil list contains nothing. An IPv4 address and its IPv4-mapped IPv6 form
// are the same address: ::ffff:10.0.0.1 is in 10.0.0.0/8, and 10.0.0.1 is in
// ::ffff:10.0.0.0/104.
func (l *Netlist) ContainsAddr(ip netip.Addr) bool {
	if l == nil || !ip.IsValid() {
		return false
	}
	ip = ip.Unmap()
	mapped := ip
	if ip.Is4() {
		mapped = netip.AddrFrom16(ip.As16())
	}
	for _, p := range *l {
		if p.Contains(ip) || p.Contains(mapped) {
			return true
		}
	}
	return false
}

// Permits reports whether a whitelist l lets ip through: always when l is
// nil or empty (no restriction), otherwise when l contains ip. This is the
// NetRestrict check of both p2p.Server and discovery.
func (l *Netlist) Permits(ip netip.Addr) bool {
	return l == nil || len(*l) == 0 || l.ContainsAddr(ip)
}

// String returns the masks separated by commas, in the form ParseNetlist
// reads.
func (l Netlist) String() string {
	var b strings.Builder
	for i, p := range l {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// MarshalTOML returns the masks as a list of strings; it implements the
// marshaler interface of github.com/naoina/toml, as go-ethereum's does.
func (l Netlist) MarshalTOML() any {
	list := make([]string, 0, len(l))
	for _, p := range l {
		list = append(list, p.String())
	}
	return list
}

// UnmarshalTOML appends the masks of a TOML list of strings to l; it
// implements the unmarshaler interface of github.com/naoina/toml, as
// go-ethereum's does.
func (l *Netlist) UnmarshalTOML(fn func(any) error) error {
	var masks []string
	if err := fn(&masks); err != nil {
		return err
	}
	for _, mask := range masks {
		p, err := parseMask(strings.TrimSpace(mask))
		if err != nil {
			return err
		}
		*l = append(*l, p)
	}
	return nil
}

// special4 and special6 are the special-purpose ranges of the IANA IPv4 and
// IPv6 Special-Purpose Address Registries (RFC 6890) that cannot hold a
// reachable node: the ranges go-ethereum rejects. Private, loopback and
// link-local ranges are not here: AddrIsLAN covers them.
var special4, special6 Netlist

func init() {
	for _, m := range []string{
		"0.0.0.0/8",          // "this network" (RFC 791)
		"192.0.0.0/29",       // IPv4 service continuity (RFC 7335)
		"192.0.0.9/32",       // port control protocol anycast (RFC 7723)
		"192.0.0.170/32",     // NAT64/DNS64 discovery (RFC 7050)
		"192.0.0.171/32",     // NAT64/DNS64 discovery (RFC 7050)
		"192.0.2.0/24",       // documentation, TEST-NET-1 (RFC 5737)
		"192.31.196.0/24",    // AS112-v4 (RFC 7535)
		"192.52.193.0/24",    // automatic multicast tunneling (RFC 7450)
		"192.88.99.0/24",     // 6to4 relay anycast (RFC 7526)
		"192.175.48.0/24",    // direct delegation AS112 (RFC 7534)
		"198.18.0.0/15",      // benchmarking (RFC 2544)
		"198.51.100.0/24",    // documentation, TEST-NET-2 (RFC 5737)
		"203.0.113.0/24",     // documentation, TEST-NET-3 (RFC 5737)
		"255.255.255.255/32", // limited broadcast (RFC 919)
	} {
		special4.Add(m)
	}
	for _, m := range []string{
		"100::/64",        // discard-only (RFC 6666)
		"2001::/32",       // TEREDO (RFC 4380)
		"2001:1::1/128",   // port control protocol anycast (RFC 7723)
		"2001:2::/48",     // benchmarking (RFC 5180)
		"2001:3::/32",     // AMT (RFC 7450)
		"2001:4:112::/48", // AS112-v6 (RFC 7535)
		"2001:5::/32",     // EID space for LISP (RFC 7954)
		"2001:10::/28",    // deprecated ORCHID (RFC 4843)
		"2001:20::/28",    // ORCHIDv2 (RFC 7343)
		"2001:db8::/32",   // documentation (RFC 3849)
		"2002::/16",       // 6to4 (RFC 3056)
	} {
		special6.Add(m)
	}
}

// IsLAN reports whether ip is a local network address; see AddrIsLAN.
func IsLAN(ip net.IP) bool {
	return AddrIsLAN(IPToAddr(ip))
}

// AddrIsLAN reports whether ip is a local network address: loopback
// (127.0.0.0/8, ::1), private (RFC 1918: 10.0.0.0/8, 172.16.0.0/12,
// 192.168.0.0/16; RFC 4193: fc00::/7) or link-local unicast (169.254.0.0/16,
// fe80::/10). This is go-ethereum's rule since it moved to net/netip; other
// special ranges, such as shared address space (100.64.0.0/10) and
// 0.0.0.0/8, are not LAN. IPv4-mapped IPv6 addresses are unmapped first.
func AddrIsLAN(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast()
}

// IsSpecialNetwork reports whether ip is in a special-use range; see
// AddrIsSpecialNetwork.
func IsSpecialNetwork(ip net.IP) bool {
	return AddrIsSpecialNetwork(IPToAddr(ip))
}

// AddrIsSpecialNetwork reports whether ip is a multicast address or lies in
// a special-purpose range that cannot hold a reachable node: documentation
// and benchmarking networks, broadcast, 0.0.0.0/8, transition mechanisms
// such as 6to4 and Teredo, and the others of the IANA special-purpose
// registries that go-ethereum lists. Loopback, private and link-local
// addresses are not special here (see AddrIsLAN). IPv4-mapped IPv6
// addresses are unmapped first.
func AddrIsSpecialNetwork(ip netip.Addr) bool {
	ip = ip.Unmap()
	switch {
	case ip.IsMulticast():
		return true
	case ip.Is4():
		return special4.ContainsAddr(ip)
	default:
		return special6.ContainsAddr(ip)
	}
}

var (
	errInvalid     = errors.New("invalid IP")
	errUnspecified = errors.New("zero address")
	errSpecial     = errors.New("special network")
	errLoopback    = errors.New("loopback address from non-loopback host")
	errLAN         = errors.New("LAN address from WAN host")
)

// CheckRelayIP reports whether addr, which sender told us about, is a valid
// connection target; see CheckRelayAddr.
func CheckRelayIP(sender, addr net.IP) error {
	return CheckRelayAddr(IPToAddr(sender), IPToAddr(addr))
}

// CheckRelayAddr reports whether addr, which sender told us about (in a
// discovery reply, say), is a valid connection target. It returns an error
// saying why not:
//   - invalid, unspecified and special-network addresses (see
//     AddrIsSpecialNetwork) are never valid;
//   - a loopback address is valid only from a loopback sender;
//   - a LAN address is valid only from a LAN sender;
//   - any other address is valid.
//
// IPv4-mapped IPv6 addresses are unmapped first.
func CheckRelayAddr(sender, addr netip.Addr) error {
	sender, addr = sender.Unmap(), addr.Unmap()
	switch {
	case !addr.IsValid():
		return errInvalid
	case addr.IsUnspecified():
		return errUnspecified
	case AddrIsSpecialNetwork(addr):
		return errSpecial
	case addr.IsLoopback() && !sender.IsLoopback():
		return errLoopback
	case AddrIsLAN(addr) && !AddrIsLAN(sender):
		return errLAN
	}
	return nil
}

// SameNet reports whether ip and other are of the same family and share
// their first bits bits. A bits beyond the address length compares the
// whole addresses.
func SameNet(bits uint, ip, other net.IP) bool {
	return AddrSameNet(bits, IPToAddr(ip), IPToAddr(other))
}

// AddrSameNet reports whether ip and other are of the same family and share
// their first bits bits. IPv4-mapped IPv6 addresses are unmapped first. A
// bits beyond the address length compares the whole addresses; invalid
// addresses are in no network.
func AddrSameNet(bits uint, ip, other netip.Addr) bool {
	ip, other = ip.Unmap(), other.Unmap()
	if !ip.IsValid() || ip.BitLen() != other.BitLen() {
		return false
	}
	p1, _ := ip.Prefix(int(min(bits, uint(ip.BitLen()))))
	p2, _ := other.Prefix(int(min(bits, uint(other.BitLen()))))
	return p1 == p2
}
