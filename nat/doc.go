// Package nat makes a node behind a home router reachable: it asks the
// router to forward ports to it, and finds the address the rest of the
// internet sees.
//
// An Interface maps ports and tells the external IP address. The methods:
//
//   - UPnP: the Internet Gateway Device protocol, v1 and v2 (SSDP discovery
//     on the LAN, then SOAP over HTTP to the router's WANIPConnection or
//     WANPPPConnection service). Routers that refuse timed leases (UPnP
//     error 725) get a permanent one.
//   - NAT-PMP (RFC 6886): UDP requests to the default gateway, port 5351.
//   - STUN (RFC 5389): asks a STUN server which address our packets come
//     from. It maps no ports: it only tells the external address, which is
//     enough behind a NAT that keeps a port's mapping for all peers.
//   - ExtIP: an external address given by the operator, no mapping.
//   - Any: UPnP and NAT-PMP tried together; the first that answers is used.
//
// Parse turns the strings of go-ethereum's -nat flag ("any", "none",
// "upnp", "pmp", "pmp:192.168.0.1", "stun", "stun:host:port",
// "extip:1.2.3.4") into an Interface, for flags and code alike.
//
// All clients here are this package's own, written for the standard
// library only, so that importing the library does not bring UPnP, NAT-PMP
// or STUN modules into a program's module graph: go-ethereum's choice,
// huin/goupnp with jackpal/go-nat-pmp and pion/stun/v3, brings 18 modules
// (pion's DTLS and transport stacks, x/net, x/text, x/time, testify and
// more), where this package brings none. The wire decoders
// (NAT-PMP responses, STUN messages, SSDP replies, device descriptions,
// SOAP responses) are bounded in size and fuzzed.
//
// The methods block on the network; they time out on their own (a few
// seconds) and are safe for concurrent use. p2p.Server takes an Interface
// in its NAT field and keeps its ports mapped while it runs.
package nat
