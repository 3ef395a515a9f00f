package v5wire_test

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/discover/v5wire"
	"github.com/seednet/p2p/enode"
)

// This is the handshake as the protocol runs it: A's first packet to B
// cannot be decrypted, B challenges A, and A sends its message again in a
// handshake packet, after which both sides have a session.
func Example() {
	keyA, _ := crypto.GenerateKey()
	keyB, _ := crypto.GenerateKey()
	lnA, lnB := enode.NewLocalNode(nil, keyA), enode.NewLocalNode(nil, keyB)
	a := v5wire.NewCodec(lnA, keyA, time.Now, nil)
	b := v5wire.NewCodec(lnB, keyB, time.Now, nil)
	addrA := netip.MustParseAddrPort("192.0.2.1:30303")
	addrB := netip.MustParseAddrPort("192.0.2.2:30303")
	ping := &v5wire.Ping{ReqID: []byte{1}, ENRSeq: lnA.Seq()}

	// A has no session with B: the packet carries random data.
	packet, _, _ := a.Encode(lnB.ID(), addrB, ping, nil)
	_, _, p, _ := b.Decode(packet, addrA)
	unknown := p.(*v5wire.Unknown)
	fmt.Println("B got", p.Name(), "because", unknown.Reason)

	// B answers with a challenge naming A's packet.
	challenge := &v5wire.Whoareyou{Nonce: unknown.Nonce}
	packet, _, _ = b.Encode(lnA.ID(), addrA, challenge, nil)
	_, _, p, _ = a.Decode(packet, addrB)
	fmt.Println("A got", p.Name())

	// A sends the PING again in a handshake packet, with B's record.
	received := p.(*v5wire.Whoareyou)
	received.Node = lnB.Node()
	packet, _, _ = a.Encode(lnB.ID(), addrB, ping, received)
	src, node, p, err := b.Decode(packet, addrA)
	fmt.Println("B got", p.Name(), "from A:", src == lnA.ID(), node.ID() == lnA.ID(), err)

	// From now on, messages go in message packets under the session.
	packet, _, _ = b.Encode(lnA.ID(), addrA, &v5wire.Pong{ReqID: []byte{1}, ToIP: addrA.Addr().AsSlice(), ToPort: addrA.Port()}, nil)
	_, _, p, _ = a.Decode(packet, addrB)
	to, _ := p.(*v5wire.Pong).ToAddrPort()
	fmt.Println("A got", p.Name(), "saying it is", to)

	// Output:
	// B got UNKNOWN/v5 because v5wire: no session with sender
	// A got WHOAREYOU/v5
	// B got PING/v5 from A: true true <nil>
	// A got PONG/v5 saying it is 192.0.2.1:30303
}
