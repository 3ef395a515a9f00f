// Copyright the seednet/p2p authors. Licensed under the Apache License 2.0.

package sim

import (
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/netip"
	"sync"
	"time"

	"github.com/seednet/p2p"
	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/memnet"
)

// ErrLoopback is returned by the link and partition methods of a
// simulation on loopback sockets or on a Config.Place network, which have
// no in-memory links to shape.
var ErrLoopback = errors.New("sim: no in-memory network to shape (Config.Loopback or Config.Place is set)")

// ErrStopped is returned by the methods of a stopped simulation.
var ErrStopped = errors.New("sim: stopped")

// Config sets up a simulation.
type Config struct {
	// Nodes is how many nodes New starts. Zero means none: add them with
	// AddNode.
	Nodes int
	// Seed seeds the in-memory network's jitter and loss.
	Seed uint64
	// Link is the default link between nodes. The zero Link delivers at
	// once and loses nothing.
	Link memnet.Link
	// Loopback runs the nodes on the operating system's loopback sockets,
	// 127.0.0.1, 127.0.0.2 and so on, instead of the in-memory network.
	// Link, Partition and SetLink have no effect there.
	Loopback bool
	// JoinInterval spaces the starts of New's nodes: New returns after
	// Nodes×JoinInterval. Zero starts them all at once, which on a small
	// machine makes hundreds of nodes bootstrap at the same moment, as no
	// real network does.
	JoinInterval time.Duration
	// Bootnodes is how many bootstrap nodes each node is given: nodes
	// already in the simulation, picked at random (from Seed) among the
	// first 16 added that are alive, so that no one node answers every
	// newcomer, as a network with a handful of well-known bootnodes.
	// Zero means 3; the first node has none.
	Bootnodes int
	// MaxPeers is each node's p2p.Server.MaxPeers. Zero means 10.
	MaxPeers int
	// DialRatio is each node's p2p.Server.DialRatio. Zero means 2: a node
	// dials up to half its slots, so that it can reach MaxPeers/2 peers
	// by its own dials.
	DialRatio int
	// NoDiscoveryV4 and NoDiscoveryV5 switch one version of discovery off.
	NoDiscoveryV4, NoDiscoveryV5 bool
	// NoDiscovery switches discovery off: nodes peer only by Connect.
	NoDiscovery bool
	// Place, if not nil, puts node i on a network of the caller's (such
	// as network namespaces): its server gets the Placement's Network,
	// Dialer and ListenAddr, and the simulation uses neither the in-memory
	// network nor Loopback. Link, Partition and SetLink then return
	// ErrLoopback: shaping is the placement's business.
	Place func(index int) (Placement, error)
	// Protocols returns the protocols of the node with the given index.
	// Nil means none.
	Protocols func(index int) []p2p.Protocol
	// Configure, if not nil, is called on each server before it starts,
	// after the simulation has set its fields.
	Configure func(index int, srv *p2p.Server)
	// Logger receives the simulation's logs and, with the attribute
	// node=index, the servers'. Nil means none.
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.MaxPeers == 0 {
		c.MaxPeers = 10
	}
	if c.DialRatio == 0 {
		c.DialRatio = 2
	}
	if c.Bootnodes == 0 {
		c.Bootnodes = 3
	}
	return c
}

// Placement is where a node runs, for Config.Place.
type Placement struct {
	Network    p2p.Network    // the server's sockets; nil means the OS's
	Dialer     p2p.NodeDialer // its outbound connections; nil means TCP
	ListenAddr string         // such as "10.0.0.7:30303" or "10.0.0.7:0"
}

// Node is one node of a simulation.
type Node struct {
	// Index numbers the nodes in the order they were added, from 0.
	Index int
	// Server is the node's server, running until RemoveNode or Stop.
	Server *p2p.Server
	// Host is the node's host on the in-memory network; nil on loopback.
	Host *memnet.Host
	// Started is when the node's server started.
	Started time.Time

	id   enode.ID
	self *enode.Node
	sub  p2p.Subscription
	done chan struct{} // closed when the event forwarder has ended
}

// ID returns the node's ID.
func (n *Node) ID() enode.ID { return n.id }

// Self returns the node's record, as the server had it at start.
func (n *Node) Self() *enode.Node { return n.self }

// Sim is a running simulation. Its methods are safe for concurrent use.
type Sim struct {
	cfg Config
	net *memnet.Network // nil on loopback
	ev  eventFeed

	mu      sync.Mutex // guards the fields below
	rng     *rand.Rand // picks bootnodes
	nodes   []*Node    // by index; nil once removed
	byID    map[enode.ID]*Node
	stopped bool
}

// New starts a simulation of cfg.Nodes nodes. The caller must Stop it.
func New(cfg Config) (*Sim, error) {
	cfg = cfg.withDefaults()
	s := &Sim{cfg: cfg, byID: make(map[enode.ID]*Node), rng: rand.New(rand.NewPCG(cfg.Seed, 0x5eed))}
	if !cfg.Loopback && cfg.Place == nil {
		s.net = memnet.New(memnet.Config{Seed: cfg.Seed, Link: cfg.Link})
	}
	next := time.Now()
	for i := range cfg.Nodes {
		if i > 0 && cfg.JoinInterval > 0 {
			next = next.Add(cfg.JoinInterval)
			time.Sleep(time.Until(next))
		}
		if _, err := s.AddNode(); err != nil {
			s.Stop()
			return nil, err
		}
	}
	return s, nil
}

// Network returns the in-memory network, or nil on loopback.
func (s *Sim) Network() *memnet.Network { return s.net }

// AddNode starts a new node, with Config.Bootnodes of the first nodes
// alive as its bootnodes.
func (s *Sim) AddNode() (*Node, error) {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return nil, ErrStopped
	}
	index := len(s.nodes)
	s.nodes = append(s.nodes, nil) // reserve the index
	var first []*enode.Node
	for _, n := range s.nodes {
		if n != nil {
			first = append(first, n.self)
			if len(first) == 16 {
				break
			}
		}
	}
	s.rng.Shuffle(len(first), func(i, j int) { first[i], first[j] = first[j], first[i] })
	boot := first[:min(len(first), s.cfg.Bootnodes)]
	s.mu.Unlock()

	key, err := crypto.GenerateKey()
	if err != nil {
		return nil, err
	}
	srv := &p2p.Server{
		PrivateKey:    key,
		MaxPeers:      s.cfg.MaxPeers,
		DialRatio:     s.cfg.DialRatio,
		NoDiscovery:   s.cfg.NoDiscovery,
		NoDiscoveryV4: s.cfg.NoDiscoveryV4,
		NoDiscoveryV5: s.cfg.NoDiscoveryV5,
		Name:          fmt.Sprintf("sim-%d", index),
	}
	node := &Node{Index: index, Server: srv, done: make(chan struct{})}
	switch {
	case s.cfg.Place != nil:
		pl, err := s.cfg.Place(index)
		if err != nil {
			return nil, fmt.Errorf("sim: placing node %d: %w", index, err)
		}
		srv.Network, srv.Dialer, srv.ListenAddr = pl.Network, pl.Dialer, pl.ListenAddr
	case s.net != nil:
		node.Host = s.net.NewHost()
		srv.ListenAddr = node.Host.Addr().String() + ":30303"
		srv.Network, srv.Dialer = node.Host, node.Host
	default:
		v := index + 1
		ip := netip.AddrFrom4([4]byte{127, byte(v >> 16), byte(v >> 8), byte(v)})
		srv.ListenAddr = ip.String() + ":0"
	}
	if len(boot) > 0 {
		srv.BootstrapNodes = boot
	}
	if s.cfg.Protocols != nil {
		srv.Protocols = s.cfg.Protocols(index)
	}
	if s.cfg.Logger != nil {
		srv.Logger = s.cfg.Logger.With("node", index)
	}
	if s.cfg.Configure != nil {
		s.cfg.Configure(index, srv)
	}
	if err := srv.Start(); err != nil {
		return nil, fmt.Errorf("sim: node %d: %w", index, err)
	}
	node.Started = time.Now()
	node.self = srv.Self()
	node.id = node.self.ID()
	ch := make(chan *p2p.PeerEvent, 64)
	node.sub = srv.SubscribeEvents(ch)
	go s.forward(node, ch)

	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		s.stopNode(node)
		return nil, ErrStopped
	}
	s.nodes[index] = node
	s.byID[node.id] = node
	s.mu.Unlock()
	s.ev.send(Event{Time: node.Started, Type: NodeAdded, Node: index, Peer: -1, PeerID: node.id})
	return node, nil
}

// forward turns a node's peer events into the simulation's.
func (s *Sim) forward(n *Node, ch chan *p2p.PeerEvent) {
	defer close(n.done)
	for {
		select {
		case ev := <-ch:
			var t EventType
			switch ev.Type {
			case p2p.PeerEventTypeAdd:
				t = PeerAdded
			case p2p.PeerEventTypeDrop:
				t = PeerDropped
			default:
				continue
			}
			peer := -1
			s.mu.Lock()
			if p := s.byID[ev.Peer]; p != nil {
				peer = p.Index
			}
			s.mu.Unlock()
			s.ev.send(Event{Time: time.Now(), Type: t, Node: n.Index, Peer: peer, PeerID: ev.Peer, Error: ev.Error})
		case <-n.sub.Err():
			return
		}
	}
}

func (s *Sim) stopNode(n *Node) error {
	err := n.Server.Stop()
	n.sub.Unsubscribe()
	<-n.done
	return err
}

// RemoveNode stops node i and takes it out of the simulation.
func (s *Sim) RemoveNode(i int) error {
	s.mu.Lock()
	if i < 0 || i >= len(s.nodes) || s.nodes[i] == nil {
		s.mu.Unlock()
		return fmt.Errorf("sim: no node %d", i)
	}
	n := s.nodes[i]
	s.nodes[i] = nil
	delete(s.byID, n.id)
	s.mu.Unlock()
	err := s.stopNode(n)
	s.ev.send(Event{Time: time.Now(), Type: NodeRemoved, Node: i, Peer: -1, PeerID: n.id})
	return err
}

// Node returns node i, or nil if there is none (never added, or removed).
func (s *Sim) Node(i int) *Node {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i < 0 || i >= len(s.nodes) {
		return nil
	}
	return s.nodes[i]
}

// Nodes returns the nodes alive, by index.
func (s *Sim) Nodes() []*Node {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ns []*Node
	for _, n := range s.nodes {
		if n != nil {
			ns = append(ns, n)
		}
	}
	return ns
}

func (s *Sim) pair(a, b int) (*Node, *Node, error) {
	na, nb := s.Node(a), s.Node(b)
	if na == nil || nb == nil {
		return nil, nil, fmt.Errorf("sim: no node %d or %d", a, b)
	}
	return na, nb, nil
}

// Connect makes node a dial node b as a static peer, and redial it when
// the connection is lost, until Disconnect. It does not wait for the
// connection: WaitFor(ctx, Connected(a, b)) does.
func (s *Sim) Connect(a, b int) error {
	na, nb, err := s.pair(a, b)
	if err != nil {
		return err
	}
	na.Server.AddPeer(nb.self)
	return nil
}

// Disconnect ends the connection between a and b and the static peering
// that Connect made, either way. Discovery may connect them again later.
func (s *Sim) Disconnect(a, b int) error {
	na, nb, err := s.pair(a, b)
	if err != nil {
		return err
	}
	na.Server.RemovePeer(nb.self)
	nb.Server.RemovePeer(na.self)
	return nil
}

// Partition splits the nodes into groups (by index) that cannot reach each
// other; the nodes named in no group form one more. Connections across the
// split are reset.
func (s *Sim) Partition(groups ...[]int) error {
	if s.net == nil {
		return ErrLoopback
	}
	ips := make([][]netip.Addr, len(groups))
	for i, g := range groups {
		for _, idx := range g {
			n := s.Node(idx)
			if n == nil {
				return fmt.Errorf("sim: no node %d", idx)
			}
			ips[i] = append(ips[i], n.Host.Addr())
		}
	}
	s.net.Partition(ips...)
	s.ev.send(Event{Time: time.Now(), Type: Partitioned, Node: -1, Peer: -1})
	return nil
}

// Heal ends the partition.
func (s *Sim) Heal() error {
	if s.net == nil {
		return ErrLoopback
	}
	s.net.Heal()
	s.ev.send(Event{Time: time.Now(), Type: Healed, Node: -1, Peer: -1})
	return nil
}

// SetLink sets the link between nodes a and b.
func (s *Sim) SetLink(a, b int, l memnet.Link) error {
	if s.net == nil {
		return ErrLoopback
	}
	na, nb, err := s.pair(a, b)
	if err != nil {
		return err
	}
	s.net.SetLink(na.Host.Addr(), nb.Host.Addr(), l)
	s.ev.send(Event{Time: time.Now(), Type: LinkChanged, Node: a, Peer: b})
	return nil
}

// Stop stops every node and the network, and ends the event
// subscriptions. It returns the first error of stopping a server. It is
// idempotent.
func (s *Sim) Stop() error {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return nil
	}
	s.stopped = true
	nodes := s.nodes
	s.nodes = nil
	s.mu.Unlock()

	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	sem := make(chan struct{}, 16)
	for _, n := range nodes {
		if n == nil {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := s.stopNode(n); err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if s.net != nil {
		s.net.Close()
	}
	s.ev.close()
	return firstErr
}
