package workloads

import (
	"bytes"
	"fmt"
	"math/big"
	"reflect"

	gethrlp "github.com/ethereum/go-ethereum/rlp"

	"github.com/seednet/p2p/bench/harness"
	"github.com/seednet/p2p/rlp"
)

// RLPStruct has the shape of benchStruct in rlp/bench_test.go: a typical
// message with an integer, a string, bytes, a big integer, a list and a
// fixed array. Both implementations encode this same Go type.
type RLPStruct struct {
	A uint64
	B string
	C []byte
	D *big.Int
	E []uint64
	F [32]byte
	G bool
}

// NewRLPStruct returns the value rlp/bench_test.go encodes.
func NewRLPStruct() *RLPStruct {
	s := &RLPStruct{
		A: 0x0123456789abcdef,
		B: "the quick brown fox jumps over the lazy dog",
		C: make([]byte, 100),
		D: new(big.Int).Lsh(big.NewInt(0xdeadbeef), 200),
		E: make([]uint64, 10),
		G: true,
	}
	for i := range s.C {
		s.C[i] = byte(i * 7)
	}
	for i := range s.E {
		s.E[i] = uint64(i) * 1000003
	}
	for i := range s.F {
		s.F[i] = byte(255 - i)
	}
	return s
}

// NewRLPBytes returns the 4 KiB byte slice of rlp/bench_test.go.
func NewRLPBytes() []byte {
	b := make([]byte, 4096)
	for i := range b {
		b[i] = byte(i * 31)
	}
	return b
}

// NewRLPUints returns the 100 uint64s of rlp/bench_test.go.
func NewRLPUints() []uint64 {
	u := make([]uint64, 100)
	for i := range u {
		u[i] = uint64(i) * 0x9e3779b97f4a7c15 >> (i % 64)
	}
	return u
}

// rlpShape is one value to encode, and a constructor for a fresh value of
// its type to decode into.
type rlpShape struct {
	name  string
	value any
	fresh func() any // returns a pointer
}

func rlpShapes() []rlpShape {
	return []rlpShape{
		{"struct", NewRLPStruct(), func() any { return new(RLPStruct) }},
		{"bytes4KiB", NewRLPBytes(), func() any { return new([]byte) }},
		{"uint64x100", NewRLPUints(), func() any { return new([]uint64) }},
	}
}

// rlpCases: EncodeToBytes and DecodeBytes of each shape, like the rlp
// package's benchmarks; decoding goes into a fresh value every time.
func rlpCases() []harness.Case {
	var cases []harness.Case
	for _, sh := range rlpShapes() {
		enc, err := rlp.EncodeToBytes(sh.value)
		if err != nil {
			panic(err) // a bug in the shapes above
		}
		cases = append(cases, harness.Case{
			Name: "rlp/encode/" + sh.name,
			Kind: harness.KindTime,
			Impls: []harness.Impl{
				{Name: "ours", Run: encodeRun(sh.value, rlp.EncodeToBytes)},
				{Name: harness.Baseline, Run: encodeRun(sh.value, gethrlp.EncodeToBytes)},
			},
			Check: func() error { return checkRLP(sh) },
		}, harness.Case{
			Name: "rlp/decode/" + sh.name,
			Kind: harness.KindTime,
			Impls: []harness.Impl{
				{Name: "ours", Run: decodeRun(enc, sh.fresh, rlp.DecodeBytes)},
				{Name: harness.Baseline, Run: decodeRun(enc, sh.fresh, gethrlp.DecodeBytes)},
			},
			Check: func() error { return checkRLP(sh) },
		})
	}
	return cases
}

func encodeRun(v any, encode func(any) ([]byte, error)) func(harness.Budget) (harness.Sample, error) {
	return func(b harness.Budget) (harness.Sample, error) {
		return harness.Loop(b, 0, func(n int) error {
			for range n {
				if _, err := encode(v); err != nil {
					return err
				}
			}
			return nil
		})
	}
}

func decodeRun(enc []byte, fresh func() any, decode func([]byte, any) error) func(harness.Budget) (harness.Sample, error) {
	return func(b harness.Budget) (harness.Sample, error) {
		return harness.Loop(b, 0, func(n int) error {
			for range n {
				if err := decode(enc, fresh()); err != nil {
					return err
				}
			}
			return nil
		})
	}
}

// checkRLP: both encode the shape to the same bytes, and both decode them
// back to the original value.
func checkRLP(sh rlpShape) error {
	ours, err := rlp.EncodeToBytes(sh.value)
	if err != nil {
		return err
	}
	geth, err := gethrlp.EncodeToBytes(sh.value)
	if err != nil {
		return err
	}
	if !bytes.Equal(ours, geth) {
		return fmt.Errorf("encodings differ:\nours %x\ngeth %x", ours, geth)
	}
	want := reflect.ValueOf(sh.value)
	for name, decode := range map[string]func([]byte, any) error{"ours": rlp.DecodeBytes, "geth": gethrlp.DecodeBytes} {
		v := sh.fresh()
		if err := decode(ours, v); err != nil {
			return fmt.Errorf("%s decode: %w", name, err)
		}
		got := reflect.ValueOf(v)
		if want.Kind() != reflect.Pointer {
			got = got.Elem()
		}
		if !reflect.DeepEqual(got.Interface(), want.Interface()) {
			return fmt.Errorf("%s decoded %+v, want %+v", name, got.Interface(), want.Interface())
		}
	}
	return nil
}
