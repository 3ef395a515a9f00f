package discover

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/enr"
)

// startV5Network starts n v5 nodes on 127.0.0.2, 127.0.0.3, ...; all but
// the first have the first as bootnode. Nodes join one at a time, each
// once the previous one has at least min(minTable, nodes before it) nodes
// in its table.
func startV5Network(t testing.TB, n, minTable int) []*UDPv5 {
	t.Helper()
	nodes := make([]*UDPv5, n)
	nodes[0] = startV5(t, "127.0.0.2", nil)
	boot := []*enode.Node{nodes[0].Self()}
	for i := 1; i < n; i++ {
		nodes[i] = startV5(t, fmt.Sprintf("127.0.%d.%d", (i+2)/256, (i+2)%256), func(c *Config) { c.Bootnodes = boot })
		waitV5Table(t, nodes[i], min(minTable, i))
	}
	for _, nd := range nodes {
		waitV5Table(t, nd, minTable)
	}
	return nodes
}

func waitV5Table(t testing.TB, nd *UDPv5, size int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for len(nd.AllNodes()) < size {
		if time.Now().After(deadline) {
			t.Fatalf("table of %v has %d nodes; stats %+v", nd.Self().IPAddr(), len(nd.AllNodes()), nd.Stats())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func closestV5IDs(nodes []*UDPv5, target enode.ID, k int) []enode.ID {
	ids := make([]enode.ID, len(nodes))
	for i, n := range nodes {
		ids[i] = n.Self().ID()
	}
	slices.SortFunc(ids, func(a, b enode.ID) int { return enode.DistCmp(target, a, b) })
	return ids[:min(k, len(ids))]
}

// TestV5Lookup: in a 20-node network every node's lookup finds every other
// node it looks up, and lookups of random targets find the closest node.
func TestV5Lookup(t *testing.T) {
	nodes := startV5Network(t, 20, 3)
	// A lookup that races a revalidation or a crossed handshake may miss
	// on a loaded machine; each gets three tries.
	lookup := func(asker *UDPv5, target enode.ID, want enode.ID) (found []*enode.Node, ok bool) {
		for range 3 {
			found = asker.Lookup(target)
			if len(found) > 0 && found[0].ID() == want {
				return found, true
			}
		}
		return found, false
	}
	for i, asker := range nodes {
		target := nodes[(i+7)%len(nodes)].Self().ID()
		found, ok := lookup(asker, target, target)
		if !ok {
			t.Errorf("lookup of node %d from node %d: %d nodes, not first", (i+7)%len(nodes), i, len(found))
		}
		if slices.ContainsFunc(found, func(n *enode.Node) bool { return n.ID() == asker.Self().ID() }) {
			t.Errorf("lookup from node %d returned itself", i)
		}
	}
	for i := range 5 {
		asker, target := nodes[i*3], randomID()
		want := closestV5IDs(slices.DeleteFunc(slices.Clone(nodes), func(n *UDPv5) bool { return n == asker }), target, 1)
		if _, ok := lookup(asker, target, want[0]); !ok {
			t.Errorf("random lookup %d did not find the closest node", i)
		}
	}
	// Resolve finds a node's record through a lookup too.
	if n := nodes[3].Resolve(nodes[9].Self()); n.ID() != nodes[9].Self().ID() {
		t.Errorf("Resolve gave %v", n)
	}
}

// TestV5RandomNodes checks that the iterator yields nodes and ends on Close.
func TestV5RandomNodes(t *testing.T) {
	nodes := startV5Network(t, 8, 2)
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
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Next did not return after Close")
	}
	if it.Next() {
		t.Fatal("Next after Close returned true")
	}
	// Closing the UDPv5 ends a running iterator too.
	it2 := nodes[4].RandomNodes()
	go nodes[4].Close()
	for it2.Next() {
	}
	it2.Close()
}

// TestV5RecordUpdate: a node bumps its record; another node that has it in
// its table sees the newer seq in the PONG of a revalidation ping and
// fetches the record with FINDNODE 0. A PING announcing the newer record
// fetches it too.
func TestV5RecordUpdate(t *testing.T) {
	t.Run("through PONG", func(t *testing.T) {
		b := startV5(t, "127.0.0.3", quiet)
		a := startV5(t, "127.0.0.2", func(c *Config) {
			c.PingInterval = 200 * time.Millisecond
			c.RefreshInterval = time.Hour
			c.Bootnodes = []*enode.Node{b.Self()}
		})
		b.LocalNode().Set(enr.WithEntry("foo", uint(42)))
		want := b.Self().Seq()
		waitRecord(t, a, b.Self().ID(), want)
	})
	t.Run("through PING", func(t *testing.T) {
		b := startV5(t, "127.0.0.3", quiet)
		a := startV5(t, "127.0.0.2", func(c *Config) {
			quiet(c)
			c.Bootnodes = []*enode.Node{b.Self()}
		})
		b.LocalNode().Set(enr.WithEntry("foo", uint(42)))
		if _, err := b.Ping(a.Self()); err != nil {
			t.Fatal(err)
		}
		waitRecord(t, a, b.Self().ID(), b.Self().Seq())
	})
}

func waitRecord(t *testing.T, udp *UDPv5, id enode.ID, seq uint64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if n := udp.tab.get(id); n != nil && n.Seq() == seq {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("record of %v not updated to seq %d; stats %+v", id, seq, udp.Stats())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
