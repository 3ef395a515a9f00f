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
	add := func(name, c, impl, unit string, want float64) {
		ratio := r.Ratio(c, impl, unit)
		if !math.IsNaN(ratio) {
			ts = append(ts, harness.Target{Name: name, Case: c, Impl: impl, Unit: unit, Want: want, Measured: true, Ratio: ratio})
		}
	}
	switch r.Variant {
	case VariantNoCgo:
		add("rlpx handshakes/s, both pure Go", "rlpx/handshake", "ours", "ops/s", 1.2)
	case VariantLibsecp:
		add("rlpx handshakes/s, ours libsecp256k1 vs geth cgo", "rlpx/handshake", "ours", "ops/s", 1.1)
	}
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
