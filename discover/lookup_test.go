package discover

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/seednet/p2p/discover/v4wire"
	"github.com/seednet/p2p/enode"
)

// startNetwork starts n nodes on 127.0.0.2, 127.0.0.3, ...; all but the
// first have the first as bootnode. Nodes join one at a time, each once the
// previous one has at least min(minTable, nodes before it) nodes in its
// table, as a network grows; a burst of joins all at once would overload
// the bootnode on two cores under the race detector.
func startNetwork(t testing.TB, n, minTable int) []*UDPv4 {
	t.Helper()
	nodes := make([]*UDPv4, n)
	nodes[0] = startNode(t, "127.0.0.2", nil)
	boot := []*enode.Node{nodes[0].Self()}
	for i := 1; i < n; i++ {
		nodes[i] = startNode(t, fmt.Sprintf("127.0.0.%d", i+2), func(c *Config) { c.Bootnodes = boot })
		waitTable(t, nodes[i], min(minTable, i))
	}
	for _, nd := range nodes {
		waitTable(t, nd, minTable)
	}
	return nodes
}

func waitTable(t testing.TB, nd *UDPv4, size int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for len(nd.TableNodes()) < size {
		if time.Now().After(deadline) {
			t.Fatalf("table of %v has %d nodes; stats %+v", nd.Self().IPAddr(), len(nd.TableNodes()), nd.Stats())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// closestIDs returns the IDs of the k nodes closest to target, by brute force.
func closestIDs(nodes []*UDPv4, target enode.ID, k int) []enode.ID {
	ids := make([]enode.ID, len(nodes))
	for i, n := range nodes {
		ids[i] = n.Self().ID()
	}
	slices.SortFunc(ids, func(a, b enode.ID) int { return enode.DistCmp(target, a, b) })
	return ids[:min(k, len(ids))]
}

// TestNoRaceLookupConverges checks that lookups in a 32-node loopback network
// find the nodes closest to their targets.
func TestNoRaceLookupConverges(t *testing.T) {
	if testing.Short() {
		t.Skip("network test")
	}
	if raceEnabled {
		// Signatures cost about ten times more under the race detector;
		// on two cores replies then miss respTimeout and lookups stop
		// short. The race detector covers lookups in TestRandomNodes.
		t.Skip("timing-sensitive; run without -race")
	}
	nodes := startNetwork(t, 32, 5)
	ctx := context.Background()
	for i := range 8 {
		asker := nodes[(i*7+3)%len(nodes)]
		target := randomTarget()
		if i%2 == 1 { // an existing node as target
			target = v4wire.EncodePubkey(&nodes[(i*5)%len(nodes)].priv.PublicKey)
		}
		got := asker.LookupPubkey(ctx, target)
		want := closestIDs(nodes, target.ID(), bucketSize)
		// The asker itself is never in its own result.
		want = slices.DeleteFunc(want, func(id enode.ID) bool { return id == asker.Self().ID() })
		found := 0
		for _, n := range got {
			if slices.Contains(want, n.ID()) {
				found++
			}
		}
		if len(got) == 0 || got[0].ID() != want[0] || found < len(want)*3/4 {
			t.Errorf("lookup %d: %d nodes, %d of the %d closest; closest found: %v", i, len(got), found, len(want), got[0].ID() == want[0])
		}
	}
}

// TestRandomNodes checks that the iterator yields nodes and ends on Close.
func TestRandomNodes(t *testing.T) {
	nodes := startNetwork(t, 8, 1)
	it := nodes[3].RandomNodes()
	got := enode.ReadNodes(it, 20)
	if len(got) < 3 {
		t.Fatalf("iterator gave %d distinct nodes", len(got))
	}
	for _, n := range got {
		if n.ID() == nodes[3].Self().ID() {
			t.Fatal("iterator returned self")
		}
	}
	done := make(chan bool)
	go func() { done <- it.Next() }()
	it.Close()
	select {
	case <-done: // Next may have returned a buffered node before Close
	case <-time.After(5 * time.Second):
		t.Fatal("Next did not return after Close")
	}
	if it.Next() {
		t.Fatal("Next after Close returned true")
	}
	// Closing the UDPv4 ends a running iterator too.
	it2 := nodes[4].RandomNodes()
	go func() { nodes[4].Close() }()
	for it2.Next() {
	}
	it2.Close()
}
