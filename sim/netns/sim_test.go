// Copyright the seednet/p2p authors. Licensed under the Apache License 2.0.

package netns

import (
	"context"
	"testing"
	"time"

	"github.com/seednet/p2p/sim"
)

// TestSim converges nine nodes on three hosts by discovery, over the
// kernel's network, and checks that connections cross hosts.
func TestSim(t *testing.T) {
	const hosts = 3
	lab := newLab(t, Config{Hosts: hosts})
	start := time.Now()
	s, err := sim.New(sim.Config{Nodes: 9, MaxPeers: 6, Place: lab.Place})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Stop() }) // before the lab's Close
	if err := s.Partition([]int{0}); err != sim.ErrLoopback {
		t.Errorf("Partition: %v, want ErrLoopback", err)
	}
	timeout := 60 * time.Second
	if raceEnabled {
		timeout = 90 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	snap, err := s.WaitFor(ctx, sim.Converged(2))
	if err != nil {
		t.Fatalf("%v: %v", err, s.Snapshot())
	}
	t.Logf("converged after %v: %v", time.Since(start).Round(time.Millisecond), snap)
	across := 0
	for _, e := range snap.Edges {
		if e.From%hosts != e.To%hosts {
			across++
		}
	}
	t.Logf("%d of %d connections cross hosts", across, len(snap.Edges))
	if across == 0 {
		t.Errorf("no connection crosses hosts: %v", snap.Edges)
	}
	for _, n := range snap.Nodes {
		want, _ := lab.Place(n.Index)
		if n.Addr != want.ListenAddr {
			t.Errorf("node %d listens on %s, want %s", n.Index, n.Addr, want.ListenAddr)
		}
	}
}
