package v4wire

import (
	"crypto/ecdsa"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/enr"
	"github.com/seednet/p2p/rlp"
)

// Packet types, the byte after the signature.
const (
	PingPacket        byte = iota + 1 // Ping; 0 is not a packet type
	PongPacket                        // Pong
	FindnodePacket                    // Findnode
	NeighborsPacket                   // Neighbors
	ENRRequestPacket                  // ENRRequest (EIP-868)
	ENRResponsePacket                 // ENRResponse (EIP-868)
)

// Packet is one of *Ping, *Pong, *Findnode, *Neighbors, *ENRRequest and
// *ENRResponse.
type Packet interface {
	// Name is the packet's name for logs and metrics, such as "PING/v4".
	Name() string
	// Kind is the packet type byte, such as PingPacket.
	Kind() byte
}

// Ping checks that a node is alive and proves our endpoint to it.
type Ping struct {
	// Version is 4; receivers do not check it (EIP-8).
	Version uint
	// From is the sender's endpoint as it sees it; To is the recipient's
	// endpoint as the sender sees it.
	From, To Endpoint
	// Expiration is the Unix time in seconds after which the packet is
	// void.
	Expiration uint64
	// ENRSeq is the sequence number of the sender's node record (EIP-868);
	// zero when absent.
	ENRSeq uint64 `rlp:"optional"`
	// Rest holds list elements after the known ones.
	Rest []rlp.RawValue `rlp:"tail"`
}

// Pong answers a Ping.
type Pong struct {
	// To is the endpoint the Ping came from, which tells its sender its
	// external address.
	To Endpoint
	// ReplyTok is the hash of the Ping this answers.
	ReplyTok []byte
	// Expiration is the Unix time in seconds after which the packet is
	// void.
	Expiration uint64
	// ENRSeq is the sequence number of the sender's node record (EIP-868);
	// zero when absent.
	ENRSeq uint64 `rlp:"optional"`
	// Rest holds list elements after the known ones.
	Rest []rlp.RawValue `rlp:"tail"`
}

// Findnode asks for the nodes closest to a target.
type Findnode struct {
	// Target is a public key; the distance is between its hash and the
	// node IDs (Target.ID()).
	Target Pubkey
	// Expiration is the Unix time in seconds after which the packet is
	// void.
	Expiration uint64
	// Rest holds list elements after the known ones.
	Rest []rlp.RawValue `rlp:"tail"`
}

// Neighbors answers a Findnode. An answer of up to 16 nodes is split over
// several packets of at most MaxNeighbors nodes each.
type Neighbors struct {
	Nodes []Node
	// Expiration is the Unix time in seconds after which the packet is
	// void.
	Expiration uint64
	// Rest holds list elements after the known ones.
	Rest []rlp.RawValue `rlp:"tail"`
}

// ENRRequest asks for the recipient's node record (EIP-868).
type ENRRequest struct {
	// Expiration is the Unix time in seconds after which the packet is
	// void.
	Expiration uint64
	// Rest holds list elements after the known ones.
	Rest []rlp.RawValue `rlp:"tail"`
}

// ENRResponse answers an ENRRequest with the sender's node record (EIP-868).
// Decode checks the record's structure and size but not its signature.
type ENRResponse struct {
	// ReplyTok is the hash of the ENRRequest this answers.
	ReplyTok []byte
	Record   enr.Record
	// Rest holds list elements after the known ones.
	Rest []rlp.RawValue `rlp:"tail"`
}

// Name implements Packet.
func (*Ping) Name() string { return "PING/v4" }

// Kind implements Packet.
func (*Ping) Kind() byte { return PingPacket }

// Name implements Packet.
func (*Pong) Name() string { return "PONG/v4" }

// Kind implements Packet.
func (*Pong) Kind() byte { return PongPacket }

// Name implements Packet.
func (*Findnode) Name() string { return "FINDNODE/v4" }

// Kind implements Packet.
func (*Findnode) Kind() byte { return FindnodePacket }

// Name implements Packet.
func (*Neighbors) Name() string { return "NEIGHBORS/v4" }

// Kind implements Packet.
func (*Neighbors) Kind() byte { return NeighborsPacket }

// Name implements Packet.
func (*ENRRequest) Name() string { return "ENRREQUEST/v4" }

// Kind implements Packet.
func (*ENRRequest) Kind() byte { return ENRRequestPacket }

// Name implements Packet.
func (*ENRResponse) Name() string { return "ENRRESPONSE/v4" }

// Kind implements Packet.
func (*ENRResponse) Kind() byte { return ENRResponsePacket }

// Endpoint is a node's address as carried in Ping and Pong.
type Endpoint struct {
	// IP is 4 bytes for IPv4 or 16 for IPv6. Decoding accepts any length,
	// as go-ethereum does; Addr tells whether it is an address.
	IP net.IP
	// UDP is the discovery port, TCP the RLPx port; 0 if unknown.
	UDP, TCP uint16
}

// NewEndpoint makes an endpoint from a UDP address and a TCP port, with
// IPv4 (and IPv4-mapped IPv6) addresses in their 4-byte form. An invalid
// address gives an empty IP.
func NewEndpoint(udp netip.AddrPort, tcpPort uint16) Endpoint {
	return Endpoint{IP: ipBytes(udp.Addr()), UDP: udp.Port(), TCP: tcpPort}
}

// Addr returns the endpoint's IP address, IPv4 ones unmapped; ok is false
// if IP has neither 4 nor 16 bytes.
func (e Endpoint) Addr() (ip netip.Addr, ok bool) { return ipAddr(e.IP) }

// Node is a node in a Neighbors packet.
type Node struct {
	// IP is 4 bytes for IPv4 or 16 for IPv6. Decoding accepts any length,
	// as go-ethereum does; Addr tells whether it is an address.
	IP net.IP
	// UDP is the discovery port, TCP the RLPx port; 0 if unknown.
	UDP, TCP uint16
	// ID is the node's public key; its node ID is ID.ID().
	ID Pubkey
}

// NewNode makes the Neighbors entry for n: its endpoint and public key. It
// returns an error for a node without a secp256k1 key.
func NewNode(n *enode.Node) (Node, error) {
	pub := n.Pubkey()
	if pub == nil {
		return Node{}, fmt.Errorf("v4wire: node %v has no secp256k1 key", n.ID())
	}
	return Node{IP: ipBytes(n.IPAddr()), UDP: uint16(n.UDP()), TCP: uint16(n.TCP()), ID: EncodePubkey(pub)}, nil
}

// Addr returns the node's IP address, IPv4 ones unmapped; ok is false if IP
// has neither 4 nor 16 bytes.
func (n Node) Addr() (ip netip.Addr, ok bool) { return ipAddr(n.IP) }

func ipBytes(a netip.Addr) net.IP {
	if !a.IsValid() {
		return net.IP{}
	}
	return net.IP(a.Unmap().AsSlice())
}

func ipAddr(b net.IP) (netip.Addr, bool) {
	if len(b) != 4 && len(b) != 16 {
		return netip.Addr{}, false
	}
	a, _ := netip.AddrFromSlice(b)
	return a.Unmap(), true
}

// Pubkey is a secp256k1 public key in its 64-byte form X || Y.
type Pubkey [64]byte

// ID returns the node ID of the key: its Keccak-256 hash.
func (k Pubkey) ID() enode.ID { return enode.ID(crypto.Keccak256Hash(k[:])) }

// EncodePubkey returns the 64-byte form of key.
func EncodePubkey(key *ecdsa.PublicKey) Pubkey {
	var k Pubkey
	copy(k[:], crypto.FromECDSAPub(key)[1:])
	return k
}

// DecodePubkey parses a 64-byte key; the error wraps ErrBadPoint if it is
// not a point of the curve.
func DecodePubkey(k Pubkey) (*ecdsa.PublicKey, error) {
	key, err := crypto.UnmarshalRawPubkey(k[:])
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadPoint, err)
	}
	return key, nil
}

// Expired reports whether the expiration time ts, in Unix seconds, is in
// the past. It reads the system clock; state machines with an injected
// clock use ExpiredAt.
func Expired(ts uint64) bool { return ExpiredAt(ts, time.Now()) }

// ExpiredAt reports whether the expiration time ts, in Unix seconds, is
// before now.
//
// ts is read as a signed number, as go-ethereum reads it: a value with the
// top bit set is a time before 1970, hence expired. go-ethereum's devp2p
// test suite sends such a value (the negation of a future time) and expects
// the packet to be dropped; read as unsigned it would be far in the future.
func ExpiredAt(ts uint64, now time.Time) bool {
	t, sec := int64(ts), now.Unix()
	return t < sec || t == sec && now.Nanosecond() > 0
}

// Expiration returns the expiration time, in Unix seconds, of a packet sent
// at now that should live for d.
func Expiration(now time.Time, d time.Duration) uint64 {
	sec := now.Add(d).Unix()
	if sec < 0 {
		return 0
	}
	return uint64(sec)
}
