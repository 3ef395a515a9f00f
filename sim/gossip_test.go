package sim

import (
	"bytes"
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/seednet/p2p"
	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/memnet"
	"github.com/seednet/p2p/p2ptest"
)

func randomBytes(seed uint64, n int) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(seed, 1))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// TestGossip spreads a 256 KiB message over 24 nodes joined in a ring
// with chords, checks that every node gets it about once, and that a node
// that joins afterwards is offered it by its first peer.
func TestGossip(t *testing.T) {
	g := NewGossip(GossipConfig{})
	const nodes = 24
	s := newSim(t, Config{Nodes: nodes, NoDiscovery: true, Protocols: g.Protocols,
		Link: memnet.Link{Latency: 10 * time.Millisecond, Jitter: 5 * time.Millisecond, Bandwidth: 4 << 20}})
	for i := range nodes {
		s.Connect(i, (i+1)%nodes)
		s.Connect(i, (i+7)%nodes)
	}
	wait(t, s, 60*time.Second, Converged(3))

	data := randomBytes(1, 256<<10)
	id, err := g.Publish(3, data)
	if err != nil {
		t.Fatal(err)
	}
	if id != GossipID(crypto.Keccak256Hash(data)) {
		t.Fatalf("ID %v is not the payload's hash", id)
	}
	if _, err := g.Publish(4, data); err == nil {
		t.Error("publishing the same message twice: no error")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := g.Wait(ctx, s, id)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(res)
	if res.Delivered != nodes || res.Missing != 0 || res.Origin != 3 || res.Size != len(data) {
		t.Errorf("result %+v", res)
	}
	// Announce and fetch: a node asks one peer at a time, so payloads
	// sent twice are rare (a request that timed out, then both answer).
	if res.Duplicates > nodes/4 {
		t.Errorf("%d duplicate payloads for %d nodes", res.Duplicates, nodes)
	}
	if !(0 < res.P50 && res.P50 <= res.P90 && res.P90 <= res.P99 && res.P99 <= res.Max) {
		t.Errorf("percentiles out of order: %+v", res)
	}
	// At 4 MiB/s a hop takes at least 256 KiB / 4 MiB/s = 62.5ms.
	if res.Max < 60*time.Millisecond {
		t.Errorf("slowest arrival %v: the bandwidth limit did not hold", res.Max)
	}
	for i := range nodes {
		if got := g.node(i).have[id]; !bytes.Equal(got, data) {
			t.Fatalf("node %d has %d bytes, not the message", i, len(got))
		}
	}

	late, err := s.AddNode()
	if err != nil {
		t.Fatal(err)
	}
	s.Connect(late.Index, 0)
	ctx2, cancel2 := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel2()
	if res, err = g.Wait(ctx2, s, id); err != nil || res.Delivered != nodes+1 {
		t.Fatalf("late node: %v, %v", res, err)
	}

	g.Forget(id)
	if _, ok := g.node(0).have[id]; ok {
		t.Error("Forget left the payload")
	}
	if _, err := g.Publish(99, data[:10]); err == nil {
		t.Error("publishing at a node without the protocol: no error")
	}
}

// TestGossipProtocol scripts peers against one node's gossip protocol.
func TestGossipProtocol(t *testing.T) {
	data := []byte("the message")
	id := GossipID(crypto.Keccak256Hash(data))

	t.Run("fetch", func(t *testing.T) {
		g := NewGossip(GossipConfig{RequestTimeout: 200 * time.Millisecond})
		h := p2ptest.New(t, g.Protocol(0), p2ptest.Peers(2))
		a, b := h.Peer(0), h.Peer(1)
		a.SendItems(gossipAnnounce, id)
		a.Expect(gossipRequest, []any{id})
		b.SendItems(gossipAnnounce, id)
		// a does not answer: after the timeout the node asks b.
		b.Expect(gossipRequest, []any{id})
		b.SendItems(gossipPayload, id, data)
		a.Expect(gossipAnnounce, []any{id}) // passed on to the peer that did not send it
		a.SendItems(gossipRequest, id)
		a.Expect(gossipPayload, []any{id, data})
		b.ExpectNone(100 * time.Millisecond)
	})
	t.Run("bad payload", func(t *testing.T) {
		g := NewGossip(GossipConfig{})
		h := p2ptest.New(t, g.Protocol(0))
		p := h.Peer(0)
		p.SendItems(gossipPayload, id, []byte("another message"))
		p.ExpectDisconnect(p2p.DiscProtocolError)
	})
	t.Run("undecodable", func(t *testing.T) {
		g := NewGossip(GossipConfig{})
		h := p2ptest.New(t, g.Protocol(0))
		p := h.Peer(0)
		p.SendRaw(gossipAnnounce, []byte{0xc1})
		p.ExpectDisconnect(p2p.DiscProtocolError)
	})
	t.Run("peer gone", func(t *testing.T) {
		g := NewGossip(GossipConfig{RequestTimeout: time.Minute})
		h := p2ptest.New(t, g.Protocol(0), p2ptest.Peers(2))
		a, b := h.Peer(0), h.Peer(1)
		a.SendItems(gossipAnnounce, id)
		a.Expect(gossipRequest, []any{id})
		b.SendItems(gossipAnnounce, id)
		a.Close() // the peer asked leaves: the next is asked at once
		b.Expect(gossipRequest, []any{id})
	})
}
