//go:build !race

// This test runs without the race detector: go-ethereum v1.17.10's
// discovery table has a data race (p2p/discover/table_reval.go, the
// revalidation list's schedule and run touch nextTime without a lock),
// which the detector reports from go-ethereum's goroutines once their
// tables fill. `make test` runs it in a second pass without -race (tests
// named NoRace).

package discv5_test

import (
	"testing"
	"time"

	gethdiscover "github.com/ethereum/go-ethereum/p2p/discover"
	gethenode "github.com/ethereum/go-ethereum/p2p/enode"

	"github.com/seednet/p2p/discover"
	"github.com/seednet/p2p/enode"
)

// TestNoRaceMixedNetwork: 20 go-ethereum nodes and 20 of ours, all on
// their own ports of 127.0.0.1 and knowing only one bootnode (ours), speak
// only discovery v5. After lookups, every table holds nodes of the other
// kind.
func TestNoRaceMixedNetwork(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	const perSide = 20
	boot := startOurs(t, discover.Config{})
	var (
		ours     []*discover.UDPv5
		geths    []*gethdiscover.UDPv5
		isOurs   = map[enode.ID]bool{boot.Self().ID(): true}
		isGeth   = map[gethenode.ID]bool{}
		ourBoot  = []*enode.Node{boot.Self()}
		gethBoot = []*gethenode.Node{toGeth(boot.Self())}
	)
	for range perSide {
		o := startOurs(t, discover.Config{Bootnodes: ourBoot})
		g := startGeth(t, gethdiscover.Config{Bootnodes: gethBoot})
		ours, geths = append(ours, o), append(geths, g)
		isOurs[o.Self().ID()] = true
		isGeth[g.Self().ID()] = true
	}
	// The bootnode, in every go-ethereum table, does not count.
	oursHasGeth := func(o *discover.UDPv5) bool {
		for _, n := range o.AllNodes() {
			if !isOurs[n.ID()] {
				return true
			}
		}
		return false
	}
	gethHasOurs := func(g *gethdiscover.UDPv5) bool {
		for _, n := range g.AllNodes() {
			if !isGeth[n.ID()] && n.ID() != gethBoot[0].ID() {
				return true
			}
		}
		return false
	}

	start := time.Now()
	deadline := start.Add(90 * time.Second)
	for round := 0; ; round++ {
		missing := 0
		for _, o := range ours {
			if !oursHasGeth(o) {
				missing++
				o.Lookup(enode.ID(randomID()))
			}
		}
		for _, g := range geths {
			if !gethHasOurs(g) {
				missing++
				g.Lookup(gethenode.ID(randomID()))
			}
		}
		if missing == 0 {
			t.Logf("every table holds nodes of the other kind after %v (%d rounds of lookups)", time.Since(start).Round(time.Millisecond), round)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d nodes still have no node of the other kind in their tables", missing)
		}
		time.Sleep(200 * time.Millisecond)
	}
	var ourSizes, gethSizes []int
	for i := range perSide {
		ourSizes = append(ourSizes, len(ours[i].AllNodes()))
		gethSizes = append(gethSizes, len(geths[i].AllNodes()))
	}
	t.Logf("table sizes: ours %v, go-ethereum %v", ourSizes, gethSizes)
}
