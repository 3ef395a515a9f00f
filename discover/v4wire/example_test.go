package v4wire_test

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/discover/v4wire"
)

// A Ping and the Pong that answers it, as two nodes exchange them.
func Example() {
	alice, _ := crypto.GenerateKey()
	bob, _ := crypto.GenerateKey()
	now := time.Now()

	ping := &v4wire.Ping{
		Version:    4,
		From:       v4wire.NewEndpoint(netip.MustParseAddrPort("192.0.2.1:30303"), 30303),
		To:         v4wire.NewEndpoint(netip.MustParseAddrPort("192.0.2.2:30303"), 0),
		Expiration: v4wire.Expiration(now, 20*time.Second),
	}
	packet, pingHash, err := v4wire.Encode(alice, ping)
	if err != nil {
		panic(err)
	}

	// Bob receives the packet.
	p, from, hash, err := v4wire.Decode(packet)
	if err != nil || v4wire.ExpiredAt(p.(*v4wire.Ping).Expiration, now) {
		panic("dropped")
	}
	fmt.Println("got", p.Name(), "from Alice:", from.ID() == v4wire.EncodePubkey(&alice.PublicKey).ID())

	pong := &v4wire.Pong{
		To:         v4wire.NewEndpoint(netip.MustParseAddrPort("192.0.2.1:30303"), 0),
		ReplyTok:   hash,
		Expiration: v4wire.Expiration(now, 20*time.Second),
	}
	packet, _, err = v4wire.Encode(bob, pong)
	if err != nil {
		panic(err)
	}

	// Alice matches the reply to her ping by its hash.
	p, _, _, err = v4wire.Decode(packet)
	if err != nil {
		panic(err)
	}
	fmt.Println("got", p.Name(), "answering our ping:", string(p.(*v4wire.Pong).ReplyTok) == string(pingHash))
	// Output:
	// got PING/v4 from Alice: true
	// got PONG/v4 answering our ping: true
}
