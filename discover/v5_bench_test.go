package discover

import (
	"slices"
	"testing"
	"time"
)

// TestNoRaceV5LookupLatency measures lookups of random targets in a
// 200-node v5 network on loopback and reports the minimum, median and
// maximum time; it fails only if lookups find nothing.
func TestNoRaceV5LookupLatency(t *testing.T) {
	if testing.Short() {
		t.Skip("network test")
	}
	if raceEnabled {
		t.Skip("timing-sensitive; run without -race")
	}
	const n, lookups = 200, 50
	start := time.Now()
	nodes := startV5Network(t, n, 3)
	t.Logf("%d nodes up in %v", n, time.Since(start).Round(time.Millisecond))
	var (
		times []time.Duration
		found int
	)
	for i := range lookups {
		asker := nodes[(i*37)%n]
		t0 := time.Now()
		res := asker.Lookup(randomID())
		times = append(times, time.Since(t0))
		found += len(res)
	}
	slices.Sort(times)
	t.Logf("%d lookups in a %d-node network: min %v, median %v, max %v; %.1f nodes per result",
		lookups, n, times[0].Round(time.Microsecond), times[len(times)/2].Round(time.Microsecond),
		times[len(times)-1].Round(time.Microsecond), float64(found)/lookups)
	if found == 0 {
		t.Fatal("lookups found nothing")
	}
}

// BenchmarkV5Lookup measures lookups of random targets in a 50-node v5
// network on loopback.
func BenchmarkV5Lookup(b *testing.B) {
	nodes := startV5Network(b, 50, 3)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		nodes[i%len(nodes)].Lookup(randomID())
	}
}
