package sim

import (
	"context"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seednet/p2p/internal/testutil"
	"github.com/seednet/p2p/memnet"
)

func newSim(t *testing.T, cfg Config) *Sim {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Stop() })
	return s
}

func wait(t *testing.T, s *Sim, timeout time.Duration, cond Condition) *Snapshot {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	start := time.Now()
	snap, err := s.WaitFor(ctx, cond)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("after %v: %v", time.Since(start).Round(time.Millisecond), snap)
	return snap
}

func TestConnectDisconnectEvents(t *testing.T) {
	s := newSim(t, Config{Nodes: 3, NoDiscovery: true, Link: memnet.Link{Latency: 5 * time.Millisecond}})
	sub := s.Subscribe(16)
	s.Connect(0, 1)
	s.Connect(1, 2)
	wait(t, s, 20*time.Second, func(snap *Snapshot) bool {
		return Connected(0, 1)(snap) && Connected(1, 2)(snap)
	})
	added := map[[2]int]bool{}
	for len(added) < 4 {
		select {
		case ev := <-sub.Events():
			if ev.Type == PeerAdded {
				added[[2]int{ev.Node, ev.Peer}] = true
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("events so far %v", added)
		}
	}
	for _, p := range [][2]int{{0, 1}, {1, 0}, {1, 2}, {2, 1}} {
		if !added[p] {
			t.Errorf("no PeerAdded event of node %d for peer %d", p[0], p[1])
		}
	}
	s.Disconnect(0, 1)
	wait(t, s, 20*time.Second, func(snap *Snapshot) bool { return !Connected(0, 1)(snap) })
	for {
		select {
		case ev := <-sub.Events():
			if ev.Type == PeerDropped && ev.Node == 0 && ev.Peer == 1 {
				goto dropped
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no PeerDropped event")
		}
	}
dropped:
	snap := s.Snapshot()
	if comps := snap.Components(); len(comps) != 2 {
		t.Errorf("components %v, want 2", comps)
	}
	b, err := json.Marshal(snap)
	if err != nil || !strings.Contains(string(b), `"edges":[{"from":1,"to":2}]`) {
		t.Errorf("JSON %s, %v", b, err)
	}
	if g := s.Graph(); len(g.Nodes) != 3 || len(g.Edges) != 1 {
		t.Errorf("graph %+v", g)
	}
	if err := s.RemoveNode(2); err != nil {
		t.Fatal(err)
	}
	wait(t, s, 20*time.Second, func(snap *Snapshot) bool { return len(snap.Nodes) == 2 && len(snap.Edges) == 0 })
	s.Stop()
	if _, ok := <-sub.Events(); ok {
		// Drain: events before Stop may still be queued.
		for range sub.Events() {
		}
	}
}

// TestConvergePartitionHeal converges 50 nodes by discovery, splits them
// in two and heals them. Under the race detector (or -short), where
// discovery's timeouts are not kept on a loaded 2-core machine, it runs 16
// nodes joined by Connect in a ring with chords instead.
func TestConvergePartitionHeal(t *testing.T) {
	nodes, minPeers := 50, 4
	cfg := Config{Seed: 1, MaxPeers: 8, NoDiscoveryV5: true,
		Link: memnet.Link{Latency: 10 * time.Millisecond, Jitter: 5 * time.Millisecond, Loss: 0.01}}
	static := raceEnabled || testing.Short()
	if static {
		nodes, minPeers = 16, 2
		cfg.NoDiscovery = true
	}
	cfg.Nodes = nodes
	s := newSim(t, cfg)
	if static {
		for i := range nodes {
			s.Connect(i, (i+1)%nodes)
			s.Connect(i, (i+5)%nodes)
		}
	}
	wait(t, s, 40*time.Second, Converged(minPeers))

	var a, b []int
	for i := range nodes {
		if i < nodes/2 {
			a = append(a, i)
		} else {
			b = append(b, i)
		}
	}
	if err := s.Partition(a, b); err != nil {
		t.Fatal(err)
	}
	snap := wait(t, s, 20*time.Second, ComponentsAre(2))
	for _, c := range snap.Components() {
		if len(c) != nodes/2 {
			t.Errorf("component %v, want one of each half", c)
		}
	}
	s.Heal()
	wait(t, s, 60*time.Second, ComponentsAre(1))
}

func TestLoopback(t *testing.T) {
	s := newSim(t, Config{Nodes: 4, Loopback: true, MaxPeers: 4, NoDiscoveryV5: true, Logger: testutil.Logger(t)})
	wait(t, s, 30*time.Second, Converged(1))
	if err := s.Partition([]int{0}); err != ErrLoopback {
		t.Errorf("Partition on loopback: %v", err)
	}
	if a := s.Node(3).Server.ListenAddr; !strings.HasPrefix(a, "127.0.0.4:") {
		t.Errorf("node 3 listens on %s", a)
	}
}

// envInt reads a test knob from the environment.
func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return n
}

// envDuration reads a duration knob from the environment.
func envDuration(t *testing.T, name string, def time.Duration) time.Duration {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return d
}

// TestScenarioEvents: the scenario's own acts are in the event stream.
func TestScenarioEvents(t *testing.T) {
	s := newSim(t, Config{Nodes: 2, NoDiscovery: true})
	sub := s.Subscribe(16)
	s.SetLink(0, 1, memnet.Link{Latency: time.Millisecond})
	s.Partition([]int{0}, []int{1})
	s.Heal()
	n, err := s.AddNode()
	if err != nil {
		t.Fatal(err)
	}
	s.RemoveNode(n.Index)
	want := []Event{
		{Type: LinkChanged, Node: 0, Peer: 1}, {Type: Partitioned, Node: -1, Peer: -1}, {Type: Healed, Node: -1, Peer: -1},
		{Type: NodeAdded, Node: 2, Peer: -1}, {Type: NodeRemoved, Node: 2, Peer: -1},
	}
	for _, w := range want {
		select {
		case ev := <-sub.Events():
			if ev.Type != w.Type || ev.Node != w.Node || ev.Peer != w.Peer || ev.Time.IsZero() {
				t.Errorf("event %+v, want %s of %d/%d", ev, w.Type, w.Node, w.Peer)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no %s event", w.Type)
		}
	}
}
