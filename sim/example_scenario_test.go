// Copyright the seednet/p2p authors. Licensed under the Apache License 2.0.

package sim_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/seednet/p2p/sim"
)

// A scenario connects two of three nodes and cuts them apart again. Its
// settings go into the simulation's Config; Run runs its steps. A typo
// makes an error that names the line.
func ExampleParseScenario() {
	sc, err := sim.ParseScenario(strings.NewReader(`
set nodes 3
set latency 10ms

connect 0 1
wait connected 0 1 timeout 30s
partition 0 | 1 2                # and nothing connects 1 and 2
wait components 3 timeout 30s
`))
	if err != nil {
		panic(err)
	}
	cfg := sim.Config{NoDiscovery: true}
	sc.Settings.Apply(&cfg)
	fmt.Println("nodes:", cfg.Nodes, "latency:", cfg.Link.Latency)

	s, err := sim.New(cfg)
	if err != nil {
		panic(err)
	}
	defer s.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := sc.Run(ctx, s, nil); err != nil { // a log writer shows each step
		panic(err)
	}
	fmt.Println("components:", s.Snapshot().Components())

	_, err = sim.ParseScenario(strings.NewReader("set nodes 3\nwait conveged 2\n"))
	fmt.Println(err)
	// Output:
	// nodes: 3 latency: 10ms
	// components: [[0] [1] [2]]
	// scenario line 2: "wait": unknown condition "conveged" (want converged N, components N, connected A B, disconnected A B)
}
