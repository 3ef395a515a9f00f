package workloads

import (
	"fmt"
	"math"

	"github.com/seednet/p2p/bench/harness"
)

// Variants of the benchmark binary, by how secp256k1 is built on each side.
const (
	// VariantDefault: ours in pure Go, geth with cgo (its default build).
	VariantDefault = "default"
	// VariantNoCgo: CGO_ENABLED=0, both in pure Go.
	VariantNoCgo = "nocgo"
	// VariantLibsecp: ours with -tags libsecp256k1, geth with cgo.
	VariantLibsecp = "libsecp256k1"
)

// VariantOf names the variant of a binary built as env describes.
func VariantOf(env harness.Env) string {
	switch {
	case !env.CGO:
		return VariantNoCgo
	case env.HasTag("libsecp256k1"):
		return VariantLibsecp
	default:
		return VariantDefault
	}
}

// Targets returns the targets of issues 3 and 6 that apply to r's variant
// and whose cases r measured, with the ratios.
func Targets(r *harness.Report) []harness.Target {
	var ts []harness.Target
	// figure adds a target on one figure of a row, if r has the row.
	figure := func(name, c, impl, unit, fig string, want float64, atMost bool) {
		row, ok := r.Row(c, impl, unit)
		if !ok {
			return
		}
		v := row.Ratio
		switch fig {
		case harness.FigureOurs:
			v = row.Ours
		case harness.FigureKeccak:
			v = row.OursBound
		}
		if !math.IsNaN(v) {
			ts = append(ts, harness.Target{Name: name, Case: c, Impl: impl, Unit: unit, Figure: fig,
				Want: want, AtMost: atMost, Measured: true, Value: v})
		}
	}
	add := func(name, c, impl, unit string, want float64) {
		figure(name, c, impl, unit, harness.FigureRatio, want, false)
	}
	switch r.Variant {
	case VariantNoCgo:
		add("rlpx handshakes/s, both pure Go", "rlpx/handshake", "ours", "ops/s", 1.2)
		add("server connection setups/s, both pure Go", "server/setup", "ours", "ops/s", 1.2)
	case VariantLibsecp:
		add("rlpx handshakes/s, ours libsecp256k1 vs geth cgo", "rlpx/handshake", "ours", "ops/s", 1.1)
		add("server connection setups/s, ours libsecp256k1 vs geth cgo", "server/setup", "ours", "ops/s", 1.1)
	}
	// Workloads 3 to 6, in every variant (no secp256k1 on their paths
	// except in the handshakes of the idle cases).
	add("server 256 B msgs/s", "server/256B", "ours", "msgs/s", 3)
	for _, sz := range []string{"64KiB", "1MiB"} {
		add("server "+sz+" MB/s", "server/"+sz, "ours", "MB/s", 1.2)
		figure("server "+sz+" MB/s, share of the Keccak bound", "server/"+sz, "ours", "MB/s", harness.FigureKeccak, 0.9, false)
	}
	add("ping-pong p50 latency (ours <= 0.8x geth)", "server/pingpong/32B", "ours", "p50 µs", 1.25)
	for _, ip := range IdlePeers {
		c := fmt.Sprintf("server/idle/%d", ip.N)
		figure(fmt.Sprintf("idle peer goroutines, %d peers", ip.N), c, "ours", "goroutines/peer", harness.FigureOurs, 2, true)
		add(fmt.Sprintf("idle peer heap+stack (ours <= 0.5x geth), %d peers", ip.N), c, "ours", "heap+stack B/peer", 2)
	}
	figure("peers held by one node", "server/idle/10000", "ours", "peers", harness.FigureOurs, 10000, false)
	for _, mode := range []string{"plain", "snappy"} {
		c := "rlpx/64KiB/" + mode
		add(fmt.Sprintf("rlpx 64 KiB MB/s, %s, Write", mode), c, "ours", "MB/s", 1.2)
		c = "rlpx/256B/" + mode
		add(fmt.Sprintf("rlpx 256 B msgs/s, %s, batched vs geth Write", mode), c, "ours+batch", "msgs/s", 3)
	}
	for _, op := range []string{"encode", "decode"} {
		for _, sh := range rlpShapes() {
			c := "rlp/" + op + "/" + sh.name
			add("rlp "+op+" "+sh.name+" speed", c, "ours", "ns/op", 1)
		}
	}
	return ts
}
