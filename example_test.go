package p2p_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/seednet/p2p"
	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/nat"
)

// The user's code from the project brief, as written: a protocol whose
// handler answers "foo" with "bar", and a server configured with a struct
// literal. A message sent with SendItems(ws, 0, "foo") decodes into a
// Message (a string) as well as into a []string.
type Message string

func msgHandler(peer *p2p.Peer, ws p2p.MsgReadWriter) error {
	for {
		msg, err := ws.ReadMsg()
		if err != nil {
			return err
		}
		var myMessage Message
		if err := msg.Decode(&myMessage); err != nil {
			return err
		}
		fmt.Printf("code %d, %d bytes: %s\n", msg.Code, msg.Size, myMessage)
		if myMessage == "foo" {
			if err := p2p.SendItems(ws, 0, "bar"); err != nil {
				return err
			}
		}
	}
}

func MyProtocol() p2p.Protocol {
	return p2p.Protocol{Name: "MyProtocol", Version: 1, Length: 1, Run: msgHandler}
}

func ExampleServer() {
	nodekey, _ := crypto.GenerateKey()
	srv := p2p.Server{MaxPeers: 10, PrivateKey: nodekey, Name: "my node name", ListenAddr: "127.0.0.1:0", Protocols: []p2p.Protocol{MyProtocol()}}
	if err := srv.Start(); err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Stop()

	// A second node that says "foo" once it is connected.
	otherKey, _ := crypto.GenerateKey()
	done := make(chan struct{})
	other := p2p.Server{MaxPeers: 10, PrivateKey: otherKey, Name: "other", Protocols: []p2p.Protocol{{
		Name: "MyProtocol", Version: 1, Length: 1,
		Run: func(peer *p2p.Peer, ws p2p.MsgReadWriter) error {
			p2p.SendItems(ws, 0, "foo")
			err := p2p.ExpectMsg(ws, 0, []string{"bar"})
			fmt.Println("other got bar:", err == nil)
			close(done)
			return err
		},
	}}}
	if err := other.Start(); err != nil {
		fmt.Println(err)
		return
	}
	defer other.Stop()
	other.AddPeer(srv.Self())
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		fmt.Println("timeout")
	}
	// Output:
	// code 0, 5 bytes: foo
	// other got bar: true
}

func ExampleMsgPipe() {
	rw1, rw2 := p2p.MsgPipe()
	go func() {
		p2p.SendItems(rw1, 8, "hello")
		p2p.SendItems(rw1, 9, "world")
		rw1.Close()
	}()
	for {
		msg, err := rw2.ReadMsg()
		if err != nil {
			fmt.Println(err)
			return
		}
		var s []string
		msg.Decode(&s)
		fmt.Println(msg.Code, s)
	}
	// Output:
	// 8 [hello]
	// 9 [world]
	// p2p: read or write on closed message pipe
}

// A protocol's Run tested without a network: NewPeerPipe gives it a peer
// and one end of a message pipe, the test speaks on the other.
func ExampleNewPeerPipe() {
	ours, theirs := p2p.MsgPipe()
	peer := p2p.NewPeerPipe(enode.ID{1}, "test peer", []p2p.Cap{{Name: "MyProtocol", Version: 1}}, ours)
	done := make(chan error, 1)
	go func() { done <- msgHandler(peer, ours) }()

	p2p.SendItems(theirs, 0, "foo")
	fmt.Println("answered bar:", p2p.ExpectMsg(theirs, 0, []string{"bar"}) == nil)
	peer.Disconnect(p2p.DiscRequested) // closes the pipe
	fmt.Println("Run returned:", <-done)
	// Output:
	// code 0, 5 bytes: foo
	// answered bar: true
	// Run returned: p2p: read or write on closed message pipe
}

// Telling a peer that left from one we dropped.
func ExampleRemoteDisconnectError() {
	events := []*p2p.PeerEvent{
		{Type: p2p.PeerEventTypeDrop, Err: &p2p.RemoteDisconnectError{Reason: p2p.DiscTooManyPeers}},
		{Type: p2p.PeerEventTypeDrop, Err: p2p.DiscReadTimeout},
	}
	for _, ev := range events {
		var rd *p2p.RemoteDisconnectError
		if errors.As(ev.Err, &rd) {
			fmt.Println("the peer left:", rd.Reason)
		} else {
			fmt.Println("we dropped it:", ev.Err)
		}
	}
	// Output:
	// the peer left: too many peers
	// we dropped it: read timeout
}

// A node whose operator knows its external address: with nat.ExtIP the
// record and enode URL carry it. Behind a home router, nat.Parse("any")
// maps the ports with UPnP or NAT-PMP instead.
func ExampleServer_nat() {
	key, _ := crypto.GenerateKey()
	ext, _ := nat.Parse("extip:203.0.113.7")
	srv := p2p.Server{MaxPeers: 10, PrivateKey: key, ListenAddr: "127.0.0.1:0", NAT: ext, NoDiscovery: true}
	if err := srv.Start(); err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Stop()
	fmt.Println("record IP:", srv.Self().IPAddr())
	fmt.Println("NAT:", srv.NodeInfo().NAT.Method)
	// Output:
	// record IP: 203.0.113.7
	// NAT: extip:203.0.113.7
}
