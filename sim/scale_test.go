package sim

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seednet/p2p/memnet"
)

// TestNoRaceScale is the simulator's big run, in virtual time: inside a
// synctest bubble the clock moves only when every goroutine waits, so
// timeouts (discovery's 500ms replies, handshakes) hold however long the
// CPU takes, and the times reported are the network's with unlimited CPU
// per node. Wall and CPU time are reported beside them.
//
// The run: SIM_NODES nodes (default 100) with MaxPeers 10 converge (one
// component, every node at least 5 peers); one node gossips a message of
// SIM_GOSSIP_SIZE bytes (default 1 MiB) to all, with latency percentiles;
// then SIM_CHURN_RATE percent of the nodes (default 10) are replaced per
// minute for SIM_CHURN_DURATION (default 1m), and the nodes that have run
// for 30s must stay one component at every check. Links: 20ms ±10ms,
// 1% datagram loss, 12.5 MB/s (100 Mbit/s) each way. make sim-long runs
// 1,000 nodes with 10 minutes of churn; the figures are in the README.
func TestNoRaceScale(t *testing.T) {
	if raceEnabled {
		t.Skip("too slow under the race detector")
	}
	nodes := envInt(t, "SIM_NODES", 100)
	size := envInt(t, "SIM_GOSSIP_SIZE", 1<<20)
	rate := envInt(t, "SIM_CHURN_RATE", 10)
	churnFor := envDuration(t, "SIM_CHURN_DURATION", time.Minute)
	artifacts := t.ArtifactDir()

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	g0 := runtime.NumGoroutine()
	wall0, cpu0 := wallNow(), cpuTime()
	phase := func(name string, virtual time.Duration) {
		t.Logf("%s: %v virtual; %v wall, %v CPU since the start",
			name, virtual.Round(time.Millisecond), wallNow().Sub(wall0).Round(time.Second), (cpuTime() - cpu0).Round(time.Second))
	}

	synctest.Test(t, func(t *testing.T) {
		g := NewGossip(GossipConfig{})
		start := time.Now()
		s, err := New(Config{Nodes: nodes, Seed: 1, MaxPeers: 10, Protocols: g.Protocols,
			Link: memnet.Link{Latency: 20 * time.Millisecond, Jitter: 10 * time.Millisecond, Loss: 0.01, Bandwidth: 12_500_000}})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Stop()
		ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
		defer cancel()

		// Progress every 5 virtual seconds, for long runs (-v).
		every := time.NewTicker(5 * time.Second)
		snap, err := s.WaitFor(ctx, func(snap *Snapshot) bool {
			select {
			case <-every.C:
				t.Logf("%v virtual, %v wall: %v", time.Since(start).Round(time.Second), wallNow().Sub(wall0).Round(time.Second), snap)
			default:
			}
			return Converged(5)(snap)
		})
		every.Stop()
		if err != nil {
			t.Fatal(err)
		}
		phase("converged", time.Since(start))
		t.Logf("%d nodes: %v", nodes, snap)
		writeSnapshot(t, artifacts, "converged", snap)

		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		t.Logf("per node: heap %.0f KiB, %.1f goroutines, %.0f ms CPU to converge",
			float64(after.HeapInuse-before.HeapInuse)/1024/float64(nodes),
			float64(runtime.NumGoroutine()-g0)/float64(nodes),
			float64((cpuTime()-cpu0).Milliseconds())/float64(nodes))

		data := randomBytes(7, size)
		id, err := g.Publish(0, data)
		if err != nil {
			t.Fatal(err)
		}
		res, err := g.Wait(ctx, s, id)
		if err != nil {
			t.Fatal(err)
		}
		g.Forget(id)
		phase("gossiped", time.Since(start))
		t.Log(res)

		cctx, ccancel := context.WithTimeout(ctx, churnFor)
		defer ccancel()
		cres, err := s.Churn(cctx, ChurnConfig{Rate: float64(rate) / 100, Keep: 1, Settle: 30 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		phase("churned", time.Since(start))
		t.Logf("%d%% a minute: %v", rate, cres)
		writeSnapshot(t, artifacts, "churned", s.Snapshot())
		want := int(float64(nodes) * float64(rate) / 100 * churnFor.Minutes())
		if cres.Replaced < want*8/10 {
			t.Errorf("replaced %d nodes, want about %d", cres.Replaced, want)
		}
		if cres.Checks == 0 {
			t.Errorf("no check made: the churn (SIM_CHURN_DURATION %v) ended before a node had run the 30s it takes to count", churnFor)
		} else if cres.MaxComponents != 1 {
			t.Errorf("the settled nodes did not stay one component: %v", cres)
		}
		if n := len(s.Nodes()); n != nodes {
			t.Errorf("%d nodes after churn, want %d", n, nodes)
		}
	})
	phase("stopped", 0)
}

// writeSnapshot writes snap as JSON and SVG into dir.
func writeSnapshot(t *testing.T, dir, name string, snap *Snapshot) {
	b, err := json.Marshal(snap)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, name+".svg"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := snap.SVG(f); err != nil {
		t.Fatal(err)
	}
}

// TestNoRaceFootprint measures what a node costs at rest: SIM_FOOTPRINT
// nodes (default 200) without discovery, each the static peer of the next
// and of the seventh after it (4 peers each), in virtual time; heap and
// goroutines per node once all are peered. At 5,000 nodes it shows what
// the memory allows on this machine (the README has the figures).
func TestNoRaceFootprint(t *testing.T) {
	if raceEnabled {
		t.Skip("too slow under the race detector")
	}
	nodes := envInt(t, "SIM_FOOTPRINT", 200)
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	g0 := runtime.NumGoroutine()
	wall0, cpu0 := wallNow(), cpuTime()
	synctest.Test(t, func(t *testing.T) {
		s, err := New(Config{Nodes: nodes, Seed: 1, MaxPeers: 10, NoDiscovery: true,
			Link: memnet.Link{Latency: 20 * time.Millisecond}})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Stop()
		for i := range nodes {
			s.Connect(i, (i+1)%nodes)
			s.Connect(i, (i+7)%nodes)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
		defer cancel()
		snap, err := s.WaitFor(ctx, Converged(4))
		if err != nil {
			t.Fatal(err)
		}
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		t.Logf("%d nodes, all peered (%v): heap %.0f KiB/node (%.2f GiB), %.1f goroutines/node; %v wall, %v CPU",
			nodes, snap, float64(after.HeapInuse-before.HeapInuse)/1024/float64(nodes),
			float64(after.HeapInuse-before.HeapInuse)/(1<<30), float64(runtime.NumGoroutine()-g0)/float64(nodes),
			wallNow().Sub(wall0).Round(time.Second), (cpuTime() - cpu0).Round(time.Second))
	})
}
