package rlp

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"reflect"
	"strings"
	"testing"
)

// The vectors of ethereum/tests, RLPTests/, kept verbatim in testdata.

type vectorTest struct {
	In  any    `json:"in"`
	Out string `json:"out"`
}

func loadVectors(t *testing.T, file string) map[string]vectorTest {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var tests map[string]vectorTest
	if err := dec.Decode(&tests); err != nil {
		t.Fatal(err)
	}
	if len(tests) == 0 {
		t.Fatalf("no tests in %s", file)
	}
	return tests
}

func vectorOut(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.TrimPrefix(s, "0x"))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// vectorValue turns a JSON "in" value into the Go value to encode: numbers
// are uint64, "#..." strings are big integers, "0x..." strings are bytes.
func vectorValue(in any) (any, error) {
	switch v := in.(type) {
	case json.Number:
		return strconv64(v)
	case string:
		switch {
		case strings.HasPrefix(v, "#"):
			i, ok := new(big.Int).SetString(v[1:], 10)
			if !ok {
				return nil, fmt.Errorf("bad big integer %q", v)
			}
			return i, nil
		case strings.HasPrefix(v, "0x"):
			return hex.DecodeString(v[2:])
		default:
			return v, nil
		}
	case []any:
		list := make([]any, len(v))
		for i, e := range v {
			x, err := vectorValue(e)
			if err != nil {
				return nil, err
			}
			list[i] = x
		}
		return list, nil
	default:
		return nil, fmt.Errorf("unexpected JSON value %T", in)
	}
}

func strconv64(n json.Number) (any, error) {
	var x uint64
	if _, err := fmt.Sscan(n.String(), &x); err != nil {
		return nil, fmt.Errorf("bad number %q: %v", n, err)
	}
	return x, nil
}

// genericForm is what decoding into interface{} gives for a value.
func genericForm(v any) any {
	switch v := v.(type) {
	case uint64:
		return new(big.Int).SetUint64(v).Bytes()
	case *big.Int:
		if v.Sign() == 0 {
			return []byte{}
		}
		return v.Bytes()
	case string:
		return []byte(v)
	case []byte:
		return v
	case []any:
		list := make([]any, len(v))
		for i, e := range v {
			list[i] = genericForm(e)
		}
		return list
	}
	panic(fmt.Sprintf("unexpected %T", v))
}

// brokenVectors are cases of the stored rlptest.json whose "out" is not the
// encoding of their "in". listofbinaries: "out" has an odd number of hex
// digits, and its header 0xf8a7 (167 bytes) covers only the first four of the
// 157 elements of "in". For these, the test checks that "in" round-trips and
// that "out" is still malformed; a corrected file runs them in full.
var brokenVectors = map[string]bool{"listofbinaries": true}

func TestVectorsValid(t *testing.T) {
	for name, test := range loadVectors(t, "testdata/rlptest.json") {
		t.Run(name, func(t *testing.T) {
			in, err := vectorValue(test.In)
			if err != nil {
				t.Fatal(err)
			}
			if brokenVectors[name] {
				if _, err := hex.DecodeString(strings.TrimPrefix(test.Out, "0x")); err == nil {
					t.Fatalf("out of %s is valid hex now: remove it from brokenVectors", name)
				}
				enc, err := EncodeToBytes(in)
				if err != nil {
					t.Fatal(err)
				}
				var dec any
				if err := DecodeBytes(enc, &dec); err != nil || !reflect.DeepEqual(dec, genericForm(in)) {
					t.Fatalf("round trip of in: %v", err)
				}
				return
			}
			want := vectorOut(t, test.Out)
			got, err := EncodeToBytes(in)
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("encode mismatch\n got %x\nwant %x", got, want)
			}

			var dec any
			if err := DecodeBytes(want, &dec); err != nil {
				t.Fatalf("decode: %v", err)
			}
			if exp := genericForm(in); !reflect.DeepEqual(dec, exp) {
				t.Fatalf("decode mismatch\n got %#v\nwant %#v", dec, exp)
			}
			again, err := EncodeToBytes(dec)
			if err != nil || !bytes.Equal(again, want) {
				t.Fatalf("re-encode of decoded value: %x, %v", again, err)
			}

			// Typed decoding gives the input back too.
			switch in := in.(type) {
			case uint64:
				var x uint64
				if err := DecodeBytes(want, &x); err != nil || x != in {
					t.Fatalf("decode uint64: %d, %v", x, err)
				}
			case *big.Int:
				var x *big.Int
				if err := DecodeBytes(want, &x); err != nil || x.Cmp(in) != 0 {
					t.Fatalf("decode big.Int: %v, %v", x, err)
				}
			case string:
				var x string
				if err := DecodeBytes(want, &x); err != nil || x != in {
					t.Fatalf("decode string: %q, %v", x, err)
				}
			}

			var raw RawValue
			if err := DecodeBytes(want, &raw); err != nil || !bytes.Equal(raw, want) {
				t.Fatalf("decode RawValue: %x, %v", raw, err)
			}
			// Through an io.Reader, one byte at a time.
			var fromReader any
			if err := NewStream(oneByteReader{bytes.NewReader(want)}, 0).Decode(&fromReader); err != nil {
				t.Fatalf("decode from reader: %v", err)
			}
			if !reflect.DeepEqual(fromReader, dec) {
				t.Fatalf("reader decode mismatch: %#v", fromReader)
			}
		})
	}
}

func TestVectorsInvalid(t *testing.T) {
	for name, test := range loadVectors(t, "testdata/invalidRLPTest.json") {
		t.Run(name, func(t *testing.T) {
			if test.In != "INVALID" {
				t.Fatalf("in = %v, want INVALID", test.In)
			}
			input := vectorOut(t, test.Out)
			var v any
			if err := DecodeBytes(input, &v); err == nil {
				t.Errorf("DecodeBytes into interface{} accepted it: %#v", v)
			}
			var raw RawValue
			if err := DecodeBytes(input, &raw); err == nil {
				t.Errorf("DecodeBytes into RawValue accepted it: %x", raw)
			}
			if err := NewStream(bytes.NewReader(input), 0).Decode(&v); err == nil {
				t.Errorf("Stream.Decode into interface{} accepted it")
			}
			if err := NewStream(oneByteReader{bytes.NewReader(input)}, 0).Decode(&v); err == nil {
				t.Errorf("unbounded Stream.Decode into interface{} accepted it")
			}
		})
	}
}

// oneByteReader hides the io.ByteReader of its reader and reads one byte at a
// time, like a slow network connection.
type oneByteReader struct{ r *bytes.Reader }

func (r oneByteReader) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	return r.r.Read(b[:1])
}
