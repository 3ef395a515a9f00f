package enode

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/seednet/p2p/enr"
)

// ErrNoAddress means a node's host name resolved to no address that can be
// an endpoint (all unspecified or multicast, or none at all).
var ErrNoAddress = errors.New("enode: host name has no usable address")

// HostResolver looks up the IP addresses of a host name. *net.Resolver
// implements it; tests can pass a fake.
type HostResolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// ResolveHostname looks up n's host name (Hostname) with resolver
// (net.DefaultResolver if nil) and returns a copy of n whose endpoint is an
// address of the name: of the first IPv4 and the first IPv6 address found,
// the more global one, IPv4 when both are alike (the rule of New). The copy
// keeps n's ID, ports and host name, so it can be resolved again later, as a
// dialer does before each dial of a static node. A node without a host name
// is returned as it is.
//
// For a node from an enode URL (no signed record), the copy's record carries
// the found addresses. A signed record cannot change without its key, so for
// a node with one (given a name by WithHostname) only the endpoint changes:
// IPAddr, TCPEndpoint and UDPEndpoint report the resolved address while
// Record keeps the signed one.
//
// Errors of the lookup are returned wrapped; ErrNoAddress if it found no
// usable address.
func ResolveHostname(ctx context.Context, resolver HostResolver, n *Node) (*Node, error) {
	if n.hostname == "" {
		return n, nil
	}
	if resolver == nil {
		resolver = net.DefaultResolver
	}
	ips, err := resolver.LookupNetIP(ctx, "ip", n.hostname)
	if err != nil {
		return nil, fmt.Errorf("enode: resolving %q: %w", n.hostname, err)
	}
	var ip4, ip6 netip.Addr
	for _, ip := range ips {
		ip = ip.Unmap().WithZone("")
		switch {
		case !usableIP(ip):
		case ip.Is4() && !ip4.IsValid():
			ip4 = ip
		case ip.Is6() && !ip6.IsValid():
			ip6 = ip
		}
	}
	if !ip4.IsValid() && !ip6.IsValid() {
		return nil, fmt.Errorf("%w: %q", ErrNoAddress, n.hostname)
	}
	if !n.isNewV4() {
		cpy := *n
		cpy.ip, cpy.tcp, cpy.udp = endpoint(&n.r, ip4, ip6)
		return &cpy, nil
	}
	var r enr.Record
	r.SetSeq(n.Seq())
	if ip4.IsValid() {
		r.Set(enr.IPv4Addr(ip4))
	}
	if ip6.IsValid() {
		r.Set(enr.IPv6Addr(ip6))
	}
	if p := port[enr.TCP](&n.r); p != 0 {
		r.Set(enr.TCP(p))
	}
	if p := port[enr.UDP](&n.r); p != 0 {
		r.Set(enr.UDP(p))
	}
	var key Secp256k1
	if err := n.r.Load(&key); err != nil {
		return nil, fmt.Errorf("enode: resolving %q: %w", n.hostname, err)
	}
	r.Set(key)
	if err := r.SetSig(v4CompatID{}, []byte{}); err != nil {
		return nil, fmt.Errorf("enode: resolving %q: %w", n.hostname, err)
	}
	res := newNodeWithID(&r, n.id)
	res.hostname = n.hostname
	return res, nil
}
