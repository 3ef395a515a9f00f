// Copyright the seednet/p2p authors. Licensed under the Apache License 2.0.

package netns_test

import (
	"context"
	"fmt"
	"time"

	"github.com/seednet/p2p/sim"
	"github.com/seednet/p2p/sim/netns"
)

// Twelve nodes on three namespaces whose links carry 1 MiB/s each way and
// lose 1% of the packets, converged by discovery. It needs root, so it is
// not run as a test.
func ExampleNew() {
	if err := netns.Available(); err != nil {
		fmt.Println("no namespaces here:", err)
		return
	}
	lab, err := netns.New(netns.Config{Hosts: 3,
		Link: netns.Link{Rate: 1 << 20, Loss: 0.01}})
	if err != nil {
		panic(err)
	}
	defer lab.Close() // deferred first, runs last: after s.Stop
	fmt.Println(lab.Shaping())

	s, err := sim.New(sim.Config{Nodes: 12, MaxPeers: 6, Place: lab.Place})
	if err != nil {
		panic(err)
	}
	defer s.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	snap, err := s.WaitFor(ctx, sim.Converged(2))
	if err != nil {
		panic(err)
	}
	fmt.Println(snap)
}
