//go:build !race

// Tests that run networks of many of our nodes on loopback
// addresses (127.0.0.2 and up) and measure how they find each other.
package network_test

import (
	"crypto/rand"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/seednet/p2p"
	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/enode"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var idleProto = p2p.Protocol{Name: "idle", Version: 1, Length: 1, Run: func(p *p2p.Peer, rw p2p.MsgReadWriter) error {
	for {
		if _, err := rw.ReadMsg(); err != nil {
			return err
		}
	}
}}

// discoveryMode says which versions of discovery the nodes of a network run.
type discoveryMode struct {
	name   string
	noV4   bool
	noV5   bool
	lookup bool // measure v5 lookups
}

var modes = []discoveryMode{
	{name: "v4+v5", lookup: true}, // the default
	{name: "v5-only", noV4: true, lookup: true},
}

func startNode(t *testing.T, mode discoveryMode, ip string, maxPeers, dialRatio int, boot *enode.Node) *p2p.Server {
	t.Helper()
	key, _ := crypto.GenerateKey()
	srv := &p2p.Server{PrivateKey: key, MaxPeers: maxPeers, DialRatio: dialRatio, ListenAddr: ip + ":0", Name: ip,
		NoDiscoveryV4: mode.noV4, NoDiscoveryV5: mode.noV5, Protocols: []p2p.Protocol{idleProto}}
	if boot != nil {
		srv.BootstrapNodes = []*enode.Node{boot}
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	return srv
}

// TestNoRaceNetwork200: 200 nodes on 127.0.0.2–127.0.0.201 with one
// bootnode on 127.0.0.1, once with both versions of discovery (the
// default) and once with v5 only. Every node gets peers through
// discovery and every table fills; v5 lookups are timed; then a new node
// (allowed to dial all its slots) reaches MaxPeers = 25, and the time it
// took is reported. Without -race: 200 nodes under the race detector are
// too slow for 2 cores.
func TestNoRaceNetwork200(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) { testNetwork200(t, mode) })
	}
}

func testNetwork200(t *testing.T, mode discoveryMode) {
	const n, maxPeers = 200, 25
	boot := startNode(t, mode, "127.0.0.1", 60, 3, nil)
	nodes := make([]*p2p.Server, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			nodes[i] = startNode(t, mode, fmt.Sprintf("127.0.0.%d", i+2), maxPeers, 3, boot.Self())
		}()
	}
	wg.Wait()
	defer func() {
		for _, srv := range nodes {
			srv.Stop()
		}
		boot.Stop()
	}()
	if t.Failed() {
		return
	}

	start := time.Now()
	waitUntil(t, 120*time.Second, func() (bool, string) {
		min, total := maxPeers, 0
		for _, srv := range nodes {
			c := srv.PeerCount()
			total += c
			if c < min {
				min = c
			}
		}
		return min >= 5, fmt.Sprintf("fewest peers %d, mean %.1f", min, float64(total)/n)
	})
	settle := time.Since(start)
	min, total := maxPeers, 0
	for _, srv := range nodes {
		c := srv.PeerCount()
		total += c
		min = minInt(min, c)
	}
	t.Logf("%d nodes: every node has at least 5 peers after %v (fewest %d, mean %.1f)", n, settle.Round(time.Millisecond), min, float64(total)/n)

	// Every table fills: at least minTable nodes (a full bucket's worth).
	const minTable = 16
	waitUntil(t, 60*time.Second, func() (bool, string) {
		min, total := 1<<30, 0
		for _, srv := range nodes {
			c := len(srv.DiscoveryNodes())
			total += c
			min = minInt(min, c)
		}
		return min >= minTable, fmt.Sprintf("smallest table %d, mean %.1f", min, float64(total)/n)
	})
	minT, totalT := 1<<30, 0
	for _, srv := range nodes {
		c := len(srv.DiscoveryNodes())
		totalT += c
		minT = minInt(minT, c)
	}
	t.Logf("tables after %v: smallest %d nodes, mean %.1f", time.Since(start).Round(time.Millisecond), minT, float64(totalT)/n)

	if mode.lookup {
		reportLookups(t, nodes)
	}

	// A new node that may dial all its slots.
	start = time.Now()
	newcomer := startNode(t, mode, "127.0.0.250", maxPeers, 1, boot.Self())
	defer newcomer.Stop()
	waitUntil(t, 120*time.Second, func() (bool, string) {
		c := newcomer.PeerCount()
		return c >= maxPeers, fmt.Sprintf("newcomer has %d peers, stats %+v", c, newcomer.Stats())
	})
	t.Logf("new node reached MaxPeers=%d in %v", maxPeers, time.Since(start).Round(time.Millisecond))
}

func minInt(a, b int) int {
	if a < b {
		return a
	}
	return b
}

func waitUntil(t *testing.T, timeout time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out: %s", state)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// reportLookups times 20 discovery v5 lookups of random targets from
// different nodes of the network and logs min, median and max.
func reportLookups(t *testing.T, nodes []*p2p.Server) {
	var times []time.Duration
	found := 0
	for i := range 20 {
		var target enode.ID
		rand.Read(target[:])
		start := time.Now()
		res := nodes[i*len(nodes)/20].DiscoveryV5().Lookup(target)
		times = append(times, time.Since(start))
		found += len(res)
	}
	slices.Sort(times)
	t.Logf("v5 lookups (20, random targets): min %v, median %v, max %v; %.1f nodes found on average",
		times[0].Round(time.Millisecond), times[len(times)/2].Round(time.Millisecond), times[len(times)-1].Round(time.Millisecond), float64(found)/20)
	if found == 0 {
		t.Fatal("v5 lookups found nothing")
	}
}
