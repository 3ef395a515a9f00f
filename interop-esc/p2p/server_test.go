// Package p2p_test runs our p2p.Server against go-ethereum v1.9.7's
// p2p.Server (the p2p code of Elastos ESC nodes): both directions of
// dialing, a shared sub-protocol with messages from 1 byte to 10 MiB, and
// the disconnect reasons each side sees.
//
// v1.9.7's limits: a message (code and payload, after snappy compression)
// must fit the 24-bit frame size, and snappy refuses a decompressed size
// over 16 MiB - 1, so 10 MiB is inside them. v1.9.7 speaks base protocol
// v5, so both sides turn snappy on after Hello; every message here is
// compressed on the wire.
//
// Disconnect: v1.9.7 sends [reason] (a list) and decodes only the list form;
// a bare reason would decode to DiscRequested there. We send the list form,
// which TestGethDialsOurs checks: v1.9.7 must see "too many peers".
package p2p_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	gethcrypto "github.com/ethereum/go-ethereum/crypto"
	gethp2p "github.com/ethereum/go-ethereum/p2p"
	gethenode "github.com/ethereum/go-ethereum/p2p/enode"
	"go.uber.org/goleak"

	"github.com/seednet/p2p"
	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/enode"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// v1.9.7's Server.Stop leaves these behind: the dial loop's idle
		// task sleeps until the dial history expires (up to 30 s) and cannot
		// be cancelled, and goleveldb v1.0.0's pool drainer of the node
		// database lingers for a second after the database is closed.
		goleak.IgnoreAnyFunction("github.com/ethereum/go-ethereum/p2p.waitExpireTask.Do"),
		goleak.IgnoreAnyFunction("github.com/syndtr/goleveldb/leveldb.(*DB).mpoolDrain"),
	)
}

var sizes = []int{1, 2, 55, 56, 1000, 4096, 65536, 1 << 20, 10 << 20}

// payload returns the deterministic content of message i of a sender.
func payload(sender string, i int) []byte {
	b := make([]byte, sizes[i])
	r := rand.New(rand.NewPCG(uint64(i), uint64(len(sender))))
	for j := 0; j+8 <= len(b); j += 8 {
		binary.LittleEndian.PutUint64(b[j:], r.Uint64())
	}
	// Half of each message compresses well, half does not.
	for j := len(b) / 2; j < len(b); j++ {
		b[j] = byte(j / 1024)
	}
	return b
}

// msgRW is what both libraries' Run functions get.
type msgRW interface {
	send(code uint64, data []byte) error
	recv() (code uint64, data []byte, err error)
}

// exchange sends every message of sizes to the peer while reading the
// peer's, and checks contents and order. The payload is sent as is (not
// RLP-encoded); neither side decodes it.
func exchange(me, peer string, rw msgRW) error {
	errc := make(chan error, 1)
	go func() {
		for i := range sizes {
			if err := rw.send(uint64(i%3), payload(me, i)); err != nil {
				errc <- fmt.Errorf("send %d: %w", i, err)
				return
			}
		}
		errc <- nil
	}()
	for i := range sizes {
		code, data, err := rw.recv()
		if err != nil {
			return fmt.Errorf("recv %d: %w", i, err)
		}
		if code != uint64(i%3) || !bytes.Equal(data, payload(peer, i)) {
			return fmt.Errorf("message %d: code %d, %d bytes: wrong content or order", i, code, len(data))
		}
	}
	return <-errc
}

// ourRW adapts our MsgReadWriter.
type ourRW struct{ rw p2p.MsgReadWriter }

func (o ourRW) send(code uint64, data []byte) error {
	return o.rw.WriteMsg(p2p.Msg{Code: code, Size: uint32(len(data)), Payload: bytes.NewReader(data)})
}

func (o ourRW) recv() (uint64, []byte, error) {
	msg, err := o.rw.ReadMsg()
	if err != nil {
		return 0, nil, err
	}
	b, err := io.ReadAll(msg.Payload)
	return msg.Code, b, err
}

// gethRW adapts go-ethereum's MsgReadWriter.
type gethRW struct{ rw gethp2p.MsgReadWriter }

func (g gethRW) send(code uint64, data []byte) error {
	return g.rw.WriteMsg(gethp2p.Msg{Code: code, Size: uint32(len(data)), Payload: bytes.NewReader(data)})
}

func (g gethRW) recv() (uint64, []byte, error) {
	msg, err := g.rw.ReadMsg()
	if err != nil {
		return 0, nil, err
	}
	b, err := io.ReadAll(msg.Payload)
	return msg.Code, b, err
}

const (
	protoName    = "bulk"
	protoVersion = 1
	protoLength  = 3
)

type result struct {
	side string
	err  error
}

// setup starts one server of each kind. Each one's protocol runs the
// exchange, reports the result and reads on until the connection ends.
func setup(t *testing.T) (ours *p2p.Server, geth *gethp2p.Server, results chan result) {
	results = make(chan result, 4)
	ourKey, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	ours = &p2p.Server{
		PrivateKey: ourKey, MaxPeers: 5, Name: "seednet", ListenAddr: "127.0.0.1:0", NoDiscovery: true,
		Protocols: []p2p.Protocol{{Name: protoName, Version: protoVersion, Length: protoLength,
			Run: func(peer *p2p.Peer, rw p2p.MsgReadWriter) error {
				err := exchange("ours", "geth", ourRW{rw})
				results <- result{"ours", err}
				if err != nil {
					return err
				}
				// Read until the connection ends.
				for {
					if _, err := rw.ReadMsg(); err != nil {
						return err
					}
				}
			}}},
	}
	if err := ours.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ours.Stop() })

	gethKey, err := gethcrypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	geth = &gethp2p.Server{Config: gethp2p.Config{
		PrivateKey: gethKey, MaxPeers: 5, Name: "geth-v1.9.7", ListenAddr: "127.0.0.1:0", NoDiscovery: true,
		Protocols: []gethp2p.Protocol{{Name: protoName, Version: protoVersion, Length: protoLength,
			Run: func(peer *gethp2p.Peer, rw gethp2p.MsgReadWriter) error {
				err := exchange("geth", "ours", gethRW{rw})
				results <- result{"geth", err}
				if err != nil {
					return err
				}
				for {
					if _, err := rw.ReadMsg(); err != nil {
						return err
					}
				}
			}}},
	}}
	if err := geth.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(geth.Stop)
	return ours, geth, results
}

func waitResults(t *testing.T, results chan result) {
	t.Helper()
	for range 2 {
		select {
		case r := <-results:
			if r.err != nil {
				t.Fatalf("%s: %v", r.side, r.err)
			}
		case <-time.After(60 * time.Second):
			t.Fatal("timeout waiting for the exchange")
		}
	}
}

func toGeth(t *testing.T, n *enode.Node) *gethenode.Node {
	g, err := gethenode.ParseV4(n.URLv4())
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func toOurs(t *testing.T, n *gethenode.Node) *enode.Node {
	o, err := enode.ParseV4(n.URLv4())
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// TestOursDialsGeth: we dial, exchange, then v1.9.7 disconnects us with
// DiscUselessPeer and we see that reason.
func TestOursDialsGeth(t *testing.T) {
	ours, geth, results := setup(t)
	ourEvents := make(chan *p2p.PeerEvent, 16)
	sub := ours.SubscribeEvents(ourEvents)
	defer sub.Unsubscribe()

	ours.AddPeer(toOurs(t, geth.Self()))
	waitResults(t, results)
	if p := ours.Peers(); len(p) != 1 || p[0].Name() != "geth-v1.9.7" || p[0].Inbound() {
		t.Fatalf("our peers: %v", p)
	}
	if p := geth.Peers(); len(p) != 1 || p[0].Name() != "seednet" || !p[0].Inbound() {
		t.Fatalf("geth's peers: %v", p)
	}
	for _, p := range geth.Peers() {
		p.Disconnect(gethp2p.DiscUselessPeer)
	}
	deadline := time.After(20 * time.Second)
	for {
		select {
		case ev := <-ourEvents:
			if ev.Type == p2p.PeerEventTypeDrop {
				if !strings.Contains(ev.Error, "useless peer") {
					t.Fatalf("we saw the drop as %q, want useless peer", ev.Error)
				}
				return
			}
		case <-deadline:
			t.Fatal("we saw no drop")
		}
	}
}

// TestGethDialsOurs: v1.9.7 dials, exchange, then we disconnect it with
// DiscTooManyPeers and v1.9.7 sees that reason. This fails if our
// Disconnect is not in the list form, the only one v1.9.7 decodes.
func TestGethDialsOurs(t *testing.T) {
	ours, geth, results := setup(t)
	gethEvents := make(chan *gethp2p.PeerEvent, 16)
	sub := geth.SubscribeEvents(gethEvents)
	defer sub.Unsubscribe()

	geth.AddPeer(toGeth(t, ours.Self()))
	waitResults(t, results)
	if p := ours.Peers(); len(p) != 1 || p[0].Name() != "geth-v1.9.7" || !p[0].Inbound() {
		t.Fatalf("our peers: %v", p)
	}
	if p := geth.Peers(); len(p) != 1 || p[0].Name() != "seednet" || p[0].Inbound() {
		t.Fatalf("geth's peers: %v", p)
	}
	for _, p := range ours.Peers() {
		p.Disconnect(p2p.DiscTooManyPeers)
	}
	deadline := time.After(20 * time.Second)
	for {
		select {
		case ev := <-gethEvents:
			if ev.Type == gethp2p.PeerEventTypeDrop {
				if !strings.Contains(ev.Error, "too many peers") {
					t.Fatalf("geth saw the drop as %q, want too many peers", ev.Error)
				}
				return
			}
		case <-deadline:
			t.Fatal("geth saw no drop")
		}
	}
}
