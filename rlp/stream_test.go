package rlp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/big"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// streamOp is one call on a Stream and its expected result.
type streamOp struct {
	call string // method name
	want string // fmt.Sprint of the results
}

func runStreamOp(s *Stream, call string) string {
	switch call {
	case "Kind":
		k, size, err := s.Kind()
		return fmt.Sprint(k, " ", size, " ", err)
	case "List":
		size, err := s.List()
		return fmt.Sprint(size, " ", err)
	case "ListEnd":
		return fmt.Sprint(s.ListEnd())
	case "Bytes":
		b, err := s.Bytes()
		return fmt.Sprintf("%x %v", b, err)
	case "Uint64":
		x, err := s.Uint64()
		return fmt.Sprint(x, " ", err)
	case "Uint32":
		x, err := s.Uint32()
		return fmt.Sprint(x, " ", err)
	case "Uint16":
		x, err := s.Uint16()
		return fmt.Sprint(x, " ", err)
	case "Uint8":
		x, err := s.Uint8()
		return fmt.Sprint(x, " ", err)
	case "Bool":
		x, err := s.Bool()
		return fmt.Sprint(x, " ", err)
	case "BigInt":
		x, err := s.BigInt()
		return fmt.Sprint(x, " ", err)
	case "Raw":
		b, err := s.Raw()
		return fmt.Sprintf("%x %v", b, err)
	case "ReadBytes3":
		b := make([]byte, 3)
		err := s.ReadBytes(b)
		return fmt.Sprintf("%x %v", b, err)
	case "More":
		return fmt.Sprint(s.MoreDataInList())
	}
	panic("unknown call " + call)
}

func TestStream(t *testing.T) {
	tests := []struct {
		name  string
		input string
		limit uint64
		ops   []streamOp
	}{
		{"kinds", "05 8180 C0", 0, []streamOp{
			{"Kind", "Byte 0 <nil>"}, {"Kind", "Byte 0 <nil>"}, {"Uint64", "5 <nil>"},
			{"Kind", "String 1 <nil>"}, {"Bytes", "80 <nil>"},
			{"Kind", "List 0 <nil>"}, {"List", "0 <nil>"}, {"Kind", "Byte 0 " + EOL.Error()},
			{"More", "false"}, {"ListEnd", "<nil>"},
			{"Kind", "Byte 0 EOF"},
		}},
		{"list walk", "C6 01 8180 C2 0203", 0, []streamOp{
			{"List", "6 <nil>"}, {"More", "true"}, {"Uint8", "1 <nil>"}, {"Uint16", "128 <nil>"},
			{"List", "2 <nil>"}, {"Uint32", "2 <nil>"}, {"ListEnd", ErrNotAtEOL.Error()},
			{"Uint64", "3 <nil>"}, {"Uint64", "0 " + EOL.Error()}, {"ListEnd", "<nil>"}, {"ListEnd", "<nil>"},
			{"ListEnd", ErrNotInList.Error()},
		}},
		{"bool", "01 80 02", 0, []streamOp{
			{"Bool", "true <nil>"}, {"Bool", "false <nil>"}, {"Bool", "false " + ErrInvalidBool.Error()},
		}},
		{"big", "A0 0100000000000000000000000000000000000000000000000000000000000000 80", 0, []streamOp{
			{"BigInt", new(big.Int).Lsh(big.NewInt(1), 248).String() + " <nil>"}, {"BigInt", "0 <nil>"},
		}},
		{"raw", "C3 C2 01 02 05 820102 B838" + strings.Repeat("00", 56), 0, []streamOp{
			{"Raw", "c3c20102 <nil>"}, {"Raw", "05 <nil>"}, {"Raw", "820102 <nil>"},
			{"Raw", "b838" + strings.Repeat("00", 56) + " <nil>"},
		}},
		{"raw inside list", "C5 C3 C20102 05", 0, []streamOp{
			{"List", "5 <nil>"}, {"Raw", "c3c20102 <nil>"}, {"Raw", "05 <nil>"}, {"ListEnd", "<nil>"},
		}},
		{"read bytes", "83010203 820102 C0", 0, []streamOp{
			{"ReadBytes3", "010203 <nil>"}, {"ReadBytes3", "000000 " + ErrByteArraySize.Error()},
		}},
		{"uint errors", "8100 820001 89010000000000000000 C0", 0, []streamOp{
			{"Uint64", "0 " + ErrCanonInt.Error()},
		}},
		{"uint overflow", "820100", 0, []streamOp{{"Uint8", "0 " + ErrUintOverflow.Error()}}},
		{"expected string", "C0", 0, []streamOp{{"Bytes", " " + ErrExpectedString.Error()}}},
		{"expected list", "80", 0, []streamOp{{"List", "0 " + ErrExpectedList.Error()}}},
		{"element too large", "C2 83 0102", 0, []streamOp{{"List", "2 <nil>"}, {"Kind", "String 3 " + ErrElemTooLarge.Error()}}},
		{"limit", "83 010203", 3, []streamOp{{"Kind", "String 3 " + ErrValueTooLarge.Error()}}},
		{"limit on list", "C3 010203", 2, []streamOp{{"List", "0 " + ErrValueTooLarge.Error()}}},
		{"limit reached", "01 02", 1, []streamOp{{"Uint64", "1 <nil>"}, {"Kind", "Byte 0 EOF"}}},
		{"truncated", "83 0102", 0, []streamOp{{"Bytes", " " + io.ErrUnexpectedEOF.Error()}}},
		{"non-canonical size", "B80102", 0, []streamOp{{"Kind", "String 0 " + ErrCanonSize.Error()}}},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			input := unhex(test.input)
			// A reader that is not a ByteReader, so no limit is derived from it.
			s := NewStream(oneByteReader{bytes.NewReader(input)}, test.limit)
			for i, op := range test.ops {
				if got := runStreamOp(s, op.call); got != op.want {
					t.Fatalf("op %d %s: got %q, want %q", i, op.call, got, op.want)
				}
			}
			// And from a byte slice, where only the truncation case differs.
			if test.limit != 0 || test.name == "truncated" {
				return
			}
			s = newByteStream(input)
			for i, op := range test.ops {
				if got := runStreamOp(s, op.call); got != op.want {
					t.Fatalf("bytes: op %d %s: got %q, want %q", i, op.call, got, op.want)
				}
			}
		})
	}
}

func TestStreamReset(t *testing.T) {
	s := NewStream(bytes.NewReader(unhex("C20102")), 0)
	if _, err := s.List(); err != nil {
		t.Fatal(err)
	}
	s.Reset(strings.NewReader("\x05"), 0)
	if x, err := s.Uint64(); x != 5 || err != nil {
		t.Fatalf("after Reset: %d, %v", x, err)
	}
	if _, _, err := s.Kind(); err != io.EOF {
		t.Fatalf("at end: %v", err)
	}
}

func TestStreamDoesNotOverread(t *testing.T) {
	// The reader is positioned right after each value.
	input := append(unhex("C3010203"), "rest"...)
	r := oneByteReader{bytes.NewReader(input)}
	var v []uint
	if err := Decode(r, &v); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(r.r)
	if string(rest) != "rest" {
		t.Fatalf("left %q", rest)
	}
}

// A header that claims far more than the input holds fails before the
// memory is allocated, whatever the input source.
func TestHugeHeaderBoundedAllocation(t *testing.T) {
	inputs := map[string][]byte{
		"string 4GB":    unhex("BB FFFFFFFF 0102030405"),
		"string 2^63":   unhex("BF 7FFFFFFFFFFFFFFF 01"),
		"list 4GB":      unhex("FB FFFFFFFF 0102030405"),
		"nested 4GB":    unhex("C6 BB FFFFFFFF 01"),
		"list of 1GB":   unhex("C7 BB 3FFFFFFF 010203"),
		"raw in list":   unhex("F9 FFFF 01"),
		"string 100MB ": unhex("BB 05F5E100 0102"),
	}
	targets := []func() any{
		func() any { return new([]byte) },
		func() any { return new(string) },
		func() any { return new(any) },
		func() any { return new(RawValue) },
		func() any { return new([][]byte) },
		func() any { return new([]RawValue) },
		func() any { return new(*big.Int) },
	}
	for name, input := range inputs {
		t.Run(name, func(t *testing.T) {
			sources := map[string]func() *Stream{
				"bytes":          func() *Stream { return newByteStream(input) },
				"bytes.Reader":   func() *Stream { return NewStream(bytes.NewReader(input), 0) },
				"limited reader": func() *Stream { return NewStream(oneByteReader{bytes.NewReader(input)}, 100) },
				"unbounded":      func() *Stream { return NewStream(oneByteReader{bytes.NewReader(input)}, 0) },
			}
			for sname, source := range sources {
				for _, target := range targets {
					var before, after runtime.MemStats
					runtime.ReadMemStats(&before)
					err := source().Decode(target())
					runtime.ReadMemStats(&after)
					if err == nil {
						t.Fatalf("%s: decoding into %T succeeded", sname, target())
					}
					if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
						t.Fatalf("%s: decoding into %T allocated %d bytes (%v)", sname, target(), alloc, err)
					}
				}
			}
		})
	}
}

func TestDepthLimit(t *testing.T) {
	nested := func(depth int) []byte {
		// depth lists, each holding the next; innermost is empty. The
		// headers are computed inside out, then written outside in.
		headers := make([][]byte, depth)
		size := uint64(0)
		for i := depth - 1; i >= 0; i-- {
			headers[i] = AppendListHeader(nil, size)
			size += uint64(len(headers[i]))
		}
		return bytes.Join(headers, nil)
	}
	ok := nested(MaxDepth)
	var v any
	if err := DecodeBytes(ok, &v); err != nil {
		t.Fatalf("depth %d: %v", MaxDepth, err)
	}
	if enc, err := EncodeToBytes(v); err != nil || !bytes.Equal(enc, ok) {
		t.Fatalf("re-encoding: %v", err)
	}
	deep := nested(MaxDepth + 1)
	if err := DecodeBytes(deep, &v); !errors.Is(err, ErrTooDeep) {
		t.Fatalf("depth %d: %v, want ErrTooDeep", MaxDepth+1, err)
	}
	var node recursiveNode
	if err := DecodeBytes(deep, &node); !errors.Is(err, ErrTooDeep) {
		t.Fatalf("recursive type: %v, want ErrTooDeep", err)
	}
	if err := Decode(oneByteReader{bytes.NewReader(deep)}, &v); !errors.Is(err, ErrTooDeep) {
		t.Fatalf("from reader: %v, want ErrTooDeep", err)
	}

	var raw RawValue
	if err := DecodeBytes(deep, &raw); !errors.Is(err, ErrTooDeep) {
		t.Fatalf("RawValue: %v, want ErrTooDeep", err)
	}

	// 200000 nested lists, the classic stack-exhaustion input.
	huge := nested(200000)
	for _, target := range []any{&v, &node, &raw, new([]RawValue), new([]any)} {
		if err := DecodeBytes(huge, target); !errors.Is(err, ErrTooDeep) {
			t.Fatalf("%T: %v, want ErrTooDeep", target, err)
		}
	}
}

func ExampleStream() {
	// A Stream walks a value piece by piece: here a list of a number and a
	// list of strings.
	input := []byte{0xcb, 0x82, 0x04, 0x00, 0xc7, 0x83, 'e', 't', 'h', 0x82, 'l', 'c'}
	s := NewStream(bytes.NewReader(input), 0)
	if _, err := s.List(); err != nil {
		panic(err)
	}
	n, _ := s.Uint64()
	fmt.Println("number:", n)
	if _, err := s.List(); err != nil {
		panic(err)
	}
	for {
		b, err := s.Bytes()
		if err == EOL {
			break
		} else if err != nil {
			panic(err)
		}
		fmt.Printf("string: %s\n", b)
	}
	s.ListEnd()
	fmt.Println("end:", s.ListEnd())
	// Output:
	// number: 1024
	// string: eth
	// string: lc
	// end: <nil>
}

// customList shows a Decoder and Encoder pair written against the Stream and
// EncoderBuffer APIs.
type customList struct {
	Values []uint64
}

func (c *customList) EncodeRLP(w io.Writer) error {
	eb := NewEncoderBuffer(w)
	l := eb.List()
	for _, v := range c.Values {
		eb.WriteUint64(v)
	}
	eb.ListEnd(l)
	return eb.Flush()
}

func (c *customList) DecodeRLP(s *Stream) error {
	if _, err := s.List(); err != nil {
		return err
	}
	c.Values = c.Values[:0]
	for s.MoreDataInList() {
		v, err := s.Uint64()
		if err != nil {
			return err
		}
		c.Values = append(c.Values, v)
	}
	return s.ListEnd()
}

func ExampleDecoder() {
	b, _ := EncodeToBytes(&customList{Values: []uint64{1, 2, 1024}})
	fmt.Printf("%x\n", b)
	var c customList
	if err := DecodeBytes(b, &c); err != nil {
		panic(err)
	}
	fmt.Println(c.Values)
	// Output:
	// c50102820400
	// [1 2 1024]
}

func TestNewListStream(t *testing.T) {
	tests := []struct {
		name    string
		content string // hex: the list's content, without header
		size    uint64
		want    []uint64
		wantErr error // of decoding
	}{
		{name: "empty", content: "", size: 0, want: []uint64{}},
		{name: "values", content: "01 02 820400", size: 5, want: []uint64{1, 2, 1024}},
		{name: "size cuts the input", content: "01 02 03", size: 2, want: []uint64{1, 2}},
		{name: "element past the size", content: "01 820400", size: 2, wantErr: ErrElemTooLarge},
		{name: "input shorter than size", content: "01", size: 3, wantErr: io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewListStream(bytes.NewReader(unhex(tt.content)), tt.size)
			kind, size, err := s.Kind()
			if kind != List || size != tt.size || err != nil {
				t.Fatalf("Kind() = %v, %d, %v", kind, size, err)
			}
			var got []uint64
			err = s.Decode(&got)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Decode error %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Decode: %v, %v; want %v", got, err, tt.want)
			}
		})
	}
	// Entering the list by hand, and Raw, which adds the header.
	s := NewListStream(strings.NewReader("\x01\x02"), 2)
	if _, err := s.List(); err != nil {
		t.Fatal(err)
	}
	if a, err := s.Uint64(); a != 1 || err != nil {
		t.Fatalf("first element %d, %v", a, err)
	}
	if b, err := s.Uint(); b != 2 || err != nil {
		t.Fatalf("second element %d, %v", b, err)
	}
	if err := s.ListEnd(); err != nil {
		t.Fatal(err)
	}
	raw, err := NewListStream(strings.NewReader("\x01\x02"), 2).Raw()
	if err != nil || !bytes.Equal(raw, []byte{0xC2, 0x01, 0x02}) {
		t.Fatalf("Raw() = %x, %v", raw, err)
	}
}

func TestStreamUint(t *testing.T) {
	tests := []struct {
		input string
		want  uint64
		err   error
	}{
		{"80", 0, nil},
		{"05", 5, nil},
		{"88FFFFFFFFFFFFFFFF", 1<<64 - 1, nil},
		{"89010000000000000000", 0, ErrUintOverflow},
		{"8200FF", 0, ErrCanonInt},
		{"C0", 0, ErrExpectedString},
	}
	for _, tt := range tests {
		t.Run(tt.input, func(t *testing.T) {
			got, err := NewStream(bytes.NewReader(unhex(tt.input)), 0).Uint()
			if got != tt.want || !errors.Is(err, tt.err) {
				t.Fatalf("Uint() = %d, %v; want %d, %v", got, err, tt.want, tt.err)
			}
		})
	}
}
