package workloads

import (
	"bytes"
	"fmt"
	"hash"
	"io"

	gethcrypto "github.com/ethereum/go-ethereum/crypto"

	"github.com/seednet/p2p/bench/harness"
	"github.com/seednet/p2p/crypto"
)

// keccakLen is the input hashed per operation: large enough that the
// result is the sponge's bulk rate.
const keccakLen = 1 << 20

// keccakState is what both libraries' NewKeccakState return.
type keccakState interface {
	hash.Hash
	io.Reader
}

// keccakCase is the physical limit line: every byte of an RLPx frame goes
// through a Keccak-256 MAC on the sender and again on the receiver, one
// core each, so frame MB/s cannot pass Keccak MB/s on one core. The case
// runs in one goroutine; the faster implementation sets the bound.
func keccakCase() harness.Case {
	data := randomBytes(keccakLen, 2)
	run := func(newState func() keccakState) func(harness.Budget) (harness.Sample, error) {
		return func(b harness.Budget) (harness.Sample, error) {
			h := newState()
			var out [32]byte
			return harness.Loop(b, keccakLen, func(n int) error {
				for range n {
					h.Reset()
					h.Write(data)
					h.Read(out[:])
				}
				return nil
			})
		}
	}
	ours := func() keccakState { return crypto.NewKeccakState() }
	geth := func() keccakState { return gethcrypto.NewKeccakState() }
	return harness.Case{
		Name: "keccak256/1MiB/one-core",
		Kind: harness.KindKeccak,
		Impls: []harness.Impl{
			{Name: "ours", Run: run(ours)},
			{Name: harness.Baseline, Run: run(geth)},
		},
		Check: func() error {
			var o, g [32]byte
			h := ours()
			h.Write(data)
			h.Read(o[:])
			h = geth()
			h.Write(data)
			h.Read(g[:])
			if !bytes.Equal(o[:], g[:]) {
				return fmt.Errorf("hashes differ: ours %x, geth %x", o, g)
			}
			return nil
		},
	}
}
