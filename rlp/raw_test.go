package rlp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		name          string
		input         string
		kind          Kind
		content, rest string
		err           error
	}{
		{name: "byte", input: "01", kind: Byte, content: "01"},
		{name: "byte rest", input: "7F 01", kind: Byte, content: "7F", rest: "01"},
		{name: "empty string", input: "80", kind: String},
		{name: "string", input: "8180 01", kind: String, content: "80", rest: "01"},
		{name: "long string", input: "B838" + strings.Repeat("AA", 56), kind: String, content: strings.Repeat("AA", 56)},
		{name: "empty list", input: "C0 C0", kind: List, rest: "C0"},
		{name: "list", input: "C20102", kind: List, content: "0102"},
		{name: "long list", input: "F838" + strings.Repeat("01", 56), kind: List, content: strings.Repeat("01", 56)},

		{name: "empty input", input: "", err: io.ErrUnexpectedEOF},
		{name: "wrapped byte", input: "8100", err: ErrCanonSize},
		{name: "wrapped 7f", input: "817F", err: ErrCanonSize},
		{name: "long form short size", input: "B80102", err: ErrCanonSize},
		{name: "size leading zero", input: "B90038", err: ErrCanonSize},
		{name: "long list short size", input: "F80100", err: ErrCanonSize},
		{name: "truncated size", input: "B9 01", err: io.ErrUnexpectedEOF},
		{name: "truncated content", input: "83 0102", err: ErrValueTooLarge},
		{name: "truncated list", input: "C3 0102", err: ErrValueTooLarge},
		{name: "size overflow", input: "BF FFFFFFFFFFFFFFFF", err: ErrValueTooLarge},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			k, content, rest, err := Split(unhex(test.input))
			if test.err != nil {
				if !errors.Is(err, test.err) {
					t.Fatalf("error %v, want %v", err, test.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if k != test.kind || !bytes.Equal(content, unhex(test.content)) || !bytes.Equal(rest, unhex(test.rest)) {
				t.Fatalf("got %v %x %x, want %v %s %s", k, content, rest, test.kind, test.content, test.rest)
			}
		})
	}
}

func TestSplitStringList(t *testing.T) {
	if _, _, err := SplitString(unhex("C0")); err != ErrExpectedString {
		t.Errorf("SplitString(list): %v", err)
	}
	if c, r, err := SplitString(unhex("820102 05")); err != nil || !bytes.Equal(c, unhex("0102")) || !bytes.Equal(r, unhex("05")) {
		t.Errorf("SplitString: %x %x %v", c, r, err)
	}
	if _, _, err := SplitList(unhex("80")); err != ErrExpectedList {
		t.Errorf("SplitList(string): %v", err)
	}
	if _, _, err := SplitList(unhex("05")); err != ErrExpectedList {
		t.Errorf("SplitList(byte): %v", err)
	}
	if c, r, err := SplitList(unhex("C20102")); err != nil || !bytes.Equal(c, unhex("0102")) || len(r) != 0 {
		t.Errorf("SplitList: %x %x %v", c, r, err)
	}
}

func TestSplitUint64(t *testing.T) {
	tests := []struct {
		input string
		want  uint64
		err   error
	}{
		{"80", 0, nil},
		{"01", 1, nil},
		{"7F", 127, nil},
		{"8180", 128, nil},
		{"88FFFFFFFFFFFFFFFF", ^uint64(0), nil},
		{"00", 0, ErrCanonInt},
		{"820001", 0, ErrCanonInt},
		{"8101", 0, ErrCanonSize},
		{"89010000000000000000", 0, ErrUintOverflow},
		{"C0", 0, ErrExpectedString},
	}
	if _, _, err := SplitUint64(nil); err != io.ErrUnexpectedEOF {
		t.Errorf("empty input: %v", err)
	}
	for _, test := range tests {
		t.Run(test.input, func(t *testing.T) {
			x, rest, err := SplitUint64(append(unhex(test.input), 0xAB))
			if test.err != nil {
				if !errors.Is(err, test.err) {
					t.Fatalf("error %v, want %v", err, test.err)
				}
				return
			}
			if err != nil || x != test.want || !bytes.Equal(rest, []byte{0xAB}) {
				t.Fatalf("got %d %x %v", x, rest, err)
			}
		})
	}
}

func TestCountValues(t *testing.T) {
	tests := []struct {
		input string
		count int
		err   error
	}{
		{"", 0, nil},
		{"00", 1, nil},
		{"00 01 02", 3, nil},
		{"C0 80 C20102", 3, nil},
		// On error the count includes the bad value, as in go-ethereum.
		{"8100", 1, ErrCanonSize},
		{"01 01 8142", 3, ErrCanonSize},
		{"02 84020202", 2, ErrValueTooLarge},
		{"C3 01", 1, ErrValueTooLarge},
		{"00 B9", 2, io.ErrUnexpectedEOF},
	}
	for _, test := range tests {
		t.Run(test.input, func(t *testing.T) {
			n, err := CountValues(unhex(test.input))
			if n != test.count || !errors.Is(err, test.err) {
				t.Fatalf("got %d, %v; want %d, %v", n, err, test.count, test.err)
			}
		})
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{Byte: "Byte", String: "String", List: "List", Kind(7): "Kind(?)"} {
		if k.String() != want {
			t.Errorf("%d: %q", k, k.String())
		}
	}
}

func ExampleSplit() {
	// Take the list [1024, "dog"] apart without decoding it.
	input := []byte{0xc7, 0x82, 0x04, 0x00, 0x83, 'd', 'o', 'g'}
	kind, content, rest, _ := Split(input)
	fmt.Println(kind, len(content), len(rest))
	n, content, _ := SplitUint64(content)
	s, _, _ := SplitString(content)
	fmt.Println(n, string(s))
	// Output:
	// List 7 0
	// 1024 dog
}
