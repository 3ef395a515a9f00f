package dashboard

import (
	"github.com/seednet/p2p"
	"github.com/seednet/p2p/discover"
)

// Source is a node the dashboard watches. *p2p.Server is one.
type Source interface {
	// NodeInfo describes the node; nil when it is not running.
	NodeInfo() *p2p.NodeInfo
	// PeersInfo describes the connected peers.
	PeersInfo() []*p2p.PeerInfo
	// Stats returns the node's counters.
	Stats() p2p.Stats
	// SubscribeEvents delivers peer events to ch until the subscription
	// ends; it must never block the node on a slow reader.
	SubscribeEvents(ch chan *p2p.PeerEvent) p2p.Subscription
}

// PeerLister is implemented by sources that list their peers as *p2p.Peer,
// as *p2p.Server does. The dashboard then shows how long each peer has been
// connected (Peer.Lifetime); for other sources, how long since the
// dashboard first saw it.
type PeerLister interface {
	Peers() []*p2p.Peer
}

// DiscoveryTables is implemented by sources whose discovery tables the
// dashboard can list, as *p2p.Server does. Either method returns nil when
// that version of discovery does not run.
type DiscoveryTables interface {
	DiscoveryV4() *discover.UDPv4
	DiscoveryV5() *discover.UDPv5
}

// GraphSource is implemented by sources that know a whole network: a local
// test network (see NewNetwork) or a simulator. The dashboard draws the
// graph it returns. For other sources it draws the node and its peers.
type GraphSource interface {
	// Graph returns the nodes of the network and the connections between
	// them. It is called once per snapshot; the dashboard cuts it to
	// Config.MaxNodes nodes and Config.MaxEdges edges.
	Graph() Graph
}

// Graph is a network: nodes and the connections between them.
type Graph struct {
	Nodes []GraphNode `json:"nodes"`
	Edges []GraphEdge `json:"edges"`
}

// GraphNode is a node of a Graph.
type GraphNode struct {
	ID    string `json:"id"`   // node ID, hex
	Name  string `json:"name"` // client name, "" when unknown
	Addr  string `json:"addr,omitempty"`
	Peers int    `json:"peers"` // how many peers it has, when known
	// Watched marks the node whose details the page shows.
	Watched bool `json:"watched,omitempty"`
	// External marks a node outside the watched network, known only as a
	// peer of one of its nodes.
	External bool `json:"external,omitempty"`
}

// GraphEdge is a connection between two nodes of a Graph, from the node
// that dialed to the one that accepted.
type GraphEdge struct {
	From string `json:"from"` // node ID, hex
	To   string `json:"to"`   // node ID, hex
}

// Network is a Source for a local test network: several servers in one
// process. The page shows the first server's details (its peers, stats and
// events) and draws every server and the connections between them. Make it
// with NewNetwork.
type Network struct {
	servers []*p2p.Server
}

// NewNetwork returns a source for the servers; the first is the one whose
// details the page shows. With no servers the page shows an empty,
// stopped node.
func NewNetwork(servers ...*p2p.Server) *Network {
	return &Network{servers: append([]*p2p.Server(nil), servers...)}
}

// watched returns the first server, or nil.
func (n *Network) watched() *p2p.Server {
	if len(n.servers) == 0 {
		return nil
	}
	return n.servers[0]
}

// NodeInfo describes the first server.
func (n *Network) NodeInfo() *p2p.NodeInfo {
	if s := n.watched(); s != nil {
		return s.NodeInfo()
	}
	return nil
}

// PeersInfo describes the first server's peers.
func (n *Network) PeersInfo() []*p2p.PeerInfo {
	if s := n.watched(); s != nil {
		return s.PeersInfo()
	}
	return nil
}

// Peers returns the first server's peers.
func (n *Network) Peers() []*p2p.Peer {
	if s := n.watched(); s != nil {
		return s.Peers()
	}
	return nil
}

// Stats returns the first server's counters.
func (n *Network) Stats() p2p.Stats {
	if s := n.watched(); s != nil {
		return s.Stats()
	}
	return p2p.Stats{}
}

// SubscribeEvents subscribes to the first server's peer events.
func (n *Network) SubscribeEvents(ch chan *p2p.PeerEvent) p2p.Subscription {
	if s := n.watched(); s != nil {
		return s.SubscribeEvents(ch)
	}
	return newIdleSub()
}

// DiscoveryV4 returns the first server's discovery v4, or nil.
func (n *Network) DiscoveryV4() *discover.UDPv4 {
	if s := n.watched(); s != nil {
		return s.DiscoveryV4()
	}
	return nil
}

// DiscoveryV5 returns the first server's discovery v5, or nil.
func (n *Network) DiscoveryV5() *discover.UDPv5 {
	if s := n.watched(); s != nil {
		return s.DiscoveryV5()
	}
	return nil
}

// Graph returns every running server, the peers they have outside the
// network, and one edge per connection.
func (n *Network) Graph() Graph {
	var (
		g     Graph
		index = make(map[string]int) // node ID -> position in g.Nodes
		edges = make(map[GraphEdge]bool)
		peers = make([][]*p2p.PeerInfo, len(n.servers))
		ids   = make([]string, len(n.servers))
	)
	for i, s := range n.servers {
		info := s.NodeInfo()
		if info == nil {
			continue // stopped
		}
		if _, dup := index[info.ID]; dup {
			continue
		}
		peers[i] = s.PeersInfo()
		ids[i] = info.ID
		index[info.ID] = len(g.Nodes)
		g.Nodes = append(g.Nodes, GraphNode{
			ID: info.ID, Name: info.Name, Addr: info.ListenAddr,
			Peers: len(peers[i]), Watched: i == 0,
		})
	}
	for i := range n.servers {
		if peers[i] == nil {
			continue
		}
		self := ids[i]
		for _, p := range peers[i] {
			if _, ok := index[p.ID]; !ok {
				index[p.ID] = len(g.Nodes)
				g.Nodes = append(g.Nodes, GraphNode{
					ID: p.ID, Name: p.Name, Addr: p.Network.RemoteAddress, External: true,
				})
			}
			e := GraphEdge{From: self, To: p.ID}
			if p.Network.Inbound {
				e = GraphEdge{From: p.ID, To: self}
			}
			if !edges[e] {
				edges[e] = true
				g.Edges = append(g.Edges, e)
			}
		}
	}
	return g
}

// idleSub is a subscription that delivers nothing.
type idleSub struct {
	errc chan error
	once chan struct{}
}

func newIdleSub() *idleSub {
	return &idleSub{errc: make(chan error), once: make(chan struct{}, 1)}
}

// Unsubscribe ends the subscription.
func (s *idleSub) Unsubscribe() {
	select {
	case s.once <- struct{}{}:
		close(s.errc)
	default:
	}
}

// Err returns a channel closed by Unsubscribe.
func (s *idleSub) Err() <-chan error { return s.errc }
