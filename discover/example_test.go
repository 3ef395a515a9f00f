package discover_test

import (
	"fmt"
	"net"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/discover"
	"github.com/seednet/p2p/enode"
)

// ExampleNewSharedConn runs discovery v4 and v5 on one UDP socket, as
// go-ethereum does: v4 reads the socket and hands the packets that are
// not v4 to v5.
func ExampleNewSharedConn() {
	key, _ := crypto.GenerateKey()
	ln := enode.NewLocalNode(nil, key)
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IP{127, 0, 0, 1}})
	if err != nil {
		panic(err)
	}
	unhandled := make(chan discover.ReadPacket, 100)
	v4, err := discover.ListenV4(conn, ln, discover.Config{PrivateKey: key, Unhandled: unhandled})
	if err != nil {
		panic(err)
	}
	v5, err := discover.ListenV5(discover.NewSharedConn(conn, unhandled), ln, discover.Config{PrivateKey: key})
	if err != nil {
		panic(err)
	}
	fmt.Println(v4.Self().ID() == v5.Self().ID())

	v5.Close() // leaves the socket open
	v4.Close() // closes it
	// Output: true
}

// ExampleUDPv5_TalkRequest answers TALKREQs of a protocol on one node and
// sends one from another.
func ExampleUDPv5_TalkRequest() {
	start := func() *discover.UDPv5 {
		key, _ := crypto.GenerateKey()
		conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IP{127, 0, 0, 1}})
		if err != nil {
			panic(err)
		}
		d, err := discover.ListenV5(conn, enode.NewLocalNode(nil, key), discover.Config{PrivateKey: key})
		if err != nil {
			panic(err)
		}
		return d
	}
	a, b := start(), start()
	defer a.Close()
	defer b.Close()
	a.RegisterTalkHandler("greet", func(n *enode.Node, addr *net.UDPAddr, msg []byte) []byte {
		return append([]byte("hello, "), msg...)
	})
	resp, err := b.TalkRequest(a.Self(), "greet", []byte("b"))
	fmt.Println(string(resp), err)
	// Output: hello, b <nil>
}
