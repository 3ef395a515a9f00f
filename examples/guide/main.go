// Command guide is the program of the devp2p developers' guide, as users
// are given it: a protocol whose handler answers "foo" with "bar" and
// prints anything else it receives. The protocol code (MyProtocol and
// msgHandler) is verbatim, only laid out by gofmt; main adds flags so that
// two copies can run on one machine, and makes the copy that dials say
// "foo".
//
//	go run ./examples/guide                      # listens on :30300, prints its enode URL
//	go run ./examples/guide -listen :30301 -dial enode://...@127.0.0.1:30300
//
// The second copy prints "recv: bar". With go-ethereum's p2p package, and
// the ESC fork of it, it never did: SendItems sends a list of one item and
// their Msg.Decode refuses a list for a string, an error the handler
// drops. This library's Decode reads a one-item list into a single value
// (see Msg.Decode).
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"

	"github.com/seednet/p2p"
	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/enode"
)

// The protocol, as the guide gives it. Its handler ends with a return
// statement that the loop never reaches; `go vet` would say so, and the
// Makefile vets this package without that check.

const messageId = 0

type Message string

func MyProtocol() p2p.Protocol {
	return p2p.Protocol{Name: "MyProtocol", Version: 1, Length: 1, Run: msgHandler}
}

func msgHandler(peer *p2p.Peer, ws p2p.MsgReadWriter) error {
	for {
		msg, err := ws.ReadMsg()
		if err != nil {
			return err
		}
		var myMessage Message
		err = msg.Decode(&myMessage)
		if err != nil {
			/* handle decode error */
		}
		switch myMessage {
		case "foo":
			err := p2p.SendItems(ws, messageId, "bar")
			if err != nil {
				return err
			}
		default:
			fmt.Println("recv:", myMessage)
		}
	}
	return nil
}

// End of the guide's code.

func main() {
	listen := flag.String("listen", ":30300", "TCP (and discovery UDP) address to listen on")
	dial := flag.String("dial", "", "enode URL of another copy to connect to; this copy then says \"foo\" to it")
	flag.Parse()

	proto := MyProtocol()
	var target *enode.Node
	if *dial != "" {
		n, err := enode.ParseV4(*dial)
		if err != nil {
			log.Fatalf("-dial: %v", err)
		}
		target = n
		// Say "foo" to the node we dial, then run the guide's handler.
		run := proto.Run
		proto.Run = func(peer *p2p.Peer, ws p2p.MsgReadWriter) error {
			if peer.ID() == target.ID() {
				if err := p2p.SendItems(ws, messageId, "foo"); err != nil {
					return err
				}
			}
			return run(peer, ws)
		}
	}

	nodekey, _ := crypto.GenerateKey()
	srv := p2p.Server{MaxPeers: 10, PrivateKey: nodekey, Name: "my node name", ListenAddr: *listen, Protocols: []p2p.Protocol{proto}}
	if err := srv.Start(); err != nil {
		log.Fatal(err)
	}
	fmt.Println("enode:", srv.Self().URLv4())
	if target != nil {
		srv.AddPeer(target)
	}

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	<-sig
	if err := srv.Stop(); err != nil {
		log.Fatal(err)
	}
}
