package sim_test

import (
	"context"
	"fmt"
	"time"

	"github.com/seednet/p2p/memnet"
	"github.com/seednet/p2p/sim"
)

// Three nodes 10 ms apart, without discovery: connect two of them, wait
// for the connection, then cut it with a partition.
func Example() {
	s, err := sim.New(sim.Config{Nodes: 3, NoDiscovery: true,
		Link: memnet.Link{Latency: 10 * time.Millisecond}})
	if err != nil {
		panic(err)
	}
	defer s.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	s.Connect(0, 1)
	snap, err := s.WaitFor(ctx, sim.Connected(0, 1))
	if err != nil {
		panic(err)
	}
	fmt.Println("components:", snap.Components())

	s.Partition([]int{0}, []int{1, 2})
	snap, err = s.WaitFor(ctx, sim.ComponentsAre(3))
	if err != nil {
		panic(err)
	}
	fmt.Println("after the partition:", len(snap.Components()), "components")
	// Output:
	// components: [[0 1] [2]]
	// after the partition: 3 components
}

// A 64 KiB message gossiped over a ring of six nodes with 5 ms links: the
// result says how many nodes got it and how fast.
func ExampleGossip() {
	g := sim.NewGossip(sim.GossipConfig{})
	s, err := sim.New(sim.Config{Nodes: 6, NoDiscovery: true, Protocols: g.Protocols,
		Link: memnet.Link{Latency: 5 * time.Millisecond}})
	if err != nil {
		panic(err)
	}
	defer s.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for i := range 6 {
		s.Connect(i, (i+1)%6)
	}
	if _, err := s.WaitFor(ctx, sim.Converged(2)); err != nil {
		panic(err)
	}

	id, err := g.Publish(0, make([]byte, 64<<10))
	if err != nil {
		panic(err)
	}
	res, err := g.Wait(ctx, s, id)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d of %d nodes, %d missing; slowest after more than 3 hops of 5ms: %v\n",
		res.Delivered, res.Nodes, res.Missing, res.Max > 15*time.Millisecond)
	// Output:
	// 6 of 6 nodes, 0 missing; slowest after more than 3 hops of 5ms: true
}
