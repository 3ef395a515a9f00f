package discover

import (
	"context"
	"fmt"
	"testing"

	"github.com/seednet/p2p/enode"
)

func BenchmarkTableAdd(b *testing.B) {
	tab, _ := newTestTable(b)
	nodes := make([]*enode.Node, 4096)
	for i := range nodes {
		nodes[i] = nullNode(enode.RandomID(tab.selfID, 256-i%20), fmt.Sprintf("10.%d.%d.1", i/256, i%256), 1)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		tab.addFound(nodes[i%len(nodes)])
	}
}

func BenchmarkTableClosest(b *testing.B) {
	tab, _ := newTestTable(b)
	for i := range 4096 {
		tab.addFound(nullNode(enode.RandomID(tab.selfID, 256-i%20), "127.0.0.1", 1))
	}
	target := enode.RandomID(tab.selfID, 256)
	b.ReportMetric(float64(tab.len()), "nodes")
	b.ReportAllocs()
	for b.Loop() {
		tab.closest(target, bucketSize, false)
	}
}

// BenchmarkLookup measures lookups of random targets in a 50-node loopback
// network.
func BenchmarkLookup(b *testing.B) {
	nodes := startNetwork(b, 50, 5)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		nodes[i%len(nodes)].LookupRandom(ctx)
	}
}
