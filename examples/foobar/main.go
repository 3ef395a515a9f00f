// Command foobar is the library's introductory example as a program: nodes
// that speak a tiny protocol in which every "foo" is answered with "bar".
//
// With no flags it starts three nodes on loopback, connects them, lets
// them exchange messages, prints what each receives and stops them:
//
//	go run ./examples/foobar
//
// To run nodes in separate terminals, give each an address; the second
// dials the first by its enode URL (printed by the first):
//
//	go run ./examples/foobar -listen 127.0.0.1:30300
//	go run ./examples/foobar -listen 127.0.0.1:30301 -dial enode://...@127.0.0.1:30300
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"sync"
	"time"

	"github.com/seednet/p2p"
	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/enode"
)

const (
	fooMsg = 0 // message codes of the protocol
	barMsg = 1
)

// myMessage is the payload of both messages: a list with one string.
type myMessage struct {
	Text string
}

// MyProtocol returns the protocol; out receives what the node hears.
func MyProtocol(node string, out chan<- string) p2p.Protocol {
	return p2p.Protocol{
		Name:    "MyProtocol",
		Version: 1,
		Length:  2,
		Run: func(peer *p2p.Peer, ws p2p.MsgReadWriter) error {
			return msgHandler(node, out, peer, ws)
		},
	}
}

func msgHandler(node string, out chan<- string, peer *p2p.Peer, ws p2p.MsgReadWriter) error {
	if err := p2p.SendItems(ws, fooMsg, "foo"); err != nil {
		return err
	}
	for {
		msg, err := ws.ReadMsg()
		if err != nil {
			return err
		}
		var myMessage myMessage
		if err := msg.Decode(&myMessage); err != nil {
			return err
		}
		out <- fmt.Sprintf("%s got %q (code %d, %d bytes) from %s", node, myMessage.Text, msg.Code, msg.Size, peer.Name())
		if msg.Code == fooMsg {
			if err := p2p.SendItems(ws, barMsg, "bar"); err != nil {
				return err
			}
		}
	}
}

func main() {
	listen := flag.String("listen", "", "run one node on this address (host:port) instead of the three-node demo")
	dial := flag.String("dial", "", "enode URL of a node to connect to (with -listen)")
	flag.Parse()
	if *listen != "" {
		if err := runOne(*listen, *dial); err != nil {
			log.Fatal(err)
		}
		return
	}
	if err := demo(); err != nil {
		log.Fatal(err)
	}
}

// demo starts three nodes that connect in a line, collects the six
// foo/bar exchanges and stops.
func demo() error {
	out := make(chan string, 64)
	var servers []*p2p.Server
	for i := range 3 {
		nodekey, _ := crypto.GenerateKey()
		name := fmt.Sprintf("node-%d", i+1)
		srv := &p2p.Server{
			MaxPeers:   10,
			PrivateKey: nodekey,
			Name:       name,
			ListenAddr: "127.0.0.1:0",
			Protocols:  []p2p.Protocol{MyProtocol(name, out)},
		}
		if err := srv.Start(); err != nil {
			return err
		}
		defer srv.Stop()
		fmt.Printf("%s listening: %s\n", name, srv.Self().URLv4())
		servers = append(servers, srv)
	}
	servers[1].AddPeer(servers[0].Self())
	servers[2].AddPeer(servers[1].Self())

	// Two connections, each with two nodes that each hear a foo and a bar.
	timeout := time.After(10 * time.Second)
	for range 8 {
		select {
		case line := <-out:
			fmt.Println(line)
		case <-timeout:
			return fmt.Errorf("timed out waiting for messages")
		}
	}
	for _, srv := range servers {
		fmt.Printf("%s has %d peers\n", srv.Name, srv.PeerCount())
	}
	return nil
}

// runOne runs a single node until interrupted.
func runOne(addr, dial string) error {
	nodekey, _ := crypto.GenerateKey()
	out := make(chan string, 16)
	srv := p2p.Server{
		MaxPeers:   10,
		PrivateKey: nodekey,
		Name:       "foobar " + addr,
		ListenAddr: addr,
		Protocols:  []p2p.Protocol{MyProtocol(addr, out)},
	}
	if err := srv.Start(); err != nil {
		return err
	}
	defer srv.Stop()
	fmt.Println("listening:", srv.Self().URLv4())
	if dial != "" {
		node, err := enode.ParseV4(dial)
		if err != nil {
			return fmt.Errorf("-dial: %w", err)
		}
		srv.AddPeer(node)
	}
	interrupt := make(chan os.Signal, 1)
	signal.Notify(interrupt, os.Interrupt)
	var once sync.Once
	for {
		select {
		case line := <-out:
			fmt.Println(line)
		case <-interrupt:
			once.Do(func() { fmt.Println("stopping") })
			return nil
		}
	}
}
