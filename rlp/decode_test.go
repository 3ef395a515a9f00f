package rlp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/big"
	"reflect"
	"strings"
	"testing"
)

type decodeByPointer struct{ V []byte }

func (d *decodeByPointer) DecodeRLP(s *Stream) error {
	if _, err := s.List(); err != nil {
		return err
	}
	b, err := s.Bytes()
	if err != nil {
		return err
	}
	d.V = b
	return s.ListEnd()
}

var errDecoderFailed = errors.New("decoder failed")

type failingDecoder struct{}

func (*failingDecoder) DecodeRLP(*Stream) error { return errDecoderFailed }

type twoUints struct {
	A, B uint
}

type optionalNested struct {
	A uint
	S *simpleStruct `rlp:"optional"`
}

type decTest struct {
	name  string
	input string
	ptr   any   // a pointer to decode into
	want  any   // the value ptr points to afterwards
	err   error // matched with errors.Is
}

var decTests = []decTest{
	// Integers.
	{name: "uint32 0", input: "80", ptr: new(uint32), want: uint32(0)},
	{name: "uint32 1", input: "01", ptr: new(uint32), want: uint32(1)},
	{name: "uint32 127", input: "7F", ptr: new(uint32), want: uint32(127)},
	{name: "uint32 128", input: "8180", ptr: new(uint32), want: uint32(128)},
	{name: "uint32 max", input: "84FFFFFFFF", ptr: new(uint32), want: uint32(0xFFFFFFFF)},
	{name: "uint64 max", input: "88FFFFFFFFFFFFFFFF", ptr: new(uint64), want: ^uint64(0)},
	{name: "uint8 255", input: "81FF", ptr: new(uint8), want: uint8(255)},
	{name: "uint overflow uint32", input: "8501000000 00", ptr: new(uint32), err: ErrUintOverflow},
	{name: "uint overflow uint8", input: "820100", ptr: new(uint8), err: ErrUintOverflow},
	{name: "uint overflow uint64", input: "89010000000000000000", ptr: new(uint64), err: ErrUintOverflow},
	{name: "uint leading zero", input: "820001", ptr: new(uint32), err: ErrCanonInt},
	{name: "uint zero as 00", input: "00", ptr: new(uint32), err: ErrCanonInt},
	{name: "uint zero as 8100", input: "8100", ptr: new(uint32), err: ErrCanonInt},
	{name: "uint byte wrapped", input: "8105", ptr: new(uint32), err: ErrCanonSize},
	{name: "uint long form", input: "B801 05", ptr: new(uint32), err: ErrCanonSize},
	{name: "uint from list", input: "C0", ptr: new(uint32), err: ErrExpectedString},
	{name: "uint truncated", input: "82 01", ptr: new(uint32), err: ErrValueTooLarge},

	// Booleans.
	{name: "bool true", input: "01", ptr: new(bool), want: true},
	{name: "bool false", input: "80", ptr: new(bool), want: false},
	{name: "bool 2", input: "02", ptr: new(bool), err: ErrInvalidBool},
	{name: "bool 00", input: "00", ptr: new(bool), err: ErrCanonInt},
	{name: "bool list", input: "C0", ptr: new(bool), err: ErrExpectedString},

	// Big integers.
	{name: "big 0", input: "80", ptr: new(*big.Int), want: big.NewInt(0)},
	{name: "big 1", input: "01", ptr: new(*big.Int), want: big.NewInt(1)},
	{name: "big 2^64", input: "89010000000000000000", ptr: new(*big.Int), want: new(big.Int).Lsh(big.NewInt(1), 64)},
	{name: "big value", input: "820102", ptr: new(big.Int), want: *big.NewInt(0x102)},
	{name: "big leading zero", input: "820001", ptr: new(*big.Int), err: ErrCanonInt},
	{name: "big zero as 00", input: "00", ptr: new(*big.Int), err: ErrCanonInt},
	{name: "big byte wrapped", input: "8105", ptr: new(*big.Int), err: ErrCanonSize},
	{name: "big list", input: "C0", ptr: new(*big.Int), err: ErrExpectedString},

	// Strings and byte slices.
	{name: "string empty", input: "80", ptr: new(string), want: ""},
	{name: "string byte", input: "61", ptr: new(string), want: "a"},
	{name: "string dog", input: "83646F67", ptr: new(string), want: "dog"},
	{name: "string long", input: "B838" + strings.Repeat("61", 56), ptr: new(string), want: strings.Repeat("a", 56)},
	{name: "string list", input: "C0", ptr: new(string), err: ErrExpectedString},
	{name: "[]byte empty", input: "80", ptr: new([]byte), want: []byte{}},
	{name: "[]byte 00", input: "00", ptr: new([]byte), want: []byte{0}},
	{name: "[]byte 80", input: "8180", ptr: new([]byte), want: []byte{0x80}},
	{name: "[]byte wrapped byte", input: "8100", ptr: new([]byte), err: ErrCanonSize},
	{name: "[]byte wrapped 7f", input: "817F", ptr: new([]byte), err: ErrCanonSize},
	{name: "[]byte long form short size", input: "B80100", ptr: new([]byte), err: ErrCanonSize},
	{name: "[]byte long form 55", input: "B837" + strings.Repeat("00", 55), ptr: new([]byte), err: ErrCanonSize},
	{name: "[]byte size leading zero", input: "B90038" + strings.Repeat("00", 56), ptr: new([]byte), err: ErrCanonSize},
	{name: "[]byte list", input: "C0", ptr: new([]byte), err: ErrExpectedString},
	{name: "[]byte too large", input: "B8FF01", ptr: new([]byte), err: ErrValueTooLarge},
	{name: "named byte slice", input: "820102", ptr: new(namedBytes), want: namedBytes{1, 2}},

	// Byte arrays.
	{name: "[0]byte", input: "80", ptr: new([0]byte), want: [0]byte{}},
	{name: "[1]byte 00", input: "00", ptr: new([1]byte), want: [1]byte{0}},
	{name: "[1]byte 80", input: "8180", ptr: new([1]byte), want: [1]byte{0x80}},
	{name: "[1]byte wrapped", input: "8101", ptr: new([1]byte), err: ErrCanonSize},
	{name: "[3]byte", input: "83010203", ptr: new([3]byte), want: [3]byte{1, 2, 3}},
	{name: "[3]byte too short", input: "820102", ptr: new([3]byte), err: ErrByteArraySize},
	{name: "[3]byte too long", input: "8401020304", ptr: new([3]byte), err: ErrByteArraySize},
	{name: "[3]byte from byte", input: "01", ptr: new([3]byte), err: ErrByteArraySize},
	{name: "[3]byte list", input: "C3010203", ptr: new([3]byte), err: ErrExpectedString},

	// Slices and arrays.
	{name: "[]uint empty", input: "C0", ptr: new([]uint), want: []uint{}},
	{name: "[]uint", input: "C3010203", ptr: new([]uint), want: []uint{1, 2, 3}},
	{name: "[]uint from string", input: "83010203", ptr: new([]uint), err: ErrExpectedList},
	{name: "[]uint bad element", input: "C3018100", ptr: new([]uint), err: ErrCanonInt},
	{name: "[]string", input: "C883616263836465 66", ptr: new([]string), want: []string{"abc", "def"}},
	{name: "[][]uint", input: "C4C20102C0", ptr: new([][]uint), want: [][]uint{{1, 2}, {}}},
	{name: "[3]uint", input: "C3010203", ptr: new([3]uint), want: [3]uint{1, 2, 3}},
	{name: "[3]uint too few", input: "C20102", ptr: new([3]uint), err: ErrTooFewElements},
	{name: "[3]uint too many", input: "C401020304", ptr: new([3]uint), err: ErrTooManyElements},
	{name: "element larger than list", input: "C3 84 01020304", ptr: new([]uint), err: ErrElemTooLarge},
	{name: "element header past list", input: "C1 B8", ptr: new([][]byte), err: ErrElemTooLarge},
	{name: "list larger than input", input: "C5 0102", ptr: new([]uint), err: ErrValueTooLarge},
	{name: "long list short size", input: "F80100", ptr: new([]uint), err: ErrCanonSize},
	{name: "long list size leading zero", input: "F90001", ptr: new([]uint), err: ErrCanonSize},
	{name: "[]*uint", input: "C20102", ptr: new([]*uint), want: []*uint{ptrTo(uint(1)), ptrTo(uint(2))}},

	// Structs.
	{name: "struct", input: "C50583646F67", ptr: new(simpleStruct), want: simpleStruct{5, "dog"}},
	{name: "struct from string", input: "83646F67", ptr: new(simpleStruct), err: ErrExpectedList},
	{name: "struct too few", input: "C105", ptr: new(simpleStruct), err: ErrTooFewElements},
	{name: "struct too many", input: "C3058001", ptr: new(simpleStruct), err: ErrTooManyElements},
	{name: "struct empty list", input: "C0", ptr: new(simpleStruct), err: ErrTooFewElements},
	{name: "struct field error", input: "C3C00102", ptr: new(twoUints), err: ErrExpectedString},
	{name: "recursive struct", input: "C405C204C0", ptr: new(recursiveStruct), want: recursiveStruct{5, &recursiveStruct{4, nil}}},
	{name: "recursive node", input: "C3C2C1C0", ptr: new(recursiveNode), want: recursiveNode{[]recursiveNode{{[]recursiveNode{}}}}},

	// Tags.
	{name: "ignored field", input: "C20103", ptr: new(ignoredField), want: ignoredField{A: 1, C: 3}},
	{name: "unexported field", input: "C20103", ptr: new(unexportedField), want: unexportedField{A: 1, C: 3}},
	{name: "tail empty", input: "C101", ptr: new(tailStruct), want: tailStruct{A: 1}},
	{name: "tail", input: "C4010203C0", ptr: new(tailStruct), want: tailStruct{A: 1, Tail: []RawValue{{2}, {3}, {0xC0}}}},
	{name: "tail bad element", input: "C3018100", ptr: new(optionalAndTail), err: ErrCanonInt},
	{name: "optional missing", input: "C101", ptr: new(optionalFields), want: optionalFields{A: 1}},
	{name: "optional one", input: "C20102", ptr: new(optionalFields), want: optionalFields{A: 1, B: 2}},
	{name: "optional both", input: "C3010203", ptr: new(optionalFields), want: optionalFields{1, 2, 3}},
	{name: "optional too many", input: "C401020304", ptr: new(optionalFields), err: ErrTooManyElements},
	{name: "optional required missing", input: "C0", ptr: new(optionalFields), err: ErrTooFewElements},
	{name: "optional and tail, none", input: "C101", ptr: new(optionalAndTail), want: optionalAndTail{A: 1}},
	{name: "optional and tail", input: "C401020304", ptr: new(optionalAndTail), want: optionalAndTail{1, 2, []uint{3, 4}}},
	{name: "optional big missing", input: "C101", ptr: new(optionalBigInt), want: optionalBigInt{A: 1}},
	{name: "optional big", input: "C20105", ptr: new(optionalBigInt), want: optionalBigInt{A: 1, B: big.NewInt(5)}},
	{name: "optional pointer", input: "C50183010203", ptr: new(optionalPtrField), want: optionalPtrField{A: 1, B: &[3]byte{1, 2, 3}}},
	{name: "optional nested struct", input: "C401C20261", ptr: new(optionalNested), want: optionalNested{1, &simpleStruct{2, "a"}}},
	{name: "nil tags all empty", input: "C480C0C0C0", ptr: new(nilTags), want: nilTags{Struct: nil}, err: ErrTooFewElements},
	{name: "nil tags", input: "C6" + "80" + "C0" + "C28080" + "C0", ptr: new(nilTags), want: nilTags{Struct: &simpleStruct{}}},
	{name: "nil tags set", input: "C8" + "8180" + "C101" + "C20161" + "01", ptr: new(nilTags), want: nilTags{&[]byte{0x80}, &[]uint{1}, &simpleStruct{1, "a"}, ptrTo(uint(1))}},
	{name: "nil tag wrong empty list", input: "C6" + "C0" + "C0" + "C28080" + "C0", ptr: new(nilTags), err: ErrExpectedString},
	{name: "nilList tag given string", input: "C6" + "80" + "C0" + "C28080" + "80", ptr: new(nilTags), err: ErrExpectedList},
	{name: "nilString and nilList", input: "C480C0C0C0", ptr: new(nilStringList), want: nilStringList{}},
	{name: "nilString given list", input: "C4C0C0C0C0", ptr: new(nilStringList), err: ErrExpectedString},
	{name: "nilList given string", input: "C48080C0C0", ptr: new(nilStringList), err: ErrExpectedList},
	{name: "nil default list given string", input: "C480C080C0", ptr: new(nilStringList), err: ErrExpectedList},
	{name: "nil recursive", input: "C580C0C0C1C0", ptr: new(nilStringList), want: nilStringList{P: &recursiveNode{Kids: []recursiveNode{}}}},

	// Pointers without nil tags decode empty values as zero values.
	{name: "*uint empty", input: "80", ptr: new(*uint), want: ptrTo(uint(0))},
	{name: "*[]uint empty", input: "C0", ptr: new(*[]uint), want: &[]uint{}},
	{name: "**uint", input: "05", ptr: new(**uint), want: ptrTo(ptrTo(uint(5)))},

	// Interfaces.
	{name: "any byte", input: "05", ptr: new(any), want: []byte{5}},
	{name: "any string", input: "8180", ptr: new(any), want: []byte{0x80}},
	{name: "any empty list", input: "C0", ptr: new(any), want: []any{}},
	{name: "any nested", input: "C60102C3C00380", ptr: new(any), want: []any{[]byte{1}, []byte{2}, []any{[]any{}, []byte{3}, []byte{}}}},
	{name: "any bad", input: "C28100", ptr: new(any), err: ErrCanonSize},
	{name: "[]any", input: "C20102", ptr: new([]any), want: []any{[]byte{1}, []byte{2}}},
	{name: "struct with any", input: "C2C001", ptr: new(struct{ A, B any }), want: struct{ A, B any }{[]any{}, []byte{1}}},
	{name: "non-empty interface", input: "C0", ptr: new(io.Reader), err: ErrUnsupportedType},

	// RawValue.
	{name: "RawValue byte", input: "01", ptr: new(RawValue), want: RawValue{1}},
	{name: "RawValue string", input: "820102", ptr: new(RawValue), want: RawValue{0x82, 1, 2}},
	{name: "RawValue list", input: "C3C20102", ptr: new(RawValue), want: RawValue{0xC3, 0xC2, 1, 2}},
	{name: "RawValue wrapped byte", input: "8101", ptr: new(RawValue), err: ErrCanonSize},
	{name: "RawValue non-canonical inside", input: "C3C28101", ptr: new(RawValue), err: ErrCanonSize},
	{name: "RawValue bad size inside", input: "C3C30102", ptr: new(RawValue), err: ErrElemTooLarge},
	{name: "[]RawValue", input: "C40182FFFF", ptr: new([]RawValue), want: []RawValue{{1}, {0x82, 0xFF, 0xFF}}},
	{name: "struct with RawValue", input: "C3C20102", ptr: new(struct{ R RawValue }), want: struct{ R RawValue }{RawValue{0xC2, 1, 2}}},

	// Decoder implementations.
	{name: "Decoder", input: "C28180", ptr: new(decodeByPointer), want: decodeByPointer{[]byte{0x80}}},
	{name: "Decoder in slice", input: "C4C101C102", ptr: new([]decodeByPointer), want: []decodeByPointer{{[]byte{1}}, {[]byte{2}}}},
	{name: "Decoder error", input: "C0", ptr: new(failingDecoder), err: errDecoderFailed},
	{name: "Decoder error in struct", input: "C1C0", ptr: new(struct{ D failingDecoder }), err: errDecoderFailed},

	// Invalid targets.
	{name: "int", input: "01", ptr: new(int), err: ErrUnsupportedType},
	{name: "float", input: "01", ptr: new(float64), err: ErrUnsupportedType},
	{name: "map", input: "C0", ptr: new(map[string]string), err: ErrUnsupportedType},
	{name: "struct with int", input: "C101", ptr: new(struct{ A int }), err: ErrUnsupportedType},
	{name: "not a pointer", input: "01", ptr: uint(0), err: ErrNoPointer},
	{name: "nil pointer", input: "01", ptr: (*uint)(nil), err: ErrDecodeIntoNil},
	{name: "nil", input: "01", ptr: nil, err: ErrDecodeIntoNil},

	// Input shape.
	{name: "empty input", input: "", ptr: new(uint), err: io.EOF},
	{name: "trailing bytes", input: "0102", ptr: new(uint), err: ErrMoreThanOneValue},
	{name: "trailing bytes after list", input: "C0C0", ptr: new([]uint), err: ErrMoreThanOneValue},
}

// Tag errors surface when the type is first used.
var tagErrorTests = []struct {
	name string
	ptr  any
}{
	{"unknown tag", new(struct {
		A uint `rlp:"bogus"`
	})},
	{"nil on non-pointer", new(struct {
		A uint `rlp:"nil"`
	})},
	{"two nil tags", new(struct {
		A *uint `rlp:"nil,nilList"`
	})},
	{"tail not last", new(struct {
		A []uint `rlp:"tail"`
		B uint
	})},
	{"tail on non-slice", new(struct {
		A uint `rlp:"tail"`
	})},
	{"tail and optional", new(struct {
		A []uint `rlp:"tail,optional"`
	})},
	{"ignored and optional", new(struct {
		A uint `rlp:"-,optional"`
	})},
	{"required after optional", new(struct {
		A uint `rlp:"optional"`
		B uint
	})},
}

func TestDecode(t *testing.T) {
	for _, test := range decTests {
		t.Run(test.name, func(t *testing.T) {
			input := unhex(test.input)
			err := DecodeBytes(input, test.ptr)
			checkDecodeResult(t, "DecodeBytes", test, err)

			// The same through a Stream on an io.Reader, which also checks
			// there is nothing left after the value.
			if test.err == ErrMoreThanOneValue || test.ptr == nil || reflect.TypeOf(test.ptr).Kind() != reflect.Pointer || reflect.ValueOf(test.ptr).IsNil() {
				return
			}
			fresh := reflect.New(reflect.TypeOf(test.ptr).Elem()).Interface()
			r := bytes.NewReader(input)
			err = Decode(r, fresh)
			if err == nil && r.Len() > 0 {
				t.Fatalf("Decode left %d bytes", r.Len())
			}
			test.ptr = fresh
			checkDecodeResult(t, "Decode", test, err)

			fresh = reflect.New(reflect.TypeOf(test.ptr).Elem()).Interface()
			err = NewStream(oneByteReader{bytes.NewReader(input)}, 0).Decode(fresh)
			test.ptr = fresh
			if test.err == ErrValueTooLarge || test.err == io.EOF && err == io.EOF {
				// Without a limit, a short input is an unexpected EOF.
				if err != nil && (errors.Is(err, io.ErrUnexpectedEOF) || err == io.EOF) {
					return
				}
			}
			checkDecodeResult(t, "Decode from unbounded reader", test, err)
		})
	}
}

func checkDecodeResult(t *testing.T, what string, test decTest, err error) {
	t.Helper()
	if test.err != nil {
		if !errors.Is(err, test.err) {
			t.Fatalf("%s: error %v, want %v", what, err, test.err)
		}
		return
	}
	if err != nil {
		t.Fatalf("%s: unexpected error %v", what, err)
	}
	got := reflect.ValueOf(test.ptr).Elem().Interface()
	if !reflect.DeepEqual(got, test.want) {
		t.Fatalf("%s: got %#v, want %#v", what, got, test.want)
	}
}

func TestDecodeTagErrors(t *testing.T) {
	for _, test := range tagErrorTests {
		t.Run(test.name, func(t *testing.T) {
			if err := DecodeBytes(unhex("C20102"), test.ptr); !errors.Is(err, ErrInvalidTag) {
				t.Errorf("DecodeBytes: %v, want ErrInvalidTag", err)
			}
			if _, err := EncodeToBytes(test.ptr); !errors.Is(err, ErrInvalidTag) {
				t.Errorf("EncodeToBytes: %v, want ErrInvalidTag", err)
			}
		})
	}
}

func TestDecodeErrorMessages(t *testing.T) {
	type inner struct{ X []uint }
	type outer struct {
		A uint
		I inner
	}
	tests := []struct {
		name  string
		input string
		ptr   any
		want  string
	}{
		{"top level", "C0", new(uint), "rlp: expected String or Byte for uint"},
		{"nested field", "C501C3C20100", new(outer), "rlp: non-canonical integer format for uint, decoding into (rlp.outer).I.X[1]"},
		{"too few", "C101", new(outer), "rlp: input list has too few elements for rlp.outer, decoding into (rlp.outer).I"},
		{"too many", "C3C00102", new(inner), "rlp: input list has too many elements for rlp.inner"},
		{"byte array", "8201 02", new([3]byte), "rlp: input string length does not match byte array length: got 2 bytes, want 3 for [3]uint8"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			err := DecodeBytes(unhex(test.input), test.ptr)
			if err == nil || err.Error() != test.want {
				t.Fatalf("error %q\n want %q", err, test.want)
			}
		})
	}
}

func TestDecodeReuse(t *testing.T) {
	// Slices with room are reused; pointers are filled in place.
	backing := make([]uint, 5, 10)
	if err := DecodeBytes(unhex("C20102"), &backing); err != nil {
		t.Fatal(err)
	}
	if len(backing) != 2 || cap(backing) != 10 || backing[0] != 1 || backing[1] != 2 {
		t.Fatalf("slice %v, cap %d", backing, cap(backing))
	}
	i := big.NewInt(99)
	p := i
	if err := DecodeBytes(unhex("05"), &p); err != nil || p != i || i.Int64() != 5 {
		t.Fatalf("big.Int not reused: %v %v", p, err)
	}
	// Optional fields missing from the input are zeroed.
	v := optionalFields{A: 9, B: 9, C: 9}
	if err := DecodeBytes(unhex("C101"), &v); err != nil || v != (optionalFields{A: 1}) {
		t.Fatalf("got %+v, %v", v, err)
	}
	// Decoded byte slices do not alias the input.
	input := unhex("83010203")
	var b []byte
	if err := DecodeBytes(input, &b); err != nil {
		t.Fatal(err)
	}
	input[1] = 0xFF
	if b[0] != 1 {
		t.Fatal("decoded []byte aliases the input")
	}
}

// Every truncated prefix of a valid encoding fails cleanly, with every target.
func TestDecodeTruncated(t *testing.T) {
	values := map[string]any{
		"struct":   &benchStruct{A: 300, B: "hello", C: make([]byte, 70), D: big.NewInt(1e18), E: []uint64{1, 2, 300}, F: [32]byte{1}, G: true},
		"nested":   []any{[]any{}, []any{[]byte("abc"), []any{[]byte(strings.Repeat("x", 60))}}},
		"long":     make([]uint64, 100),
		"string":   strings.Repeat("y", 300),
		"tags":     &optionalAndTail{A: 1, B: 2, Tail: []uint{3, 4, 5}},
		"nilTags":  &nilStringList{S: ptrTo(uint(1000)), L: &simpleStruct{1, "a"}, D: &[]uint{}},
		"raw":      []RawValue{unhex("C3C20102"), unhex("8180")},
		"bigint":   new(big.Int).Lsh(big.NewInt(1), 300),
		"uint64":   uint64(1 << 60),
		"byteList": [][]byte{{1}, {0x80}, make([]byte, 56)},
	}
	for name, v := range values {
		t.Run(name, func(t *testing.T) {
			enc, err := EncodeToBytes(v)
			if err != nil {
				t.Fatal(err)
			}
			targets := []func() any{
				func() any { return reflect.New(reflect.TypeOf(v)).Interface() },
				func() any { return new(any) },
				func() any { return new(RawValue) },
			}
			for cut := range len(enc) {
				for _, target := range targets {
					prefix := enc[:cut]
					if err := DecodeBytes(prefix, target()); err == nil {
						t.Fatalf("DecodeBytes accepted %d of %d bytes (%T)", cut, len(enc), target())
					}
					if err := Decode(oneByteReader{bytes.NewReader(prefix)}, target()); err == nil {
						t.Fatalf("Decode accepted %d of %d bytes (%T)", cut, len(enc), target())
					}
				}
				if cut > 0 {
					if _, _, _, err := Split(enc[:cut]); err == nil {
						t.Fatalf("Split accepted %d of %d bytes", cut, len(enc))
					}
				}
			}
			// The full encoding decodes.
			for _, target := range targets {
				if err := DecodeBytes(enc, target()); err != nil {
					t.Fatalf("full input: %v", err)
				}
			}
		})
	}
}

func ExampleDecodeBytes() {
	type Hello struct {
		Version uint64
		Name    string
		Caps    []string
		Port    uint16 `rlp:"optional"` // older peers leave it out
	}
	input := []byte{0xd3, 0x05, 0x87, 's', 'e', 'e', 'd', 'n', 'e', 't', 0xc9, 0x83, 'e', 't', 'h', 0x84, 's', 'n', 'a', 'p'}
	var h Hello
	if err := DecodeBytes(input, &h); err != nil {
		panic(err)
	}
	fmt.Printf("%+v\n", h)

	// Malformed input fails with an error that says where.
	err := DecodeBytes([]byte{0xc3, 0x05, 0x81, 0x01}, &h)
	fmt.Println(err)
	fmt.Println(errors.Is(err, ErrCanonSize))
	// Output:
	// {Version:5 Name:seednet Caps:[eth snap] Port:0}
	// rlp: non-canonical size information for string, decoding into (rlp.Hello).Name
	// true
}

func ExampleDecode() {
	// Decode reads one value at a time from a reader.
	r := bytes.NewReader([]byte{0x01, 0x82, 0x04, 0x00, 0xc0})
	for {
		var v any
		if err := Decode(r, &v); err == io.EOF {
			break
		} else if err != nil {
			panic(err)
		}
		fmt.Printf("%#v\n", v)
	}
	// Output:
	// []byte{0x1}
	// []byte{0x4, 0x0}
	// []interface {}{}
}

// The strictness rules, one case each, checked from a byte slice, a reader of
// known length and an unbounded reader.
func TestStrictDecoding(t *testing.T) {
	tests := []struct {
		name  string
		input string
		ptr   func() any
		err   error
	}{
		{"integer with leading zero byte", "820001", func() any { return new(uint64) }, ErrCanonInt},
		{"big integer with leading zero byte", "820001", func() any { return new(*big.Int) }, ErrCanonInt},
		{"zero integer as 00", "00", func() any { return new(uint64) }, ErrCanonInt},
		{"single byte below 0x80 wrapped as string", "8142", func() any { return new([]byte) }, ErrCanonSize},
		{"long size form for a short string", "B803616263", func() any { return new([]byte) }, ErrCanonSize},
		{"long size form for a short list", "F803010203", func() any { return new([]uint) }, ErrCanonSize},
		{"string size with leading zeros", "B90040" + strings.Repeat("AA", 64), func() any { return new([]byte) }, ErrCanonSize},
		{"list size with leading zeros", "FA000040" + strings.Repeat("01", 64), func() any { return new([]uint) }, ErrCanonSize},
		{"integer too large for uint8", "820100", func() any { return new(uint8) }, ErrUintOverflow},
		{"integer too large for uint64", "89FF0000000000000000", func() any { return new(uint64) }, ErrUintOverflow},
		{"string too long for byte array", "83010203", func() any { return new([2]byte) }, ErrByteArraySize},
		{"element larger than its list", "C2 83 010203", func() any { return new([][]byte) }, ErrElemTooLarge},
		{"value past the end of the input", "C5 0102", func() any { return new([]uint) }, ErrValueTooLarge},
		{"list where a string is expected", "C0", func() any { return new(string) }, ErrExpectedString},
		{"string where a list is expected", "80", func() any { return new([]uint) }, ErrExpectedList},
		{"too few elements for a struct", "C101", func() any { return new(twoUints) }, ErrTooFewElements},
		{"too many elements for a struct", "C3010203", func() any { return new(twoUints) }, ErrTooManyElements},
		{"bytes after the value", "C20102 00", func() any { return new(twoUints) }, ErrMoreThanOneValue},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			input := unhex(test.input)
			if err := DecodeBytes(input, test.ptr()); !errors.Is(err, test.err) {
				t.Errorf("DecodeBytes: %v, want %v", err, test.err)
			}
			if test.err == ErrMoreThanOneValue {
				return
			}
			if err := Decode(bytes.NewReader(input), test.ptr()); !errors.Is(err, test.err) {
				t.Errorf("Decode(bytes.Reader): %v, want %v", err, test.err)
			}
			want := test.err
			if want == ErrValueTooLarge {
				want = io.ErrUnexpectedEOF // no limit: the reader just ends
			}
			if err := Decode(oneByteReader{bytes.NewReader(input)}, test.ptr()); !errors.Is(err, want) {
				t.Errorf("Decode(unbounded reader): %v, want %v", err, want)
			}
		})
	}
}
