package enode

import (
	"crypto/ecdsa"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/seednet/p2p/enr"
)

// Errors of New and of Node.ValidateComplete.
var (
	// ErrInvalidNodeAddr means the identity scheme gave no node address of
	// 32 bytes for a record that verified.
	ErrInvalidNodeAddr = errors.New("enode: record has no valid node address")
	ErrMissingIP       = errors.New("enode: missing IP address")
	ErrInvalidIP       = errors.New("enode: invalid IP address (unspecified or multicast)")
	ErrMissingUDP      = errors.New("enode: missing UDP port")
)

// Node is a node on the network: a verified record, or for nodes known only
// by an enode URL, an unsigned one (see NewV4), with the node ID and the
// preferred endpoint taken from it. A Node is immutable and safe to share
// between goroutines.
type Node struct {
	r  enr.Record
	id ID
	// The endpoint chosen from the record's entries (see New), or from the
	// addresses of hostname (see ResolveHostname).
	ip       netip.Addr // invalid if the record has no usable address
	udp, tcp uint16
	// hostname is the DNS name of an enode URL (see ParseV4), "" if none.
	hostname string
}

// New makes a Node from a record, which must verify with one of the given
// schemes (ValidSchemes for records from the network). The record is copied.
//
// If the record has both an IPv4 and an IPv6 address, the node's endpoint is
// the more global of the two (public over private over link-local over
// loopback), IPv4 when both are alike. Unspecified and multicast addresses
// are ignored. With IPv6 the ports are those of the tcp6 and udp6 entries,
// falling back to tcp and udp.
func New(validSchemes enr.IdentityScheme, r *enr.Record) (*Node, error) {
	if err := r.VerifySignature(validSchemes); err != nil {
		return nil, err
	}
	addr := validSchemes.NodeAddr(r)
	if len(addr) != len(ID{}) {
		return nil, fmt.Errorf("%w: %d bytes", ErrInvalidNodeAddr, len(addr))
	}
	return newNodeWithID(r, ID(addr)), nil
}

func newNodeWithID(r *enr.Record, id ID) *Node {
	n := &Node{r: *r, id: id}
	n.setEndpoint()
	return n
}

// setEndpoint chooses the node's endpoint from its record (see New).
func (n *Node) setEndpoint() {
	var a4 enr.IPv4Addr
	var a6 enr.IPv6Addr
	var ip4, ip6 netip.Addr
	if n.r.Load(&a4) == nil && usableIP(netip.Addr(a4)) {
		ip4 = netip.Addr(a4)
	}
	if n.r.Load(&a6) == nil && usableIP(netip.Addr(a6)) {
		ip6 = netip.Addr(a6)
		if ip6.Is4In6() {
			// An IPv4-mapped address in the ip6 entry counts as IPv4 if
			// the record has no ip entry.
			if !ip4.IsValid() {
				ip4 = ip6.Unmap()
			}
			ip6 = netip.Addr{}
		}
	}
	n.ip, n.tcp, n.udp = endpoint(&n.r, ip4, ip6)
}

// endpoint chooses between an IPv4 and an IPv6 address, either of which may
// be invalid, as New describes, and returns the chosen one with the ports of
// r that go with it.
func endpoint(r *enr.Record, ip4, ip6 netip.Addr) (ip netip.Addr, tcp, udp uint16) {
	tcp, udp = port[enr.TCP](r), port[enr.UDP](r)
	switch {
	case ip4.IsValid() && (!ip6.IsValid() || scope(ip4) >= scope(ip6)):
		return ip4, tcp, udp
	case ip6.IsValid():
		if p := port[enr.TCP6](r); p != 0 {
			tcp = p
		}
		if p := port[enr.UDP6](r); p != 0 {
			udp = p
		}
		return ip6, tcp, udp
	default:
		// No address: the ports are still reported, as go-ethereum does.
		return netip.Addr{}, tcp, udp
	}
}

// port returns the value of a port entry, 0 if it is missing or invalid.
func port[T ~uint16, P interface {
	*T
	enr.Entry
}](r *enr.Record) uint16 {
	var v T
	if r.Load(P(&v)) != nil {
		return 0
	}
	return uint16(v)
}

// usableIP reports whether ip can be a node's endpoint address.
func usableIP(ip netip.Addr) bool {
	return ip.IsValid() && !ip.IsUnspecified() && !ip.IsMulticast()
}

// scope ranks addresses by how widely they are reachable.
func scope(ip netip.Addr) int {
	switch {
	case ip.IsLoopback():
		return 0
	case ip.IsLinkLocalUnicast():
		return 1
	case ip.IsPrivate():
		return 2
	default:
		return 3
	}
}

// ID returns the node ID.
func (n *Node) ID() ID { return n.id }

// Seq returns the sequence number of the node's record.
func (n *Node) Seq() uint64 { return n.r.Seq() }

// Load reads an entry of the node's record; see enr.Record.Load.
func (n *Node) Load(e enr.Entry) error { return n.r.Load(e) }

// Record returns a copy of the node's record, which the caller may modify.
func (n *Node) Record() *enr.Record {
	cpy := n.r
	return &cpy
}

// Pubkey returns the node's secp256k1 public key, or nil if its record has
// none (nodes of other identity schemes).
func (n *Node) Pubkey() *ecdsa.PublicKey {
	var key Secp256k1
	if n.r.Load(&key) != nil {
		return nil
	}
	return (*ecdsa.PublicKey)(&key)
}

// IP returns the node's endpoint address (4 bytes for IPv4), or nil if the
// record has none.
func (n *Node) IP() net.IP {
	if !n.ip.IsValid() {
		return nil
	}
	return net.IP(n.ip.AsSlice())
}

// IPAddr returns the node's endpoint address; it is invalid (the zero
// netip.Addr) if the record has none.
func (n *Node) IPAddr() netip.Addr { return n.ip }

// TCP returns the TCP port of the endpoint, 0 if none.
func (n *Node) TCP() int { return int(n.tcp) }

// UDP returns the UDP port of the endpoint, 0 if none.
func (n *Node) UDP() int { return int(n.udp) }

// TCPEndpoint returns the TCP endpoint, for dialing; ok is false if the node
// has no address or TCP port.
func (n *Node) TCPEndpoint() (ep netip.AddrPort, ok bool) {
	if !n.ip.IsValid() || n.tcp == 0 {
		return netip.AddrPort{}, false
	}
	return netip.AddrPortFrom(n.ip, n.tcp), true
}

// UDPEndpoint returns the UDP endpoint, for discovery; ok is false if the
// node has no address or UDP port.
func (n *Node) UDPEndpoint() (ep netip.AddrPort, ok bool) {
	if !n.ip.IsValid() || n.udp == 0 {
		return netip.AddrPort{}, false
	}
	return netip.AddrPortFrom(n.ip, n.udp), true
}

// Hostname returns the DNS name the node was given by an enode URL (see
// ParseV4) or WithHostname, "" if none.
func (n *Node) Hostname() string { return n.hostname }

// WithHostname returns a copy of n with the given DNS name ("" for none). The
// name is not resolved, and the node's record, ID and endpoint stay as they
// are: ResolveHostname sets the endpoint from the name's addresses. URLv4
// prints the name in place of the IP address.
func (n *Node) WithHostname(hostname string) *Node {
	cpy := *n
	cpy.hostname = hostname
	return &cpy
}

// Incomplete reports whether the node has no IP address, like nodes parsed
// from an enode URL without a host, and nodes with a host name that
// ResolveHostname has not resolved yet.
func (n *Node) Incomplete() bool { return !n.ip.IsValid() }

// ValidateComplete checks that the node can be contacted by discovery: it has
// an IP address and a UDP port, and its record a valid key.
func (n *Node) ValidateComplete() error {
	if !n.ip.IsValid() {
		var a4 enr.IPv4Addr
		var a6 enr.IPv6Addr
		if n.r.Load(&a4) == nil || n.r.Load(&a6) == nil {
			return ErrInvalidIP
		}
		return ErrMissingIP
	}
	if n.udp == 0 {
		return ErrMissingUDP
	}
	var key Secp256k1
	return n.r.Load(&key)
}

// String returns the node's record in text form, "enr:" followed by the
// base64 (URL alphabet, no padding) of its encoding, or the enode URL
// (URLv4) for nodes without a signed record (NewV4).
func (n *Node) String() string {
	if n.isNewV4() {
		return n.URLv4()
	}
	enc, err := encodeRecord(&n.r)
	if err != nil {
		return n.URLv4()
	}
	return "enr:" + base64.RawURLEncoding.EncodeToString(enc)
}

// isNewV4 reports whether n came from NewV4: no identity scheme, no signature.
func (n *Node) isNewV4() bool {
	return n.r.IdentityScheme() == "" && len(n.r.Signature()) == 0
}

// MarshalText implements encoding.TextMarshaler with String.
func (n *Node) MarshalText() ([]byte, error) { return []byte(n.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler with Parse and
// ValidSchemes.
func (n *Node) UnmarshalText(text []byte) error {
	dec, err := Parse(ValidSchemes, string(text))
	if err != nil {
		return err
	}
	*n = *dec
	return nil
}
