// Copyright the seednet/p2p authors. Licensed under the Apache License 2.0.

package sim

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/seednet/p2p"
	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/enode"
)

// Gossip is a protocol for measuring how a message spreads over a
// simulated network. It announces and fetches: a node that gets a message
// announces its ID to every peer; a peer that lacks it requests it from
// the first node that announced it (and from the next one if the payload
// has not come after GossipConfig.RequestTimeout or that peer is gone),
// and passes it on in the same way. So each node receives the payload
// about once, however many peers it has, and a 1 MiB message costs the
// network about 1 MiB per node rather than per connection.
//
// A message's ID is the Keccak-256 hash of its payload; a node checks it,
// and disconnects a peer that sends a payload it did not ask for under
// another ID or a message it cannot decode.
//
// One Gossip serves every node of a simulation: give its Protocols method
// as Config.Protocols. Publish starts a message at a node; Wait waits
// until every node alive has it and reports the latencies.
type Gossip struct {
	cfg GossipConfig

	mu    sync.Mutex
	nodes map[int]*gossipNode
	msgs  map[GossipID]*gossipRecord
}

// GossipConfig sets up a Gossip.
type GossipConfig struct {
	// RequestTimeout is how long a node waits for a payload it requested
	// before it asks the next peer that announced it. Zero means 10s.
	RequestTimeout time.Duration
}

// GossipID identifies a gossiped message: the Keccak-256 hash of its
// payload.
type GossipID [32]byte

// String returns the ID's first bytes in hex.
func (id GossipID) String() string { return fmt.Sprintf("%x", id[:6]) }

// Gossip's messages.
const (
	gossipAnnounce = 0 // [id]
	gossipRequest  = 1 // [id]
	gossipPayload  = 2 // [id, data]
	gossipLength   = 3
)

// gossipRecord is what the Gossip knows of one message.
type gossipRecord struct {
	origin    int
	size      int
	published time.Time
	arrived   map[int]time.Duration // by node: after publication
	dups      int                   // payloads received by nodes that had them
	requests  int                   // requests sent
	changed   chan struct{}         // closed and replaced at each arrival
}

// gossipNode is one node's side of the protocol.
type gossipNode struct {
	g     *Gossip
	index int

	mu    sync.Mutex
	peers map[enode.ID]p2p.MsgReadWriter
	have  map[GossipID][]byte
	want  map[GossipID]*gossipWant
}

// gossipWant is a message a node has heard of but not received.
type gossipWant struct {
	from   []enode.ID // the peers that announced it, in order
	asked  int        // how many of from have been asked
	timer  *time.Timer
	asking enode.ID // the peer asked last
}

// NewGossip returns a Gossip.
func NewGossip(cfg GossipConfig) *Gossip {
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = 10 * time.Second
	}
	return &Gossip{cfg: cfg, nodes: make(map[int]*gossipNode), msgs: make(map[GossipID]*gossipRecord)}
}

// Protocols returns the protocols of node index: the gossip protocol. Use
// it as Config.Protocols, or call it from a Protocols function of yours.
func (g *Gossip) Protocols(index int) []p2p.Protocol {
	return []p2p.Protocol{g.Protocol(index)}
}

// Protocol returns the gossip protocol ("gossip", version 1) of node index.
func (g *Gossip) Protocol(index int) p2p.Protocol {
	n := g.node(index)
	return p2p.Protocol{Name: "gossip", Version: 1, Length: gossipLength, Run: n.run}
}

func (g *Gossip) node(index int) *gossipNode {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := g.nodes[index]
	if n == nil {
		n = &gossipNode{g: g, index: index, peers: make(map[enode.ID]p2p.MsgReadWriter),
			have: make(map[GossipID][]byte), want: make(map[GossipID]*gossipWant)}
		g.nodes[index] = n
	}
	return n
}

// Publish gives node from the message data and has it announce it. It
// returns the message's ID.
func (g *Gossip) Publish(from int, data []byte) (GossipID, error) {
	if len(data) > p2p.MaxMessageSize-64 {
		return GossipID{}, fmt.Errorf("sim: gossip message of %d bytes is over the %d a message can hold", len(data), p2p.MaxMessageSize-64)
	}
	id := GossipID(crypto.Keccak256Hash(data))
	g.mu.Lock()
	n := g.nodes[from]
	if n == nil {
		g.mu.Unlock()
		return id, fmt.Errorf("sim: node %d does not run the gossip protocol", from)
	}
	if _, ok := g.msgs[id]; ok {
		g.mu.Unlock()
		return id, fmt.Errorf("sim: gossip message %v was published before", id)
	}
	g.msgs[id] = &gossipRecord{origin: from, size: len(data), published: time.Now(),
		arrived: make(map[int]time.Duration), changed: make(chan struct{})}
	g.mu.Unlock()
	n.received(id, slices.Clone(data), enode.ID{})
	return id, nil
}

// arrived records that node index has message id.
func (g *Gossip) arrived(id GossipID, index int, dup bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	r := g.msgs[id]
	if r == nil {
		return // not published through this Gossip
	}
	if dup {
		r.dups++
		return
	}
	if _, ok := r.arrived[index]; !ok {
		r.arrived[index] = time.Since(r.published)
		close(r.changed)
		r.changed = make(chan struct{})
	}
}

func (g *Gossip) requested(id GossipID) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if r := g.msgs[id]; r != nil {
		r.requests++
	}
}

// Forget drops message id from every node, to free its memory. Nodes that
// have not received it then never will.
func (g *Gossip) Forget(id GossipID) {
	g.mu.Lock()
	nodes := make([]*gossipNode, 0, len(g.nodes))
	for _, n := range g.nodes {
		nodes = append(nodes, n)
	}
	g.mu.Unlock()
	for _, n := range nodes {
		n.mu.Lock()
		delete(n.have, id)
		if w := n.want[id]; w != nil {
			w.timer.Stop()
			delete(n.want, id)
		}
		n.mu.Unlock()
	}
}

// GossipResult is how far a message spread.
type GossipResult struct {
	ID     GossipID `json:"id"`
	Origin int      `json:"origin"`
	Size   int      `json:"size"`
	// Nodes is how many nodes were alive when the result was taken;
	// Delivered how many of them had the message, and Missing how many
	// did not.
	Nodes     int `json:"nodes"`
	Delivered int `json:"delivered"`
	Missing   int `json:"missing"`
	// Duplicates counts payloads a node received when it already had the
	// message; Requests the requests sent for it.
	Duplicates int `json:"duplicates"`
	Requests   int `json:"requests"`
	// Latency percentiles, from publication to arrival, over the nodes
	// alive that had it (the origin, at zero, excluded).
	P50 time.Duration `json:"p50"`
	P90 time.Duration `json:"p90"`
	P99 time.Duration `json:"p99"`
	Max time.Duration `json:"max"`
}

// String summarises r in one line.
func (r GossipResult) String() string {
	return fmt.Sprintf("gossip %v (%d bytes from node %d): %d of %d nodes, %d missing, latency p50 %v p90 %v p99 %v max %v, %d requests, %d duplicates",
		r.ID, r.Size, r.Origin, r.Delivered, r.Nodes, r.Missing,
		r.P50.Round(time.Millisecond), r.P90.Round(time.Millisecond), r.P99.Round(time.Millisecond), r.Max.Round(time.Millisecond),
		r.Requests, r.Duplicates)
}

// Result reports how far message id has spread among the nodes of s
// alive now.
func (g *Gossip) Result(s *Sim, id GossipID) (GossipResult, error) {
	res, _, err := g.result(s, id)
	return res, err
}

func (g *Gossip) result(s *Sim, id GossipID) (GossipResult, <-chan struct{}, error) {
	alive := s.Nodes()
	g.mu.Lock()
	defer g.mu.Unlock()
	r := g.msgs[id]
	if r == nil {
		return GossipResult{}, nil, fmt.Errorf("sim: no gossip message %v was published", id)
	}
	res := GossipResult{ID: id, Origin: r.origin, Size: r.size, Nodes: len(alive), Duplicates: r.dups, Requests: r.requests}
	var lat []time.Duration
	for _, n := range alive {
		d, ok := r.arrived[n.Index]
		if !ok {
			res.Missing++
			continue
		}
		res.Delivered++
		if n.Index != r.origin {
			lat = append(lat, d)
		}
	}
	if len(lat) > 0 {
		slices.Sort(lat)
		pick := func(p int) time.Duration { return lat[(len(lat)*p+99)/100-1] }
		res.P50, res.P90, res.P99, res.Max = pick(50), pick(90), pick(99), lat[len(lat)-1]
	}
	return res, r.changed, nil
}

// Wait waits until every node of s alive has message id, or ctx ends, and
// returns the result either way; its error is ctx's when the message had
// not reached every node.
func (g *Gossip) Wait(ctx context.Context, s *Sim, id GossipID) (GossipResult, error) {
	poll := time.NewTicker(time.Second) // nodes may leave as well as receive
	defer poll.Stop()
	for {
		res, changed, err := g.result(s, id)
		if err != nil || res.Missing == 0 {
			return res, err
		}
		select {
		case <-ctx.Done():
			return res, fmt.Errorf("sim: gossip %v reached %d of %d nodes: %w", id, res.Delivered, res.Nodes, ctx.Err())
		case <-changed:
		case <-poll.C:
		}
	}
}

// errGossipBadPayload disconnects a peer that sent a payload whose hash is
// not the ID it came under.
var errGossipBadPayload = errors.New("gossip: payload does not hash to its ID")

// run is the protocol with one peer.
func (n *gossipNode) run(peer *p2p.Peer, rw p2p.MsgReadWriter) error {
	id := peer.ID()
	n.mu.Lock()
	n.peers[id] = rw
	// Tell the new peer of everything this node has.
	var ids []GossipID
	for mid := range n.have {
		ids = append(ids, mid)
	}
	n.mu.Unlock()
	defer n.peerGone(id)
	for _, mid := range ids {
		go p2p.SendItems(rw, gossipAnnounce, mid)
	}
	for {
		msg, err := rw.ReadMsg()
		if err != nil {
			return err
		}
		switch msg.Code {
		case gossipAnnounce:
			var m struct{ ID GossipID }
			if err := msg.Decode(&m); err != nil {
				return err
			}
			n.announced(m.ID, id)
		case gossipRequest:
			var m struct{ ID GossipID }
			if err := msg.Decode(&m); err != nil {
				return err
			}
			n.mu.Lock()
			data, ok := n.have[m.ID]
			n.mu.Unlock()
			if ok {
				go p2p.SendItems(rw, gossipPayload, m.ID, data)
			}
		case gossipPayload:
			var m struct {
				ID   GossipID
				Data []byte
			}
			if err := msg.Decode(&m); err != nil {
				return err
			}
			if GossipID(crypto.Keccak256Hash(m.Data)) != m.ID {
				return fmt.Errorf("%w: %w", p2p.ErrInvalidMsg, errGossipBadPayload)
			}
			n.received(m.ID, m.Data, id)
		default:
			msg.Discard()
		}
	}
}

// announced handles peer's announcement of id.
func (n *gossipNode) announced(id GossipID, peer enode.ID) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, ok := n.have[id]; ok {
		return
	}
	w := n.want[id]
	if w == nil {
		w = &gossipWant{}
		n.want[id] = w
	}
	w.from = append(w.from, peer)
	if w.timer == nil {
		n.askNextLocked(id, w)
	}
}

// askNextLocked requests id from the next peer that announced it and
// is still connected. With none left, it waits for more announcements.
func (n *gossipNode) askNextLocked(id GossipID, w *gossipWant) {
	for w.asked < len(w.from) {
		p := w.from[w.asked]
		w.asked++
		rw := n.peers[p]
		if rw == nil {
			continue
		}
		w.asking = p
		n.g.requested(id)
		go p2p.SendItems(rw, gossipRequest, id)
		w.timer = time.AfterFunc(n.g.cfg.RequestTimeout, func() { n.requestTimedOut(id, w) })
		return
	}
	w.timer = nil
}

func (n *gossipNode) requestTimedOut(id GossipID, w *gossipWant) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.want[id] == w {
		n.askNextLocked(id, w)
	}
}

// received handles the payload of id, from peer (the zero ID for a
// message published here).
func (n *gossipNode) received(id GossipID, data []byte, from enode.ID) {
	n.mu.Lock()
	if _, ok := n.have[id]; ok {
		n.mu.Unlock()
		n.g.arrived(id, n.index, true)
		return
	}
	n.have[id] = data
	if w := n.want[id]; w != nil {
		if w.timer != nil {
			w.timer.Stop()
		}
		delete(n.want, id)
	}
	rws := make([]p2p.MsgReadWriter, 0, len(n.peers))
	for p, rw := range n.peers {
		if p != from {
			rws = append(rws, rw)
		}
	}
	n.mu.Unlock()
	n.g.arrived(id, n.index, false)
	for _, rw := range rws {
		go p2p.SendItems(rw, gossipAnnounce, id)
	}
}

// peerGone forgets peer, and asks another peer for what it was asked.
func (n *gossipNode) peerGone(peer enode.ID) {
	n.mu.Lock()
	defer n.mu.Unlock()
	delete(n.peers, peer)
	for id, w := range n.want {
		if w.asking == peer && w.timer != nil && w.timer.Stop() {
			n.askNextLocked(id, w)
		}
	}
}
