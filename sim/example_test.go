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
