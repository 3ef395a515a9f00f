package difffuzz

import (
	"bytes"
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"testing"

	gethrlp "github.com/ethereum/go-ethereum/rlp"

	"github.com/seednet/p2p/rlp"
)

// The shapes both decoders fill from the same input. They use only
// standard types, so one Go type serves both libraries and decoded values
// compare with reflect.DeepEqual (big.Int through its value, see equalValues).
type (
	optStruct struct {
		A uint64
		B []byte
		C *big.Int `rlp:"optional"`
		D uint32   `rlp:"optional"`
	}
	tailStruct struct {
		A    bool
		B    [4]byte
		C    []uint16
		Rest []uint64 `rlp:"tail"`
	}
	nilStruct struct {
		P *uint64   `rlp:"nil"`
		Q *[]string `rlp:"nil"`
		S *[2]byte  `rlp:"nilString"`
		L *[]uint8  `rlp:"nilList"`
	}
	nested struct {
		Name  string
		Inner struct {
			X uint8
			Y []byte
		}
		Big  big.Int
		List [][]byte
	}
)

// rlpShapes returns fresh pointers to every shape, in a fixed order.
func rlpShapes() []any {
	return []any{
		new(any), new(uint64), new(uint8), new(uint16), new(uint32), new(bool),
		new(*big.Int), new(big.Int), new([]byte), new(string), new([4]byte), new([32]byte),
		new([]uint64), new([]string), new([][]byte), new([]any), new([2]uint64),
		new(optStruct), new(tailStruct), new(nilStruct), new(nested),
	}
}

// FuzzRLPDecode decodes the input into every shape with both libraries
// (DecodeBytes, and Decode from a reader, which allows trailing bytes) and
// splits it with both libraries' Split functions. Both must accept or both
// reject; accepted values must be equal and re-encode to the same bytes
// with either encoder.
func FuzzRLPDecode(f *testing.F) {
	for _, s := range rlpSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		checkRLPDecode(t, in)
	})
}

func checkRLPDecode(t *testing.T, in []byte) {
	t.Helper()
	ours, geth := rlpShapes(), rlpShapes()
	for i := range ours {
		errO := rlp.DecodeBytes(in, ours[i])
		errG := gethrlp.DecodeBytes(in, geth[i])
		name := fmt.Sprintf("DecodeBytes into %T", ours[i])
		if !sameOutcome(t, name, in, errO, errG) || errO != nil {
			continue
		}
		compareDecoded(t, name, in, ours[i], geth[i])
	}
	ours, geth = rlpShapes(), rlpShapes()
	for i := range ours {
		errO := rlp.Decode(bytes.NewReader(in), ours[i])
		errG := gethrlp.Decode(bytes.NewReader(in), geth[i])
		name := fmt.Sprintf("Decode into %T", ours[i])
		if !sameOutcome(t, name, in, errO, errG) || errO != nil {
			continue
		}
		compareDecoded(t, name, in, ours[i], geth[i])
	}

	// RawValue, alone and as the tail of a struct, in each library's type.
	var rawO rlp.RawValue
	var rawG gethrlp.RawValue
	errO, errG := rlp.DecodeBytes(in, &rawO), gethrlp.DecodeBytes(in, &rawG)
	if knownCanonDiff(in, errO, errG) {
		errG = errO
	}
	if sameOutcome(t, "DecodeBytes into RawValue", in, errO, errG) && errO == nil && !bytes.Equal(rawO, rawG) {
		t.Errorf("DecodeBytes(%x) into RawValue: ours %x, geth %x", in, rawO, rawG)
	}
	var tailO struct {
		A    uint64
		Rest []rlp.RawValue `rlp:"tail"`
	}
	var tailG struct {
		A    uint64
		Rest []gethrlp.RawValue `rlp:"tail"`
	}
	errO, errG = rlp.DecodeBytes(in, &tailO), gethrlp.DecodeBytes(in, &tailG)
	if knownCanonDiff(in, errO, errG) {
		errG = errO
	}
	if sameOutcome(t, "DecodeBytes into a struct with a RawValue tail", in, errO, errG) && errO == nil {
		encO, _ := rlp.EncodeToBytes(&tailO)
		encG, _ := gethrlp.EncodeToBytes(&tailG)
		if tailO.A != tailG.A || !bytes.Equal(encO, encG) {
			t.Errorf("DecodeBytes(%x) into a struct with a RawValue tail: ours %x, geth %x", in, encO, encG)
		}
	}

	// The split functions return sub-slices of the input.
	type split struct {
		a, b []byte
		err  error
	}
	for _, c := range []struct {
		name       string
		ours, geth func([]byte) (split, split)
	}{
		{"SplitList", func(b []byte) (split, split) {
			c, r, e := rlp.SplitList(b)
			c2, r2, e2 := gethrlp.SplitList(b)
			return split{c, r, e}, split{c2, r2, e2}
		}, nil},
		{"SplitString", func(b []byte) (split, split) {
			c, r, e := rlp.SplitString(b)
			c2, r2, e2 := gethrlp.SplitString(b)
			return split{c, r, e}, split{c2, r2, e2}
		}, nil},
		{"SplitUint64", func(b []byte) (split, split) {
			x, r, e := rlp.SplitUint64(b)
			x2, r2, e2 := gethrlp.SplitUint64(b)
			return split{rlp.AppendUint64(nil, x), r, e}, split{gethrlp.AppendUint64(nil, x2), r2, e2}
		}, nil},
	} {
		o, g := c.ours(in)
		if sameOutcome(t, c.name, in, o.err, g.err) && o.err == nil {
			if !bytes.Equal(o.a, g.a) || !bytes.Equal(o.b, g.b) {
				t.Errorf("%s(%x): ours (%x, %x), geth (%x, %x)", c.name, in, o.a, o.b, g.a, g.b)
			}
		}
	}
	nO, errO := rlp.CountValues(in)
	nG, errG := gethrlp.CountValues(in)
	if sameOutcome(t, "CountValues", in, errO, errG) && errO == nil && nO != nG {
		t.Errorf("CountValues(%x): ours %d, geth %d", in, nO, nG)
	}
	vO, errO := rlp.SplitListValues(in)
	vG, errG := gethrlp.SplitListValues(in)
	if errors.Is(errO, rlp.ErrMoreThanOneValue) && errG == nil {
		// Known difference D1: ours rejects bytes after the list, geth
		// ignores them. Without them both must agree.
		_, rest, err := rlp.SplitList(in)
		if err != nil || len(rest) == 0 {
			t.Fatalf("SplitListValues of %x: ours: %v, but the list has no trailing bytes", in, errO)
		}
		in = in[:len(in)-len(rest)]
		vO, errO = rlp.SplitListValues(in)
	}
	if sameOutcome(t, "SplitListValues", in, errO, errG) && errO == nil && !reflect.DeepEqual(vO, vG) {
		t.Errorf("SplitListValues(%x): ours %x, geth %x", in, vO, vG)
	}
}

// sameOutcome reports whether both errors are nil, failing the test when
// exactly one is.
func sameOutcome(t *testing.T, what string, in []byte, errO, errG error) bool {
	t.Helper()
	if (errO == nil) != (errG == nil) {
		t.Errorf("%s of %x: ours: %v, geth: %v", what, in, errO, errG)
		return false
	}
	return true
}

// compareDecoded checks two values decoded from the same input: equal as
// Go values, and the same bytes from either encoder.
func compareDecoded(t *testing.T, what string, in []byte, ours, geth any) {
	t.Helper()
	if !equalValues(ours, geth) {
		t.Errorf("%s of %x: ours %#v, geth %#v", what, in, deref(ours), deref(geth))
	}
	encs := make([][]byte, 0, 4)
	for _, v := range []any{ours, geth} {
		eo, errO := rlp.EncodeToBytes(v)
		eg, errG := gethrlp.EncodeToBytes(v)
		if !sameOutcome(t, what+": re-encoding", in, errO, errG) || errO != nil {
			return
		}
		encs = append(encs, eo, eg)
	}
	for _, e := range encs[1:] {
		if !bytes.Equal(e, encs[0]) {
			t.Errorf("%s of %x: re-encodings differ: ours(ours) %x, geth(ours) %x, ours(geth) %x, geth(geth) %x",
				what, in, encs[0], encs[1], encs[2], encs[3])
			return
		}
	}
}

func deref(v any) any { return reflect.ValueOf(v).Elem().Interface() }

// equalValues is reflect.DeepEqual, except that big.Int values (which
// DeepEqual would compare by their internal slices) compare by value.
func equalValues(a, b any) bool {
	return equalReflect(reflect.ValueOf(a), reflect.ValueOf(b))
}

var bigType = reflect.TypeFor[big.Int]()

func equalReflect(a, b reflect.Value) bool {
	if a.Kind() != b.Kind() || a.Type() != b.Type() {
		return false
	}
	if a.Type() == bigType {
		x, y := a.Interface().(big.Int), b.Interface().(big.Int)
		return x.Cmp(&y) == 0
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return equalReflect(a.Elem(), b.Elem())
	case reflect.Slice:
		// A nil and an empty slice are equal: either library may leave an
		// empty slice nil, and only length and content matter on the wire.
		fallthrough
	case reflect.Array:
		if a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !equalReflect(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Struct:
		for i := range a.NumField() {
			if !equalReflect(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	default:
		return a.Equal(b)
	}
}
