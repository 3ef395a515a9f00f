//go:build !race

// This test runs without the race detector: go-ethereum v1.17.10's own
// discovery table has a data race (p2p/discover/table_reval.go, the
// revalidation list's schedule and run touch nextTime without a lock),
// which the detector reports from go-ethereum's goroutines. `make test`
// runs it in a second pass without -race (tests named NoRace).

package p2p_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	gethcrypto "github.com/ethereum/go-ethereum/crypto"
	gethp2p "github.com/ethereum/go-ethereum/p2p"
	gethenode "github.com/ethereum/go-ethereum/p2p/enode"

	"github.com/seednet/p2p"
	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/enode"
)

// mixedTimeout bounds the wait; it is generous for the race detector.
const mixedTimeout = 120 * time.Second

// mixedMaxPeers is every node's MaxPeers in the mixed network (see below).
const mixedMaxPeers = 25

// TestNoRaceMixedDiscovery: 20 go-ethereum nodes and 20 of ours, all knowing
// only one bootnode (ours), discover each other over discovery v4 (every
// one of our tables holds go-ethereum nodes) and connect across
// implementations (at least 18 of 20 nodes on each side).
//
// Each node has MaxPeers 25, so it dials 8 peers (DialRatio 3) chosen from
// a table that is about half go-ethereum: with MaxPeers 10 it dialed only
// 3, and a node whose 3 dials all went to its own kind (1 in 8) and whose
// inbound slots stayed empty had no cross peer, so "18 of 20" failed about
// one run in several. With 8 dials that chance is about 1 in 256 per node.
func TestNoRaceMixedDiscovery(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	const perSide = 20
	idle := func(read func() error) error {
		for {
			if err := read(); err != nil {
				return err
			}
		}
	}
	ourProto := p2p.Protocol{Name: protoName, Version: protoVersion, Length: protoLength,
		Run: func(peer *p2p.Peer, rw p2p.MsgReadWriter) error {
			return idle(func() error { _, err := rw.ReadMsg(); return err })
		}}
	gethProto := gethp2p.Protocol{Name: protoName, Version: protoVersion, Length: protoLength,
		Run: func(peer *gethp2p.Peer, rw gethp2p.MsgReadWriter) error {
			return idle(func() error { _, err := rw.ReadMsg(); return err })
		}}

	bootKey, _ := crypto.GenerateKey()
	boot := &p2p.Server{PrivateKey: bootKey, MaxPeers: 50, Name: "seednet-boot", ListenAddr: "127.0.0.1:0", Protocols: []p2p.Protocol{ourProto}}
	if err := boot.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { boot.Stop() })
	bootURL := boot.Self().URLv4()
	ourBoot := enode.MustParse(bootURL)
	gethBoot := gethenode.MustParse(bootURL)

	var ours []*p2p.Server
	var geths []*gethp2p.Server
	for i := range perSide {
		k, _ := crypto.GenerateKey()
		srv := &p2p.Server{PrivateKey: k, MaxPeers: mixedMaxPeers, Name: fmt.Sprintf("seednet-%d", i), ListenAddr: "127.0.0.1:0",
			BootstrapNodes: []*enode.Node{ourBoot}, Protocols: []p2p.Protocol{ourProto}}
		if err := srv.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { srv.Stop() })
		ours = append(ours, srv)

		gk, _ := gethcrypto.GenerateKey()
		g := &gethp2p.Server{Config: gethp2p.Config{PrivateKey: gk, MaxPeers: mixedMaxPeers, Name: fmt.Sprintf("geth-%d", i),
			ListenAddr: "127.0.0.1:0", DiscoveryV4: true, BootstrapNodes: []*gethenode.Node{gethBoot}, Protocols: []gethp2p.Protocol{gethProto}}}
		if err := g.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(g.Stop)
		geths = append(geths, g)
	}

	gethIDs := make(map[enode.ID]bool)
	for _, g := range geths {
		gethIDs[enode.ID(g.Self().ID())] = true
	}
	start := time.Now()
	deadline := start.Add(mixedTimeout)
	for {
		oursCross, gethCross := 0, 0
		for _, srv := range ours {
			for _, p := range srv.Peers() {
				if strings.HasPrefix(p.Name(), "geth-") {
					oursCross++
					break
				}
			}
		}
		for _, g := range geths {
			for _, p := range g.Peers() {
				if strings.HasPrefix(p.Name(), "seednet") {
					gethCross++
					break
				}
			}
		}
		// Every one of our nodes has go-ethereum nodes in its discovery
		// table, and most nodes of each side are connected across. (All
		// of them would be too strict: a node whose slots fill with its
		// own kind first never needs another peer.)
		tablesMixed := 0
		for _, srv := range ours {
			for _, n := range srv.DiscoveryNodes() {
				if gethIDs[n.ID()] {
					tablesMixed++
					break
				}
			}
		}
		if tablesMixed == perSide && oursCross >= perSide*9/10 && gethCross >= perSide*9/10 {
			t.Logf("after %v: %d/%d of our nodes have go-ethereum nodes in their table; %d/%d have a go-ethereum peer, %d/%d go-ethereum nodes have one of ours",
				time.Since(start).Round(time.Millisecond), tablesMixed, perSide, oursCross, perSide, gethCross, perSide)
			return
		}
		if time.Now().After(deadline) {
			for _, srv := range ours[:3] {
				var names []string
				for _, p := range srv.Peers() {
					names = append(names, p.Name())
				}
				t.Logf("%s peers %v stats %+v", srv.Name, names, srv.Stats())
			}
			for _, g := range geths[:3] {
				var names []string
				for _, p := range g.Peers() {
					names = append(names, p.Name())
				}
				t.Logf("%s peers %v", g.Name, names)
			}
			t.Logf("boot stats %+v", boot.Stats())
			t.Fatalf("after %v: %d/%d tables mixed, %d/%d of ours and %d/%d of geth's have a cross peer", time.Since(start), tablesMixed, perSide, oursCross, perSide, gethCross, perSide)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
