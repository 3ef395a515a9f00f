package rlp

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"os"
	"reflect"
	"strings"
	"testing"
)

type fuzzStruct struct {
	A uint64
	B []byte
	C *big.Int `rlp:"nil"`
	D []fuzzInner
	E *fuzzInner `rlp:"nil"`
	F [4]byte
	G bool
	H string     `rlp:"optional"`
	I uint16     `rlp:"optional"`
	J []RawValue `rlp:"tail"`
}

type fuzzInner struct {
	X uint32
	Y any
	Z *uint8 `rlp:"nilList"`
	W [1]byte
}

// fuzzTarget is a Go type the fuzzer decodes into.
type fuzzTarget struct {
	name      string
	new       func() any
	bijective bool // a value decodes only from its own encoding
}

var fuzzTargets = []fuzzTarget{
	{"interface", func() any { return new(any) }, true},
	{"RawValue", func() any { return new(RawValue) }, true},
	{"[]byte", func() any { return new([]byte) }, true},
	{"string", func() any { return new(string) }, true},
	{"uint64", func() any { return new(uint64) }, true},
	{"uint16", func() any { return new(uint16) }, true},
	{"bool", func() any { return new(bool) }, true},
	{"*big.Int", func() any { return new(*big.Int) }, true},
	{"[]uint64", func() any { return new([]uint64) }, true},
	{"[]RawValue", func() any { return new([]RawValue) }, true},
	{"[2][]byte", func() any { return new([2][]byte) }, true},
	{"[32]byte", func() any { return new([32]byte) }, true},
	{"struct", func() any { return new(fuzzStruct) }, false},
	{"[]struct", func() any { return new([]fuzzInner) }, false},
	{"recursive", func() any { return new(recursiveNode) }, true},
	{"RawList", func() any { return new(RawList[RawValue]) }, true},
}

func addFuzzSeeds(f *testing.F) {
	for _, file := range []string{"testdata/rlptest.json", "testdata/invalidRLPTest.json"} {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		var tests map[string]struct{ Out string }
		if err := json.Unmarshal(data, &tests); err != nil {
			f.Fatal(err)
		}
		for _, test := range tests {
			if b, err := hex.DecodeString(strings.TrimPrefix(test.Out, "0x")); err == nil {
				f.Add(b)
			}
		}
	}
	for _, test := range decTests {
		f.Add(unhex(test.input))
	}
	for _, test := range encTests {
		if test.err == nil {
			f.Add(unhex(test.output))
		}
	}
	seeds := []any{
		newBenchStruct(),
		&fuzzStruct{A: 1, B: []byte("b"), C: big.NewInt(300), D: []fuzzInner{{X: 5, Y: []any{[]byte{1}}, W: [1]byte{0x90}}}, F: [4]byte{1, 2, 3, 4}, G: true, H: "h", I: 7, J: []RawValue{{0xC0}, {0x05}}},
		&fuzzStruct{E: &fuzzInner{Z: ptrTo(uint8(9))}},
		&fuzzStruct{I: 1},
		[]fuzzInner{{X: 1}, {X: 2, Y: []byte{}}},
		&recursiveNode{[]recursiveNode{{}, {[]recursiveNode{{}}}}},
		[2][]byte{{1}, {2, 3}},
		[32]byte{31: 1},
	}
	for _, v := range seeds {
		b, err := EncodeToBytes(v)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzDecode decodes arbitrary input into several Go types, from a byte
// slice and from an unbounded reader, and checks that decode → encode →
// decode is stable.
func FuzzDecode(f *testing.F) {
	addFuzzSeeds(f)
	f.Fuzz(func(t *testing.T, input []byte) {
		for _, target := range fuzzTargets {
			v1 := target.new()
			err := DecodeBytes(input, v1)

			// Reading one byte at a time from an io.Reader takes the other
			// code path of Stream; it must agree.
			fromReader := target.new()
			r := bytes.NewReader(input)
			rerr := Decode(oneByteReader{r}, fromReader)
			if rerr == nil && r.Len() > 0 {
				rerr = ErrMoreThanOneValue
			}
			if (err == nil) != (rerr == nil) {
				t.Fatalf("%s: DecodeBytes error %v, reader error %v", target.name, err, rerr)
			}
			if err != nil {
				continue
			}
			if !reflect.DeepEqual(v1, fromReader) {
				t.Fatalf("%s: DecodeBytes %#v, reader %#v", target.name, v1, fromReader)
			}

			enc1, err := EncodeToBytes(v1)
			if err != nil {
				t.Fatalf("%s: re-encoding %#v: %v", target.name, v1, err)
			}
			if target.bijective && !bytes.Equal(enc1, input) {
				t.Fatalf("%s: accepted %x, which re-encodes as %x", target.name, input, enc1)
			}
			v2 := target.new()
			if err := DecodeBytes(enc1, v2); err != nil {
				t.Fatalf("%s: decoding re-encoding %x: %v", target.name, enc1, err)
			}
			enc2, err := EncodeToBytes(v2)
			if err != nil {
				t.Fatalf("%s: second re-encoding: %v", target.name, err)
			}
			if !bytes.Equal(enc1, enc2) {
				t.Fatalf("%s: unstable encoding\n%x\n%x", target.name, enc1, enc2)
			}
		}
	})
}

// FuzzSplit checks the raw-value functions against each other and against
// decoding.
func FuzzSplit(f *testing.F) {
	addFuzzSeeds(f)
	f.Fuzz(func(t *testing.T, input []byte) {
		kind, content, rest, err := Split(input)
		var raw RawValue
		rawErr := DecodeBytes(input, &raw)
		if rawErr == nil {
			// A whole canonical value splits cleanly and validates.
			if err != nil || len(rest) != 0 {
				t.Fatalf("Split of valid %x: %v, rest %x", input, err, rest)
			}
			if verr := validate(input, 0); verr != nil {
				t.Fatalf("validate(%x): %v", input, verr)
			}
		}
		if err != nil {
			return
		}
		if kind != List {
			return
		}
		n, cerr := CountValues(content)
		it, ierr := NewListIterator(input[:len(input)-len(rest)])
		if ierr != nil {
			t.Fatalf("NewListIterator: %v", ierr)
		}
		if c := it.Count(); c != n {
			t.Fatalf("Iterator.Count %d, CountValues %d", c, n)
		}
		m := 0
		for it.Next() {
			m++
		}
		// Both count the bad value, if there is one.
		if (cerr == nil) != (it.Err() == nil) || n != m {
			t.Fatalf("CountValues %d, %v; iterator %d, %v", n, cerr, m, it.Err())
		}
		list := input[:len(input)-len(rest)]
		var elems []RawValue
		elemsErr := DecodeBytes(list, &elems)
		if elemsErr == nil && len(elems) != n {
			t.Fatalf("decoded %d elements, CountValues %d", len(elems), n)
		}
		// RawList accepts what []RawValue accepts, and keeps it as it is.
		var rl RawList[RawValue]
		rlErr := DecodeBytes(list, &rl)
		if (rlErr == nil) != (elemsErr == nil) {
			t.Fatalf("RawList error %v, []RawValue error %v", rlErr, elemsErr)
		}
		if rlErr == nil {
			items, err := rl.Items()
			if err != nil || !reflect.DeepEqual(items, elems) && len(items)+len(elems) > 0 || rl.Len() != n {
				t.Fatalf("RawList items %x, %v (Len %d); want %x", items, err, rl.Len(), elems)
			}
			if !bytes.Equal(rl.Bytes(), list) {
				t.Fatalf("RawList Bytes %x, want %x", rl.Bytes(), list)
			}
		}
		// SplitListValues and MergeListValues are each other's inverse.
		if split, err := SplitListValues(list); err == nil {
			if len(split) != n {
				t.Fatalf("SplitListValues gave %d values, CountValues %d", len(split), n)
			}
			merged, err := MergeListValues(split)
			if err != nil || !bytes.Equal(merged, list) {
				t.Fatalf("MergeListValues: %x, %v; want %x", merged, err, list)
			}
		} else if cerr == nil {
			t.Fatalf("SplitListValues: %v, but CountValues found no error", err)
		}
	})
}
