package p2p_test

import (
	"fmt"
	"time"

	"github.com/seednet/p2p"
	"github.com/seednet/p2p/crypto"
)

// The user's code from the project brief, as written: a protocol whose
// handler answers every message with "bar", and a server configured with a
// struct literal.
func msgHandler(peer *p2p.Peer, ws p2p.MsgReadWriter) error {
	for {
		msg, err := ws.ReadMsg()
		if err != nil {
			return err
		}
		var myMessage []string
		if err := msg.Decode(&myMessage); err != nil {
			return err
		}
		fmt.Printf("code %d, %d bytes: %v\n", msg.Code, msg.Size, myMessage)
		if myMessage[0] == "foo" {
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
	// code 0, 5 bytes: [foo]
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
