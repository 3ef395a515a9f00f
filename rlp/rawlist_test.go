package rlp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// rawListCase checks a RawList of element type T decoded from input.
type rawListCase[T any] struct {
	input   string // hex
	content string // hex
	items   []T
}

func (c rawListCase[T]) name() string { return fmt.Sprintf("%T/%d", *new(T), len(c.items)) }

func (c rawListCase[T]) run(t *testing.T) {
	input := unhex(c.input)
	var rl RawList[T]
	if err := DecodeBytes(input, &rl); err != nil {
		t.Fatal("decode:", err)
	}
	if rl.Len() != len(c.items) || rl.Size() != uint64(len(input)) {
		t.Fatalf("Len %d, Size %d; want %d, %d", rl.Len(), rl.Size(), len(c.items), len(input))
	}
	if !bytes.Equal(rl.Content(), unhex(c.content)) || !bytes.Equal(rl.Bytes(), input) {
		t.Fatalf("Content %x, Bytes %x", rl.Content(), rl.Bytes())
	}
	items, err := rl.Items()
	if err != nil || !reflect.DeepEqual(items, c.items) {
		t.Fatalf("Items %v, %v; want %v", items, err, c.items)
	}
	// The iterator visits the same elements; offsets are into Content.
	it := rl.ContentIterator()
	pos := 0
	for i := 0; it.Next(); i++ {
		if it.Offset() != pos {
			t.Fatalf("element %d at offset %d, want %d", i, it.Offset(), pos)
		}
		pos += len(it.Value())
	}
	if it.Err() != nil || pos != len(rl.Content()) {
		t.Fatalf("iterator stopped at %d: %v", pos, it.Err())
	}
	// It encodes to its input, by value and by pointer, and so does
	// EncodeToRawList of the items.
	for _, v := range []any{rl, &rl} {
		if enc, err := EncodeToBytes(v); err != nil || !bytes.Equal(enc, input) {
			t.Fatalf("encoding of %T: %x, %v", v, enc, err)
		}
	}
	built, err := EncodeToRawList(c.items)
	if err != nil || !bytes.Equal(built.Bytes(), input) || built.Len() != len(c.items) {
		t.Fatalf("EncodeToRawList: %x (Len %d), %v", built.Bytes(), built.Len(), err)
	}
	// So does a list built by Append.
	var appended RawList[T]
	for _, item := range c.items {
		if err := appended.Append(item); err != nil {
			t.Fatal("Append:", err)
		}
	}
	if !bytes.Equal(appended.Bytes(), input) || appended.Len() != len(c.items) {
		t.Fatalf("Append built %x (Len %d)", appended.Bytes(), appended.Len())
	}
}

func TestRawList(t *testing.T) {
	tests := []interface {
		name() string
		run(*testing.T)
	}{
		rawListCase[uint64]{input: "C0", content: "", items: []uint64{}},
		rawListCase[uint64]{input: "C3 01 02 03", content: "010203", items: []uint64{1, 2, 3}},
		rawListCase[simpleStruct]{input: "C6 C20102 C20304", content: "C20102C20304", items: []simpleStruct{{1, "\x02"}, {3, "\x04"}}},
		rawListCase[string]{
			input:   "F83C" + strings.Repeat("83616263", 15),
			content: strings.Repeat("83616263", 15),
			items:   slicesRepeat("abc", 15),
		},
		rawListCase[RawValue]{input: "C4 C0 80 C101", content: "C080C101", items: []RawValue{{0xC0}, {0x80}, {0xC1, 0x01}}},
		rawListCase[*simpleStruct]{input: "C6 C20102 C20304", content: "C20102C20304", items: []*simpleStruct{{1, "\x02"}, {3, "\x04"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name(), tt.run)
	}
}

func slicesRepeat(s string, n int) []string {
	res := make([]string, n)
	for i := range res {
		res[i] = s
	}
	return res
}

func TestRawListZero(t *testing.T) {
	var rl RawList[uint64]
	if rl.Len() != 0 || rl.Size() != 1 || len(rl.Content()) != 0 || !bytes.Equal(rl.Bytes(), []byte{0xC0}) {
		t.Fatalf("zero RawList: Len %d, Size %d, Content %x, Bytes %x", rl.Len(), rl.Size(), rl.Content(), rl.Bytes())
	}
	var nilPtr *RawList[uint64]
	if b, err := EncodeToBytes(nilPtr); err != nil || !bytes.Equal(b, []byte{0xC0}) {
		t.Fatalf("nil *RawList encodes as %x, %v", b, err)
	}
	if !bytes.Equal(nilPtr.Bytes(), []byte{0xC0}) {
		t.Fatal("nil *RawList Bytes")
	}
	if items, err := rl.Items(); err != nil || len(items) != 0 {
		t.Fatalf("Items %v, %v", items, err)
	}
	// An optional *RawList field that is absent decodes as nil.
	type withOptional struct {
		L *RawList[uint64] `rlp:"optional"`
	}
	var v withOptional
	if b, _ := EncodeToBytes(v); !bytes.Equal(b, []byte{0xC0}) {
		t.Fatalf("struct with a nil optional RawList encodes as %x", b)
	}
	if err := DecodeBytes([]byte{0xC0}, &v); err != nil || v.L != nil {
		t.Fatalf("decoded %v, %v", v.L, err)
	}
}

func TestRawListDecodeErrors(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  error
	}{
		{"not a list", "80", ErrExpectedList},
		{"non-canonical element", "C2 8142", ErrCanonSize},
		{"element past the end", "C4 84020202", ErrElemTooLarge},
		{"second element non-canonical", "C3 01 8142", ErrCanonSize},
		{"second element past the end", "C4 01 830202", ErrElemTooLarge},
		{"nested list past the end", "C3 C40102", ErrElemTooLarge},
		{"nested non-canonical", "C3 C2 8100", ErrCanonSize},
		{"list past the input", "C5 01", ErrValueTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rl RawList[RawValue]
			if err := DecodeBytes(unhex(tt.input), &rl); !errors.Is(err, tt.want) {
				t.Fatalf("DecodeBytes: %v, want %v", err, tt.want)
			}
			// From a reader, one byte at a time, too.
			var rl2 RawList[RawValue]
			if err := Decode(oneByteReader{bytes.NewReader(unhex(tt.input))}, &rl2); !errors.Is(err, tt.want) && !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("Decode: %v, want %v", err, tt.want)
			}
		})
	}
}

func TestRawListItemsError(t *testing.T) {
	var rl RawList[uint8]
	if err := DecodeBytes(unhex("C5 01 820100 02"), &rl); err != nil {
		t.Fatal(err)
	}
	items, err := rl.Items()
	if !errors.Is(err, ErrUintOverflow) || !reflect.DeepEqual(items, []uint8{1}) {
		t.Fatalf("Items %v, %v", items, err)
	}
}

func TestRawListAppend(t *testing.T) {
	var rl RawList[simpleStruct]
	for _, v := range []simpleStruct{{1, "one"}, {2, "two"}} {
		if err := rl.Append(v); err != nil {
			t.Fatal(err)
		}
	}
	if rl.Len() != 2 || rl.Size() != 13 || !bytes.Equal(rl.Content(), unhex("C501836F6E65 C5028374776F")) {
		t.Fatalf("Len %d, Size %d, Content %x", rl.Len(), rl.Size(), rl.Content())
	}
	if enc, _ := EncodeToBytes(&rl); !bytes.Equal(enc, unhex("CC C501836F6E65 C5028374776F")) {
		t.Fatalf("encoding %x", enc)
	}
	// Elements whose EncodeRLP has a pointer receiver encode through it.
	ptrList, err := EncodeToRawList([]encodeByPointer{{1}, {2}})
	if err != nil || !bytes.Equal(ptrList.Bytes(), unhex("CC C50183707472 C50283707472")) {
		t.Fatalf("EncodeToRawList of pointer encoders: %x, %v", ptrList.Bytes(), err)
	}
	var ptrAppended RawList[encodeByPointer]
	if err := ptrAppended.Append(encodeByPointer{1}); err != nil || !bytes.Equal(ptrAppended.Content(), unhex("C50183707472")) {
		t.Fatalf("Append of a pointer encoder: %x, %v", ptrAppended.Content(), err)
	}
	var bad RawList[failingEncoder]
	if err := bad.Append(failingEncoder{}); !errors.Is(err, errEncoderFailed) || bad.Len() != 0 {
		t.Fatalf("Append of a failing encoder: %v, Len %d", err, bad.Len())
	}
	if _, err := EncodeToRawList([]failingEncoder{{}}); !errors.Is(err, errEncoderFailed) {
		t.Fatalf("EncodeToRawList of a failing encoder: %v", err)
	}
}

func TestRawListAppendRaw(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  error // nil: appended
	}{
		{"byte", "01", nil},
		{"string", "820102", nil},
		{"list", "C20102", nil},
		{"empty", "", io.ErrUnexpectedEOF},
		{"two values", "0102", ErrMoreThanOneValue},
		{"truncated", "8201", ErrValueTooLarge},
		{"non-canonical", "8101", ErrCanonSize},
		{"non-canonical inside", "C28101", ErrCanonSize},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rl RawList[RawValue]
			err := rl.AppendRaw(unhex(tt.input))
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("AppendRaw: %v, want %v", err, tt.want)
			}
			wantLen := 0
			if tt.want == nil {
				wantLen = 1
			}
			if rl.Len() != wantLen {
				t.Fatalf("Len %d, want %d", rl.Len(), wantLen)
			}
		})
	}
}

// TestRawListConcurrentEncode encodes one list from many goroutines, as
// a message broadcast to many peers does; the race detector watches.
func TestRawListConcurrentEncode(t *testing.T) {
	rl, err := EncodeToRawList([]uint64{1, 2, 3, 1 << 40})
	if err != nil {
		t.Fatal(err)
	}
	want := rl.Bytes()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				if b, err := EncodeToBytes(&rl); err != nil || !bytes.Equal(b, want) {
					t.Errorf("encoding %x, %v", b, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestSplitMergeListValues(t *testing.T) {
	tests := []struct {
		name  string
		input string
		elems []string
		err   error
	}{
		{name: "empty list", input: "C0", elems: []string{}},
		{name: "values", input: "C6 01 8180 C20102", elems: []string{"01", "8180", "C20102"}},
		{name: "long list", input: "F83C" + strings.Repeat("83616263", 15), elems: slicesRepeat("83616263", 15)},
		{name: "not a list", input: "80", err: ErrExpectedList},
		{name: "trailing bytes", input: "C0 01", err: ErrMoreThanOneValue},
		{name: "bad element", input: "C2 8100", err: ErrCanonSize},
		{name: "element past the end", input: "C2 8201", err: ErrElemTooLarge},
		{name: "list past the input", input: "C2 01", err: ErrValueTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			elems, err := SplitListValues(unhex(tt.input))
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("error %v, want %v", err, tt.err)
				}
				return
			}
			if err != nil || len(elems) != len(tt.elems) || elems == nil {
				t.Fatalf("got %x, %v; want %s", elems, err, tt.elems)
			}
			for i, e := range elems {
				if !bytes.Equal(e, unhex(tt.elems[i])) {
					t.Fatalf("element %d: %x, want %s", i, e, tt.elems[i])
				}
			}
			merged, err := MergeListValues(elems)
			if err != nil || !bytes.Equal(merged, unhex(tt.input)) {
				t.Fatalf("MergeListValues: %x, %v", merged, err)
			}
		})
	}
}

func TestMergeListValuesErrors(t *testing.T) {
	tests := []struct {
		name  string
		elems [][]byte
		want  error
	}{
		{"empty element", [][]byte{{}}, io.ErrUnexpectedEOF},
		{"two values in one", [][]byte{{0x01, 0x02}}, ErrMoreThanOneValue},
		{"truncated", [][]byte{{0x01}, {0x82, 0x01}}, ErrValueTooLarge},
		{"non-canonical", [][]byte{{0x81, 0x01}}, ErrCanonSize},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := MergeListValues(tt.elems); !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
		})
	}
	if b, err := MergeListValues(nil); err != nil || !bytes.Equal(b, []byte{0xC0}) {
		t.Fatalf("MergeListValues(nil) = %x, %v", b, err)
	}
}
