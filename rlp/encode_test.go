package rlp

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
	"sync"
	"testing"
)

func unhex(s string) []byte {
	s = strings.ReplaceAll(s, " ", "")
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// Types used by the encode and decode tables.

type simpleStruct struct {
	A uint
	B string
}

type recursiveStruct struct {
	I     uint
	Child *recursiveStruct `rlp:"nil"`
}

type tailStruct struct {
	A    uint
	Tail []RawValue `rlp:"tail"`
}

type optionalFields struct {
	A uint
	B uint `rlp:"optional"`
	C uint `rlp:"optional"`
}

type optionalAndTail struct {
	A    uint
	B    uint   `rlp:"optional"`
	Tail []uint `rlp:"tail"`
}

type optionalBigInt struct {
	A uint
	B *big.Int `rlp:"optional"`
}

type optionalPtrField struct {
	A uint
	B *[3]byte `rlp:"optional"`
}

type ignoredField struct {
	A uint
	B uint `rlp:"-"`
	C uint
}

type unexportedField struct {
	A uint
	b uint
	C uint
}

type nilTags struct {
	Str    *[]byte `rlp:"nil"`
	List   *[]uint `rlp:"nil"`
	Struct *simpleStruct
	Forced *uint `rlp:"nilList"`
}

type nilStringList struct {
	S *uint          `rlp:"nilString"`
	L *simpleStruct  `rlp:"nilList"`
	D *[]uint        `rlp:"nil"`
	P *recursiveNode `rlp:"nil"`
}

type recursiveNode struct {
	Kids []recursiveNode
}

type byteArrays struct {
	A [0]byte
	B [1]byte
	C [4]byte
}

type namedByte byte

type namedBytes []namedByte

// encodeByValue implements Encoder with a value receiver.
type encodeByValue uint

func (e encodeByValue) EncodeRLP(w io.Writer) error {
	return Encode(w, []uint{uint(e), uint(e)})
}

// encodeByPointer implements Encoder with a pointer receiver.
type encodeByPointer struct{ V uint }

func (e *encodeByPointer) EncodeRLP(w io.Writer) error {
	eb := NewEncoderBuffer(w)
	l := eb.List()
	eb.WriteUint64(uint64(e.V))
	eb.WriteString("ptr")
	eb.ListEnd(l)
	return eb.Flush()
}

type failingEncoder struct{}

var errEncoderFailed = errors.New("encoder failed")

func (failingEncoder) EncodeRLP(io.Writer) error { return errEncoderFailed }

type encTest struct {
	name   string
	val    any
	output string
	err    error
}

var encTests = []encTest{
	// Booleans.
	{"bool true", true, "01", nil},
	{"bool false", false, "80", nil},

	// Integers.
	{"uint 0", uint32(0), "80", nil},
	{"uint 1", uint32(1), "01", nil},
	{"uint 127", uint32(127), "7F", nil},
	{"uint 128", uint32(128), "8180", nil},
	{"uint 256", uint32(256), "820100", nil},
	{"uint 1024", uint32(1024), "820400", nil},
	{"uint 0xFFFFFF", uint32(0xFFFFFF), "83FFFFFF", nil},
	{"uint 0xFFFFFFFF", uint32(0xFFFFFFFF), "84FFFFFFFF", nil},
	{"uint64 max", uint64(0xFFFFFFFFFFFFFFFF), "88FFFFFFFFFFFFFFFF", nil},
	{"uint8", uint8(200), "81C8", nil},
	{"uint16", uint16(0x1234), "821234", nil},
	{"uint", uint(0x10000), "83010000", nil},
	{"uintptr", uintptr(5), "05", nil},

	// Big integers.
	{"big 0", big.NewInt(0), "80", nil},
	{"big 1", big.NewInt(1), "01", nil},
	{"big 127", big.NewInt(127), "7F", nil},
	{"big 128", big.NewInt(128), "8180", nil},
	{"big 256", big.NewInt(256), "820100", nil},
	{"big 2^64", new(big.Int).Lsh(big.NewInt(1), 64), "89010000000000000000", nil},
	{"big 2^255", new(big.Int).Lsh(big.NewInt(1), 255), "A08000000000000000000000000000000000000000000000000000000000000000", nil},
	{"big value", *big.NewInt(0xFFFFFF), "83FFFFFF", nil},
	{"big nil", (*big.Int)(nil), "80", nil},
	{"big negative", big.NewInt(-1), "", ErrNegativeBigInt},
	{"big negative value", *big.NewInt(-1), "", ErrNegativeBigInt},

	// Byte arrays and slices.
	{"[0]byte", [0]byte{}, "80", nil},
	{"[1]byte 0", [1]byte{0}, "00", nil},
	{"[1]byte 7f", [1]byte{0x7F}, "7F", nil},
	{"[1]byte 80", [1]byte{0x80}, "8180", nil},
	{"[3]byte", [3]byte{1, 2, 3}, "83010203", nil},
	{"[]byte empty", []byte{}, "80", nil},
	{"[]byte nil", []byte(nil), "80", nil},
	{"[]byte 00", []byte{0}, "00", nil},
	{"[]byte 7e", []byte{0x7E}, "7E", nil},
	{"[]byte 80", []byte{0x80}, "8180", nil},
	{"[]byte 3", []byte{1, 2, 3}, "83010203", nil},
	{"named byte slice", namedBytes{1, 2, 3}, "83010203", nil},
	{"[]namedByte", []namedByte{1, 2, 3}, "83010203", nil},
	{"[56]byte", make([]byte, 56), "B838" + strings.Repeat("00", 56), nil},
	{"byte array struct", byteArrays{B: [1]byte{0x81}, C: [4]byte{1, 2, 3, 4}}, "C8808181" + "8401020304", nil},

	// Strings.
	{"string empty", "", "80", nil},
	{"string 1 byte", "\x7e", "7E", nil},
	{"string 1 high byte", "\x80", "8180", nil},
	{"string dog", "dog", "83646F67", nil},
	{"string 55", strings.Repeat("a", 55), "B7" + strings.Repeat("61", 55), nil},
	{"string 56", strings.Repeat("a", 56), "B838" + strings.Repeat("61", 56), nil},
	{"string 1024", strings.Repeat("a", 1024), "B90400" + strings.Repeat("61", 1024), nil},

	// Slices and arrays.
	{"[]uint empty", []uint{}, "C0", nil},
	{"[]uint", []uint{1, 2, 3}, "C3010203", nil},
	{"[3]uint", [3]uint{1, 2, 3}, "C3010203", nil},
	{"[]uint64 big", []uint64{0x80, 0xFFFF}, "C5818082FFFF", nil},
	{"nested lists", []any{[]any{}, []any{[]any{}}, []any{[]any{}, []any{[]any{}}}}, "C7C0C1C0C3C0C1C0", nil},
	{"[]string", []string{"aaa", "bbb", "ccc"}, "CC836161618362626283636363", nil},
	{"[][]string", [][]string{{"asdf", "qwer"}}, "CBCA84617364668471776572", nil},
	{"long list", make([]uint, 56), "F838" + strings.Repeat("80", 56), nil},
	{"[]*uint with nil", []*uint{nil, ptrTo(uint(5))}, "C28005", nil},

	// Structs and tags.
	{"struct", simpleStruct{}, "C28080", nil},
	{"struct values", simpleStruct{A: 3, B: "foo"}, "C50383666F6F", nil},
	{"struct pointer", &simpleStruct{A: 3, B: "foo"}, "C50383666F6F", nil},
	{"recursive struct", &recursiveStruct{5, &recursiveStruct{4, nil}}, "C405C204C0", nil},
	{"tail empty", &tailStruct{A: 1}, "C101", nil},
	{"tail", &tailStruct{A: 1, Tail: []RawValue{unhex("02"), unhex("03")}}, "C3010203", nil},
	{"optional all zero", &optionalFields{A: 1}, "C101", nil},
	{"optional first set", &optionalFields{A: 1, B: 2}, "C20102", nil},
	{"optional last set", &optionalFields{A: 1, C: 3}, "C3018003", nil},
	{"optional and tail, zero", &optionalAndTail{A: 1}, "C101", nil},
	{"optional and tail, empty tail", &optionalAndTail{A: 1, Tail: []uint{}}, "C101", nil},
	{"optional and tail, tail set", &optionalAndTail{A: 1, Tail: []uint{5, 6}}, "C401800506", nil},
	{"optional big nil", &optionalBigInt{A: 1}, "C101", nil},
	{"optional big zero", &optionalBigInt{A: 1, B: new(big.Int)}, "C20180", nil},
	{"optional pointer nil", &optionalPtrField{A: 1}, "C101", nil},
	{"optional pointer set", &optionalPtrField{A: 1, B: &[3]byte{1, 2, 3}}, "C50183010203", nil},
	{"ignored field", &ignoredField{A: 1, B: 2, C: 3}, "C20103", nil},
	{"unexported field", &unexportedField{A: 1, b: 2, C: 3}, "C20103", nil},
	{"nil pointers", &nilTags{}, "C4" + "80" + "C0" + "C0" + "C0", nil},
	{"nilString and nilList", &nilStringList{}, "C4" + "80" + "C0" + "C0" + "C0", nil},

	// Pointers.
	{"nil *uint", (*uint)(nil), "80", nil},
	{"nil *string", (*string)(nil), "80", nil},
	{"nil *[]byte", (*[]byte)(nil), "80", nil},
	{"nil *[10]byte", (*[10]byte)(nil), "80", nil},
	{"nil *bool", (*bool)(nil), "80", nil},
	{"nil *big.Int", (*big.Int)(nil), "80", nil},
	{"nil *[]uint", (*[]uint)(nil), "C0", nil},
	{"nil *[3]uint", (*[3]uint)(nil), "C0", nil},
	{"nil *struct", (*simpleStruct)(nil), "C0", nil},
	{"nil *any", (*any)(nil), "C0", nil},
	{"**uint", ptrTo(ptrTo(uint(7))), "07", nil},

	// Interfaces.
	{"nil", nil, "C0", nil},
	{"[]any with nil", []any{nil, uint(1)}, "C2C001", nil},
	{"[]any", []any{uint(1), "a", []byte{0x80}, []any{}}, "C5016181 80C0", nil},

	// RawValue.
	{"RawValue", RawValue(unhex("01")), "01", nil},
	{"[]RawValue", []RawValue{unhex("01"), unhex("C20102")}, "C401C20102", nil},
	{"struct with RawValue", &struct{ R RawValue }{unhex("8180")}, "C28180", nil},

	// Encoder implementations.
	{"Encoder by value", encodeByValue(3), "C20303", nil},
	{"Encoder by value in slice", []encodeByValue{1}, "C3C20101", nil},
	{"Encoder by pointer", &encodeByPointer{5}, "C50583707472", nil},
	{"Encoder by pointer, unaddressable", encodeByPointer{5}, "C50583707472", nil},
	{"Encoder by pointer in struct", &struct{ E encodeByPointer }{encodeByPointer{6}}, "C6C50683707472", nil},
	{"Encoder nil pointer", (*encodeByPointer)(nil), "C0", nil},
	{"Encoder error", failingEncoder{}, "", errEncoderFailed},
	{"Encoder error in list", []failingEncoder{{}}, "", errEncoderFailed},

	// Unsupported types.
	{"int", 1, "", ErrUnsupportedType},
	{"float", 1.5, "", ErrUnsupportedType},
	{"map", map[string]uint{}, "", ErrUnsupportedType},
	{"chan", make(chan int), "", ErrUnsupportedType},
	{"struct with int", &struct{ A int }{}, "", ErrUnsupportedType},
	{"[]int", []int{1}, "", ErrUnsupportedType},
	{"[]any with int", []any{1}, "", ErrUnsupportedType},
	{"bad tag", &struct {
		A uint `rlp:"bogus"`
	}{}, "", ErrInvalidTag},
}

func ptrTo[T any](v T) *T { return &v }

func TestEncode(t *testing.T) {
	for _, test := range encTests {
		t.Run(test.name, func(t *testing.T) {
			want := unhex(test.output)
			check := func(what string, got []byte, err error) {
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
				if !bytes.Equal(got, want) {
					t.Fatalf("%s: got %X, want %X", what, got, want)
				}
			}
			b, err := EncodeToBytes(test.val)
			check("EncodeToBytes", b, err)

			var buf bytes.Buffer
			err = Encode(&buf, test.val)
			check("Encode", buf.Bytes(), err)

			size, r, err := EncodeToReader(test.val)
			var read []byte
			if err == nil {
				read, _ = io.ReadAll(r)
				if size != len(read) {
					t.Fatalf("EncodeToReader: size %d, read %d", size, len(read))
				}
			}
			check("EncodeToReader", read, err)
		})
	}
}

func TestEncodeConcurrent(t *testing.T) {
	// The type cache is filled from many goroutines at once.
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j, test := range encTests {
				if (i+j)%2 == 0 || test.err != nil {
					continue
				}
				b, err := EncodeToBytes(test.val)
				if err != nil || !bytes.Equal(b, unhex(test.output)) {
					t.Errorf("%s: %X, %v", test.name, b, err)
				}
			}
		})
	}
	wg.Wait()
}

func TestEncodeErrorNamesField(t *testing.T) {
	_, err := EncodeToBytes(&struct {
		A uint
		B int
	}{})
	if err == nil || !strings.Contains(err.Error(), "field B") {
		t.Fatalf("error %v does not name the field", err)
	}
}

func TestEncoderBuffer(t *testing.T) {
	tests := []struct {
		name  string
		build func(w EncoderBuffer)
		want  string
	}{
		{"empty", func(w EncoderBuffer) {}, ""},
		{"uint", func(w EncoderBuffer) { w.WriteUint64(1024) }, "820400"},
		{"list", func(w EncoderBuffer) {
			l := w.List()
			w.WriteUint64(1)
			w.WriteBool(true)
			w.WriteBool(false)
			w.WriteBytes([]byte{0x80})
			w.WriteString("a")
			w.WriteBigInt(big.NewInt(0x100))
			w.ListEnd(l)
		}, "C90101808180618201 00"},
		{"nested lists", func(w EncoderBuffer) {
			outer := w.List()
			inner := w.List()
			w.ListEnd(inner)
			w.WriteString(strings.Repeat("x", 60))
			w.ListEnd(outer)
		}, "F83FC0B83C" + strings.Repeat("78", 60)},
		{"raw write", func(w EncoderBuffer) {
			l := w.List()
			w.Write(unhex("C101"))
			w.ListEnd(l)
		}, "C2C101"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			want := unhex(test.want)

			w := NewEncoderBuffer(nil)
			test.build(w)
			if got := w.ToBytes(); !bytes.Equal(got, want) {
				t.Errorf("ToBytes: %X, want %X", got, want)
			}
			if got := w.AppendToBytes([]byte{0xAA}); !bytes.Equal(got, append([]byte{0xAA}, want...)) {
				t.Errorf("AppendToBytes: %X", got)
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}

			var buf bytes.Buffer
			w = NewEncoderBuffer(&buf)
			test.build(w)
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("Flush: %X, want %X", buf.Bytes(), want)
			}
		})
	}
}

func TestEncoderBufferNegativeBigInt(t *testing.T) {
	w := NewEncoderBuffer(io.Discard)
	w.WriteBigInt(big.NewInt(-5))
	if !errors.Is(w.Err(), ErrNegativeBigInt) {
		t.Fatalf("Err = %v", w.Err())
	}
	if err := w.Flush(); !errors.Is(err, ErrNegativeBigInt) {
		t.Fatalf("Flush = %v", err)
	}
}

func TestEncodeWriterError(t *testing.T) {
	errWrite := errors.New("write failed")
	if err := Encode(failWriter{errWrite}, []uint{1, 2}); !errors.Is(err, errWrite) {
		t.Fatalf("got %v", err)
	}
}

type failWriter struct{ err error }

func (w failWriter) Write([]byte) (int, error) { return 0, w.err }

func TestAppendFunctions(t *testing.T) {
	tests := []struct {
		name string
		got  []byte
		want string
	}{
		{"AppendUint64 0", AppendUint64(nil, 0), "80"},
		{"AppendUint64 127", AppendUint64(nil, 127), "7F"},
		{"AppendUint64 128", AppendUint64(nil, 128), "8180"},
		{"AppendUint64 max", AppendUint64(nil, ^uint64(0)), "88FFFFFFFFFFFFFFFF"},
		{"AppendUint64 appends", AppendUint64([]byte{1}, 0x0400), "01820400"},
		{"AppendBytes empty", AppendBytes(nil, nil), "80"},
		{"AppendBytes single", AppendBytes(nil, []byte{5}), "05"},
		{"AppendBytes long", AppendBytes(nil, make([]byte, 56)), "B838" + strings.Repeat("00", 56)},
		{"AppendString", AppendString(nil, "dog"), "83646F67"},
		{"AppendBool", AppendBool(AppendBool(nil, true), false), "0180"},
		{"AppendListHeader short", AppendListHeader(nil, 55), "F7"},
		{"AppendListHeader long", AppendListHeader(nil, 56), "F838"},
		{"AppendListHeader 1024", AppendListHeader(nil, 1024), "F90400"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			if want := unhex(test.want); !bytes.Equal(test.got, want) {
				t.Fatalf("got %X, want %X", test.got, want)
			}
		})
	}
}

func TestSizeFunctions(t *testing.T) {
	for _, x := range []uint64{0, 1, 0x7F, 0x80, 0xFF, 0x100, 1 << 32, ^uint64(0)} {
		if got, want := IntSize(x), len(AppendUint64(nil, x)); got != want {
			t.Errorf("IntSize(%d) = %d, want %d", x, got, want)
		}
	}
	for _, n := range []int{0, 1, 2, 55, 56, 255, 256, 70000} {
		for _, first := range []byte{0, 0x7F, 0x80} {
			b := make([]byte, n)
			if n > 0 {
				b[0] = first
			}
			if got, want := BytesSize(b), uint64(len(AppendBytes(nil, b))); got != want {
				t.Errorf("BytesSize(%d bytes, first %x) = %d, want %d", n, first, got, want)
			}
			if got, want := StringSize(string(b)), uint64(len(AppendString(nil, string(b)))); got != want {
				t.Errorf("StringSize(%d bytes) = %d, want %d", n, got, want)
			}
		}
		if got, want := ListSize(uint64(n)), uint64(len(AppendListHeader(nil, uint64(n)))+n); got != want {
			t.Errorf("ListSize(%d) = %d, want %d", n, got, want)
		}
	}
}

// Hot paths do not allocate.
func TestAllocations(t *testing.T) {
	buf := make([]byte, 0, 1024)
	payload := make([]byte, 100)
	var boxed any = payload
	list := unhex("C3010203")
	encUints, _ := EncodeToBytes([]uint64{1, 2, 1 << 40, 1 << 63})
	uints := make([]uint64, 0, 8)
	encPair, _ := EncodeToBytes(twoUints{1000, 2})
	var pair twoUints
	tests := []struct {
		name   string
		pooled bool // uses a sync.Pool
		fn     func()
	}{
		{"append functions", false, func() {
			b := buf[:0]
			size := uint64(IntSize(1234)) + BytesSize(payload) + StringSize("dog")
			b = AppendListHeader(b, size)
			b = AppendUint64(b, 1234)
			b = AppendBytes(b, payload)
			_ = AppendString(b, "dog")
		}},
		{"EncoderBuffer", true, func() {
			w := NewEncoderBuffer(nil)
			l := w.List()
			w.WriteUint64(1234)
			w.WriteBytes(payload)
			w.ListEnd(l)
			_ = w.AppendToBytes(buf[:0])
			w.Flush()
		}},
		{"Encode to writer", true, func() {
			if err := Encode(io.Discard, boxed); err != nil {
				t.Fatal(err)
			}
		}},
		{"Split", false, func() {
			_, _, _, _ = Split(list)
		}},
		{"DecodeBytes into reused values", true, func() {
			if err := DecodeBytes(encUints, &uints); err != nil {
				t.Fatal(err)
			}
			if err := DecodeBytes(encPair, &pair); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			if test.pooled && raceEnabled {
				t.Skip("sync.Pool drops items at random under the race detector")
			}
			test.fn() // warm the pools
			if n := testing.AllocsPerRun(100, test.fn); n != 0 {
				t.Fatalf("%v allocations per run, want 0", n)
			}
		})
	}
}

func ExampleEncodeToBytes() {
	type Hello struct {
		Version uint64
		Name    string
		Caps    []string
	}
	b, err := EncodeToBytes(&Hello{Version: 5, Name: "seednet", Caps: []string{"eth", "snap"}})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%x\n", b)
	// Output: d30587736565646e6574c98365746884736e6170
}

func ExampleEncoderBuffer() {
	// Encode [1024, "dog", []] by hand, without reflection.
	w := NewEncoderBuffer(nil)
	list := w.List()
	w.WriteUint64(1024)
	w.WriteString("dog")
	w.ListEnd(w.List())
	w.ListEnd(list)
	out := w.AppendToBytes(make([]byte, 0, 64))
	w.Flush()
	fmt.Printf("%x\n", out)
	// Output: c882040083646f67c0
}

func ExampleAppendListHeader() {
	// The append functions build an encoding in a caller's buffer.
	name := []byte("seednet")
	size := uint64(IntSize(5)) + BytesSize(name)
	b := AppendListHeader(nil, size)
	b = AppendUint64(b, 5)
	b = AppendBytes(b, name)
	fmt.Printf("%x\n", b)
	// Output: c90587736565646e6574
}
