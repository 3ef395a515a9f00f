// Package workloads defines the benchmark cases of issue 6, each run by this
// library and by go-ethereum v1.17.10, and the targets they are held to.
//
// Cases, by the workload numbers of issue 6:
//
//  1. rlp/{encode,decode}/{struct,bytes4KiB,uint64x100}: the shapes of the
//     rlp package's benchmarks; ns/op and allocs/op.
//  2. rlpx/handshake: complete handshakes per second, both sides in this
//     process, a fresh loopback TCP connection each.
//     rlpx/{256B,4KiB,64KiB,1MiB}/{plain,snappy}: one-way frames of random
//     payloads over loopback TCP; MB/s, msgs/s, allocs per message (both
//     ends). Ours is measured with Write and with WriteBuffered+Flush
//     ("ours+batch", policy at [BatchMsgs]).
//  3. to 6. need our p2p.Server: see [Pending] and server.go.
//  7. keccak256/1MiB/one-core: the bound on frame throughput.
//
// Besides, crypto/*: the secp256k1 and ECIES operations under the handshake.
//
// Every case has a Check that runs all its implementations once and
// compares what they did (identical encodings, signatures, secrets,
// hashes; every frame received intact), so a ratio never compares unequal
// work.
package workloads

import (
	"math/rand/v2"

	"github.com/seednet/p2p/bench/harness"
)

// All returns every case that can run today, in the order they are run.
func All() []harness.Case {
	var cases []harness.Case
	cases = append(cases, keccakCase())
	cases = append(cases, rlpCases()...)
	cases = append(cases, cryptoCases()...)
	cases = append(cases, handshakeCase())
	cases = append(cases, throughputCases()...)
	for _, h := range serverHooks {
		cases = append(cases, h.cases()...)
	}
	return cases
}

// randomBytes returns n pseudo-random bytes from seed: random enough that
// snappy cannot compress them, and the same in every run.
func randomBytes(n int, seed uint64) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(seed, 0x70327062656e6368))
	for i := 0; i < n; i += 8 {
		v := r.Uint64()
		for j := i; j < min(i+8, n); j++ {
			b[j] = byte(v)
			v >>= 8
		}
	}
	return b
}
