package metrics_test

import (
	"os"

	"github.com/seednet/p2p/metrics"
)

// A Registry collects what it is given and writes it in Prometheus's text
// format; a Server given it in its Metrics field reports there.
func ExampleRegistry() {
	reg := metrics.NewRegistry()
	dials := reg.Counter("p2p_example_dials_total", "Dials by outcome.", "outcome")
	dials.With("peer").Add(1)
	dials.With("dial failed").Add(2)
	reg.WriteText(os.Stdout)
	// Output:
	// # HELP p2p_example_dials_total Dials by outcome.
	// # TYPE p2p_example_dials_total counter
	// p2p_example_dials_total{outcome="dial failed"} 2
	// p2p_example_dials_total{outcome="peer"} 1
}
