package dashboard

import (
	"cmp"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/seednet/p2p"
	"github.com/seednet/p2p/enode"
)

// State is a snapshot of what the dashboard shows: GET /dashboard/state
// returns one, and the event stream sends one every Config.Interval (with
// only the newest traffic sample; the first one it sends has them all).
type State struct {
	Time  time.Time `json:"time"`
	Title string    `json:"title"` // Config.Title, or the node's name
	Node  NodeState `json:"node"`
	// Peers lists at most Config.MaxPeers of the PeerCount peers, ordered
	// by name, then ID.
	Peers     []PeerState `json:"peers"`
	PeerCount int         `json:"peerCount"`
	Stats     p2p.Stats   `json:"stats"`
	// Traffic is the history of the traffic counters, oldest first: one
	// sample per Interval, at most Config.History of them.
	Traffic []Sample `json:"traffic"`
	// Discovery describes the discovery tables that run (v4, v5).
	Discovery []TableState `json:"discovery"`
	// Graph is the network: the source's graph (GraphSource), or the node
	// and its peers. GraphNodes and GraphEdges count it before it was cut
	// to Config.MaxNodes nodes and Config.MaxEdges edges.
	Graph      Graph `json:"graph"`
	GraphNodes int   `json:"graphNodes"`
	GraphEdges int   `json:"graphEdges"`
	// Events are the latest peer additions and drops, oldest first, at
	// most 64.
	Events []Event `json:"events"`
	Limits Limits  `json:"limits"`
}

// NodeState describes the watched node.
type NodeState struct {
	Running    bool         `json:"running"` // false when the source returned no NodeInfo
	ID         string       `json:"id"`
	Name       string       `json:"name"`
	Enode      string       `json:"enode"`
	ENR        string       `json:"enr"`
	IP         string       `json:"ip"`
	TCP        int          `json:"tcp"`
	UDP        int          `json:"udp"`
	ListenAddr string       `json:"listenAddr"`
	Protocols  []string     `json:"protocols"` // names, sorted
	NAT        *p2p.NATInfo `json:"nat,omitempty"`
}

// PeerState describes a connected peer.
type PeerState struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"` // as the peer announced it, clipped
	Enode      string   `json:"enode"`
	Caps       []string `json:"caps"`
	Inbound    bool     `json:"inbound"`
	Trusted    bool     `json:"trusted"`
	Static     bool     `json:"static"`
	RemoteAddr string   `json:"remoteAddr"`
	LocalAddr  string   `json:"localAddr"`
	// AgeSeconds is how long the peer has been connected (PeerInfo's
	// Connected; for a source that does not set it, how long since the
	// dashboard first saw the peer).
	AgeSeconds float64 `json:"ageSeconds"`
	// RTTMillis is the round trip of the peer's last ping, 0 before the
	// first (pings go out every 15 s).
	RTTMillis float64 `json:"rttMs,omitempty"`
	// Traffic counts the messages exchanged with the peer in every
	// protocol, the base one included, since it connected (PeerInfo's
	// Traffic).
	Traffic PeerTraffic `json:"traffic"`
}

// PeerTraffic counts messages exchanged with one peer. Sizes are payload
// bytes as on the wire.
type PeerTraffic struct {
	MsgsIn   uint64 `json:"msgsIn"`
	MsgsOut  uint64 `json:"msgsOut"`
	BytesIn  uint64 `json:"bytesIn"`
	BytesOut uint64 `json:"bytesOut"`
}

// Sample is the traffic counters at one moment.
type Sample struct {
	Time int64 `json:"t"` // Unix milliseconds
	// Protocols holds the bytes received and sent so far, per protocol
	// name ("p2p" is the base protocol); past 16 protocols, the rest are
	// added up under "other".
	Protocols map[string][2]uint64 `json:"p"`
}

// TableState describes one version of discovery.
type TableState struct {
	Version string `json:"version"` // "v4" or "v5"
	Size    int    `json:"size"`    // nodes in the table
	// Nodes lists at most Config.MaxTableNodes of them, closest first;
	// empty when the source is not a DiscoveryTables.
	Nodes []TableNode `json:"nodes"`
	// Stats counts its packets: received, sent, handled and dropped by
	// reason (a discover.Stats for v4, a discover.V5Stats for v5).
	Stats any `json:"stats,omitempty"`
}

// TableNode is a node in a discovery table.
type TableNode struct {
	ID   string `json:"id"`
	IP   string `json:"ip"`
	UDP  int    `json:"udp"`
	TCP  int    `json:"tcp"`
	Dist int    `json:"dist"` // log2 distance from the local node's ID
}

// Event is a peer added or dropped.
type Event struct {
	Seq    uint64    `json:"seq"` // 1 for the first event the dashboard saw
	Time   time.Time `json:"time"`
	Type   string    `json:"type"` // "add" or "drop"
	Peer   string    `json:"peer"` // node ID, hex
	Remote string    `json:"remote,omitempty"`
	Error  string    `json:"error,omitempty"` // why a dropped peer ended
}

// Limits are the bounds a State was built with.
type Limits struct {
	IntervalMillis int64 `json:"intervalMillis"`
	MaxPeers       int   `json:"maxPeers"`
	MaxNodes       int   `json:"maxNodes"`
	MaxEdges       int   `json:"maxEdges"`
	MaxTableNodes  int   `json:"maxTableNodes"`
}

const (
	maxEvents       = 64  // events kept for State.Events
	maxProtocols    = 16  // protocols in a traffic sample before "other"
	maxCaps         = 32  // capabilities listed per peer
	maxText         = 200 // bytes of peer-supplied text kept
	otherProtocols  = "other"
	truncatedSuffix = "…"
)

// clip cuts s to at most maxText bytes, on a rune boundary, marking the cut.
func clip(s string) string {
	if len(s) <= maxText {
		return s
	}
	cut := maxText
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + truncatedSuffix
}

// nodeState converts a NodeInfo.
func nodeState(info *p2p.NodeInfo) NodeState {
	if info == nil {
		return NodeState{Protocols: []string{}}
	}
	ns := NodeState{
		Running: true, ID: info.ID, Name: clip(info.Name), Enode: info.Enode, ENR: info.ENR,
		IP: info.IP, TCP: info.Ports.Listener, UDP: info.Ports.Discovery,
		ListenAddr: info.ListenAddr, NAT: info.NAT,
		Protocols: slices.Sorted(maps.Keys(info.Protocols)),
	}
	if ns.Protocols == nil {
		ns.Protocols = []string{}
	}
	return ns
}

// peerState converts a PeerInfo, without age or traffic.
func peerState(p *p2p.PeerInfo) PeerState {
	ps := PeerState{
		ID: p.ID, Name: clip(p.Name), Enode: p.Enode,
		Inbound: p.Network.Inbound, Trusted: p.Network.Trusted, Static: p.Network.Static,
		RemoteAddr: p.Network.RemoteAddress, LocalAddr: p.Network.LocalAddress,
		Caps:      make([]string, 0, min(len(p.Caps), maxCaps)),
		RTTMillis: float64(p.RTT) / float64(time.Millisecond),
		Traffic: PeerTraffic{MsgsIn: p.Traffic.MsgsReceived, MsgsOut: p.Traffic.MsgsSent,
			BytesIn: p.Traffic.BytesReceived, BytesOut: p.Traffic.BytesSent},
	}
	for i, c := range p.Caps {
		if i == maxCaps {
			ps.Caps = append(ps.Caps, truncatedSuffix)
			break
		}
		ps.Caps = append(ps.Caps, clip(c))
	}
	return ps
}

// sortPeers orders peers by name, then ID.
func sortPeers(peers []*p2p.PeerInfo) {
	slices.SortFunc(peers, func(a, b *p2p.PeerInfo) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.ID, b.ID))
	})
}

// newSample takes the traffic counters of st.
func newSample(now time.Time, st p2p.Stats) Sample {
	s := Sample{Time: now.UnixMilli(), Protocols: make(map[string][2]uint64, min(len(st.Traffic), maxProtocols+1))}
	names := slices.Sorted(maps.Keys(st.Traffic))
	for i, name := range names {
		t := st.Traffic[name]
		key := name
		if i >= maxProtocols {
			key = otherProtocols
		}
		v := s.Protocols[key]
		v[0] += t.BytesReceived
		v[1] += t.BytesSent
		s.Protocols[key] = v
	}
	return s
}

// tableState lists nodes of a discovery table, closest to self first.
func tableState(version string, size int, stats any, nodes []*enode.Node, self enode.ID, limit int) TableState {
	ts := TableState{Version: version, Size: max(size, len(nodes)), Stats: stats, Nodes: []TableNode{}}
	slices.SortStableFunc(nodes, func(a, b *enode.Node) int { return enode.DistCmp(self, a.ID(), b.ID()) })
	for _, n := range nodes[:min(len(nodes), limit)] {
		tn := TableNode{ID: n.ID().String(), UDP: n.UDP(), TCP: n.TCP(), Dist: enode.LogDist(self, n.ID())}
		if ip := n.IP(); ip != nil {
			tn.IP = ip.String()
		}
		ts.Nodes = append(ts.Nodes, tn)
	}
	return ts
}

// starGraph is the graph of a single node: it and its peers.
func starGraph(node NodeState, peers []*p2p.PeerInfo) Graph {
	g := Graph{Nodes: []GraphNode{}, Edges: []GraphEdge{}}
	if !node.Running {
		return g
	}
	g.Nodes = append(g.Nodes, GraphNode{ID: node.ID, Name: node.Name, Addr: node.ListenAddr, Peers: len(peers), Watched: true})
	for _, p := range peers {
		g.Nodes = append(g.Nodes, GraphNode{ID: p.ID, Name: p.Name, Addr: p.Network.RemoteAddress, External: true})
		e := GraphEdge{From: node.ID, To: p.ID}
		if p.Network.Inbound {
			e = GraphEdge{From: p.ID, To: node.ID}
		}
		g.Edges = append(g.Edges, e)
	}
	return g
}

// cutGraph keeps at most maxNodes nodes (watched ones first, then the
// network's own, then external ones) and at most maxEdges of the edges
// between the nodes kept. Names are clipped.
func cutGraph(g Graph, maxNodes, maxEdges int) Graph {
	nodes := slices.Clone(g.Nodes)
	rank := func(n GraphNode) int {
		switch {
		case n.Watched:
			return 0
		case !n.External:
			return 1
		}
		return 2
	}
	slices.SortStableFunc(nodes, func(a, b GraphNode) int { return rank(a) - rank(b) })
	out := Graph{Nodes: make([]GraphNode, 0, min(len(nodes), maxNodes)), Edges: []GraphEdge{}}
	kept := make(map[string]bool, cap(out.Nodes))
	for _, n := range nodes {
		if len(out.Nodes) == maxNodes {
			break
		}
		if kept[n.ID] {
			continue
		}
		kept[n.ID] = true
		n.Name = clip(n.Name)
		n.Addr = clip(n.Addr)
		out.Nodes = append(out.Nodes, n)
	}
	for _, e := range g.Edges {
		if len(out.Edges) == maxEdges {
			break
		}
		if kept[e.From] && kept[e.To] && e.From != e.To {
			out.Edges = append(out.Edges, e)
		}
	}
	return out
}

// eventFrom converts a peer event.
func eventFrom(seq uint64, now time.Time, ev *p2p.PeerEvent) Event {
	return Event{
		Seq: seq, Time: now, Type: string(ev.Type), Peer: ev.Peer.String(),
		Remote: clip(ev.RemoteAddress), Error: clip(ev.Error),
	}
}

// limitsOf reports cfg's bounds.
func limitsOf(cfg *Config) Limits {
	return Limits{
		IntervalMillis: cfg.Interval.Milliseconds(),
		MaxPeers:       cfg.MaxPeers, MaxNodes: cfg.MaxNodes, MaxEdges: cfg.MaxEdges,
		MaxTableNodes: cfg.MaxTableNodes,
	}
}
