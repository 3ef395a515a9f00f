// Package bench is the root of the benchmark module: side-by-side
// measurements of this library (github.com/seednet/p2p) and go-ethereum's
// p2p code (v1.17.10), in one process, alternating between the two (the
// idle-peers cases put the node they measure in a second process).
//
// It is a separate Go module so that users of the library never download
// go-ethereum. Its parts:
//
//   - harness: timed loops, alternation, medians, the table and JSON.
//   - workloads: the cases, each with our implementation and geth's, and the
//     targets of issue 6 and issue 3.
//   - cmd/p2pbench: the program; run.sh builds it in the three variants that
//     matter for secp256k1 (default: ours pure Go against geth with cgo;
//     CGO_ENABLED=0: both pure Go; -tags libsecp256k1: ours on the system
//     libsecp256k1 against geth with cgo) and merges their reports.
//
// Usage, from this directory:
//
//	./run.sh -short          # every variant, about 3 minutes
//	./run.sh -full           # more repetitions and longer samples, medians
//	go run ./cmd/p2pbench -short -only 'rlpx/64KiB'   # one variant, some cases
//
// Module versions: go-ethereum requires a newer github.com/golang/snappy
// than the root module, so in this module our rlpx is built with that
// version (see go.mod); everything else is the root module's.
//
// The machine is shared: other jobs on the same cores move every figure by
// ±20%. Run each configuration at least twice before believing a ratio;
// the JSON reports keep every sample.
//
// `go test ./...` here runs only fast smoke tests: every case once for both
// implementations, checking that they do the same work.
package bench
