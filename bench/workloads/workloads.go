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
//  3. server/{256B,4KiB,64KiB,1MiB}: two Servers of one library (ours with
//     ours, geth with geth), one protocol, one connection; the dialer's Run
//     writes as fast as WriteMsg takes the messages, the other's Run reads,
//     discards and counts. MB/s, msgs/s, allocs per message (both ends).
//  4. server/pingpong/32B: a 32-byte request and its echo over such a
//     connection; p50, p99 and p99.9 of the round trip.
//  5. server/setup: complete connections one after another: TCP connect,
//     RLPx, Hello, the protocol's Run called on both sides, disconnect and
//     both drops seen.
//  6. server/idle/{1000,10000}: one hub Server, in a process of its own,
//     with that many idle peers (raw rlpx clients in this process);
//     goroutines, heap+stack and RSS per peer on the hub, and the peers it
//     held. 10,000 runs in full mode only. See idle.go.
//  7. keccak256/1MiB/one-core: the bound on frame throughput.
//
// Besides, crypto/*: the secp256k1 and ECIES operations under the handshake.
//
// Every case has a Check that runs all its implementations once and
// compares what they did (identical encodings, signatures, secrets,
// hashes; every frame and message received intact; every peer held), so a
// ratio never compares unequal work.
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
	cases = append(cases, discv5Cases()...)
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
