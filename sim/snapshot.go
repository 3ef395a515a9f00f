// Copyright the seednet/p2p authors. Licensed under the Apache License 2.0.

package sim

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/seednet/p2p/dashboard"
)

// Snapshot is the simulated network at one moment: its nodes and the
// connections between them. It marshals to JSON.
type Snapshot struct {
	Time  time.Time      `json:"time"`
	Nodes []SnapshotNode `json:"nodes"`
	// Edges are the connections between nodes of the simulation, each
	// once, from the node that dialed to the one that accepted.
	Edges []Edge `json:"edges"`
}

// SnapshotNode is a node of a Snapshot.
type SnapshotNode struct {
	Index int    `json:"index"`
	ID    string `json:"id"` // hex
	Addr  string `json:"addr"`
	// Peers counts all the node's peers, those outside the simulation
	// included.
	Peers int `json:"peers"`
	// Started is when the node started.
	Started time.Time `json:"started"`
}

// Edge is a connection between two nodes, by index.
type Edge struct {
	From int `json:"from"`
	To   int `json:"to"`
}

// Snapshot returns the nodes alive and their connections.
func (s *Sim) Snapshot() *Snapshot {
	snap := &Snapshot{Time: time.Now()}
	for _, n := range s.Nodes() {
		peers := n.Server.Peers()
		snap.Nodes = append(snap.Nodes, SnapshotNode{
			Index:   n.Index,
			ID:      n.id.String(),
			Addr:    n.Server.ListenAddr,
			Peers:   len(peers),
			Started: n.Started,
		})
		for _, p := range peers {
			if p.Inbound() {
				continue // the other node lists it as outbound
			}
			s.mu.Lock()
			o := s.byID[p.ID()]
			s.mu.Unlock()
			if o != nil {
				snap.Edges = append(snap.Edges, Edge{From: n.Index, To: o.Index})
			}
		}
	}
	return snap
}

// Components returns the connected components of the snapshot's graph,
// as sets of node indexes, largest first.
func (snap *Snapshot) Components() [][]int {
	parent := make(map[int]int, len(snap.Nodes))
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for _, n := range snap.Nodes {
		parent[n.Index] = n.Index
	}
	for _, e := range snap.Edges {
		if _, ok := parent[e.From]; !ok {
			continue
		}
		if _, ok := parent[e.To]; !ok {
			continue
		}
		parent[find(e.From)] = find(e.To)
	}
	groups := make(map[int][]int)
	for _, n := range snap.Nodes {
		r := find(n.Index)
		groups[r] = append(groups[r], n.Index)
	}
	var comps [][]int
	for _, g := range groups {
		comps = append(comps, g)
	}
	slices.SortFunc(comps, func(a, b []int) int {
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		return a[0] - b[0]
	})
	return comps
}

// Settled returns the part of the snapshot made of the nodes that had run
// for at least d when it was taken, and the connections between them: a
// network under churn judged without the nodes that are still joining.
func (snap *Snapshot) Settled(d time.Duration) *Snapshot {
	out := &Snapshot{Time: snap.Time}
	keep := make(map[int]bool, len(snap.Nodes))
	for _, n := range snap.Nodes {
		if snap.Time.Sub(n.Started) >= d {
			keep[n.Index] = true
			out.Nodes = append(out.Nodes, n)
		}
	}
	for _, e := range snap.Edges {
		if keep[e.From] && keep[e.To] {
			out.Edges = append(out.Edges, e)
		}
	}
	return out
}

// PeerCounts returns the minimum, median and maximum of the nodes' peer
// counts (zeros with no node).
func (snap *Snapshot) PeerCounts() (minimum, median, maximum int) {
	if len(snap.Nodes) == 0 {
		return 0, 0, 0
	}
	c := make([]int, len(snap.Nodes))
	for i, n := range snap.Nodes {
		c[i] = n.Peers
	}
	slices.Sort(c)
	return c[0], c[len(c)/2], c[len(c)-1]
}

// String summarises the snapshot: nodes, edges, components and peer counts.
func (snap *Snapshot) String() string {
	lo, med, hi := snap.PeerCounts()
	return fmt.Sprintf("%d nodes, %d connections, %d components, peers min %d median %d max %d",
		len(snap.Nodes), len(snap.Edges), len(snap.Components()), lo, med, hi)
}

// Condition is what WaitFor waits for.
type Condition func(*Snapshot) bool

// Converged is true when the nodes form one component and each has at
// least minPeers peers.
func Converged(minPeers int) Condition {
	return func(snap *Snapshot) bool {
		lo, _, _ := snap.PeerCounts()
		return len(snap.Nodes) > 0 && lo >= minPeers && len(snap.Components()) == 1
	}
}

// ComponentsAre is true when the snapshot has exactly k components.
func ComponentsAre(k int) Condition {
	return func(snap *Snapshot) bool { return len(snap.Components()) == k }
}

// Connected is true when nodes a and b are peers.
func Connected(a, b int) Condition {
	return func(snap *Snapshot) bool {
		for _, e := range snap.Edges {
			if (e.From == a && e.To == b) || (e.From == b && e.To == a) {
				return true
			}
		}
		return false
	}
}

// pollInterval is how often WaitFor takes a snapshot.
const pollInterval = 100 * time.Millisecond

// WaitFor takes snapshots until cond holds of one, which it returns, or
// ctx ends: then the error wraps ctx's and says what the last snapshot
// looked like.
func (s *Sim) WaitFor(ctx context.Context, cond Condition) (*Snapshot, error) {
	t := time.NewTicker(pollInterval)
	defer t.Stop()
	for {
		snap := s.Snapshot()
		if cond(snap) {
			return snap, nil
		}
		select {
		case <-ctx.Done():
			return snap, fmt.Errorf("sim: condition not met (%v): %w", snap, ctx.Err())
		case <-t.C:
		}
	}
}

// Graph returns the network for the dashboard: every node and every
// connection between them. It makes *Sim a dashboard.GraphSource.
func (s *Sim) Graph() dashboard.Graph {
	snap := s.Snapshot()
	var g dashboard.Graph
	ids := make(map[int]string, len(snap.Nodes))
	for _, n := range snap.Nodes {
		ids[n.Index] = n.ID
		g.Nodes = append(g.Nodes, dashboard.GraphNode{
			ID: n.ID, Name: fmt.Sprintf("sim-%d", n.Index), Addr: n.Addr, Peers: n.Peers,
		})
	}
	for _, e := range snap.Edges {
		g.Edges = append(g.Edges, dashboard.GraphEdge{From: ids[e.From], To: ids[e.To]})
	}
	return g
}
