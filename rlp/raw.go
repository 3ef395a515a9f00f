package rlp

import (
	"encoding/binary"
	"io"
	"math/bits"
	"reflect"
)

// Kind is the kind of an RLP value.
type Kind int8

const (
	// Byte is a single byte below 0x80, which is its own encoding.
	Byte Kind = iota
	// String is a byte string with a header: 0x80+len, or 0xb7+len(len) and len.
	String
	// List is a list of values with a header: 0xc0+len, or 0xf7+len(len) and len.
	List
)

func (k Kind) String() string {
	switch k {
	case Byte:
		return "Byte"
	case String:
		return "String"
	case List:
		return "List"
	default:
		return "Kind(?)"
	}
}

// RawValue is an encoded RLP value. Encoding copies it to the output as it is;
// decoding into it stores a copy of the next value, header included, after
// checking that the value and everything nested in it is canonical.
type RawValue []byte

var rawValueType = reflect.TypeFor[RawValue]()

// Encodings of empty values.
var (
	EmptyString = []byte{0x80}
	EmptyList   = []byte{0xC0}
)

// The header byte ranges.
const (
	shortStringBase = 0x80 // 0x80..0xb7: string of 0..55 bytes
	longStringBase  = 0xB7 // 0xb8..0xbf: 1..8 size bytes follow
	shortListBase   = 0xC0 // 0xc0..0xf7: list of 0..55 bytes
	longListBase    = 0xF7 // 0xf8..0xff: 1..8 size bytes follow
	maxShortSize    = 55
)

// intBytes is the number of bytes in the big-endian form of i without leading
// zeros (zero for i == 0).
func intBytes(i uint64) int {
	return (bits.Len64(i) + 7) / 8
}

// headSize is the size of the header of a string or list of the given size.
func headSize(size uint64) int {
	if size <= maxShortSize {
		return 1
	}
	return 1 + intBytes(size)
}

// appendBigEndian appends the n (1 to 8) low bytes of i, most significant
// first: it appends eight bytes and cuts back, which compiles to plain stores.
func appendBigEndian(b []byte, i uint64, n int) []byte {
	b = append(b, 0, 0, 0, 0, 0, 0, 0, 0)
	binary.BigEndian.PutUint64(b[len(b)-8:], i<<(64-8*uint(n)))
	return b[:len(b)-8+n]
}

// appendHeader appends the header of a string (base 0x80) or list (base 0xc0)
// whose content is size bytes.
func appendHeader(b []byte, base byte, size uint64) []byte {
	if size <= maxShortSize {
		return append(b, base+byte(size))
	}
	n := intBytes(size)
	b = append(b, base+maxShortSize+byte(n))
	return appendBigEndian(b, size, n)
}

// IntSize is the size of the encoding of the integer x.
func IntSize(x uint64) int {
	if x < 0x80 {
		return 1
	}
	return 1 + intBytes(x)
}

// BytesSize is the size of the encoding of the byte string b.
func BytesSize(b []byte) uint64 {
	if len(b) == 1 && b[0] < 0x80 {
		return 1
	}
	return uint64(headSize(uint64(len(b))) + len(b))
}

// StringSize is the size of the encoding of the string s.
func StringSize(s string) uint64 {
	if len(s) == 1 && s[0] < 0x80 {
		return 1
	}
	return uint64(headSize(uint64(len(s))) + len(s))
}

// ListSize is the size of the encoding of a list whose content (the encodings
// of its elements, concatenated) is contentSize bytes.
func ListSize(contentSize uint64) uint64 {
	return uint64(headSize(contentSize)) + contentSize
}

// readSizeBytes reads an n-byte big-endian size from the start of b.
func readSizeBytes(b []byte, n int) (uint64, error) {
	if len(b) < n {
		return 0, io.ErrUnexpectedEOF
	}
	if b[0] == 0 {
		return 0, ErrCanonSize
	}
	var size uint64
	for _, c := range b[:n] {
		size = size<<8 | uint64(c)
	}
	if size <= maxShortSize {
		return 0, ErrCanonSize
	}
	return size, nil
}

// readHeader parses the header at the start of b, returning the kind, the
// header size and the content size. For a Byte, the header size is zero and
// the content is the byte itself. It checks canonical form but not that the
// content fits in b.
func readHeader(b []byte) (k Kind, tagSize, contentSize uint64, err error) {
	if len(b) == 0 {
		return 0, 0, 0, io.ErrUnexpectedEOF
	}
	switch p := b[0]; {
	case p < shortStringBase:
		return Byte, 0, 1, nil
	case p <= shortStringBase+maxShortSize:
		size := uint64(p - shortStringBase)
		if size == 1 && len(b) > 1 && b[1] < 0x80 {
			return 0, 0, 0, ErrCanonSize
		}
		return String, 1, size, nil
	case p < shortListBase:
		n := int(p - longStringBase)
		size, err := readSizeBytes(b[1:], n)
		return String, uint64(1 + n), size, err
	case p <= shortListBase+maxShortSize:
		return List, 1, uint64(p - shortListBase), nil
	default:
		n := int(p - longListBase)
		size, err := readSizeBytes(b[1:], n)
		return List, uint64(1 + n), size, err
	}
}

// Split splits b into the content of its first value and the bytes after it.
// For a Byte, content is the byte itself.
func Split(b []byte) (k Kind, content, rest []byte, err error) {
	k, ts, cs, err := readHeader(b)
	if err != nil {
		return 0, nil, b, err
	}
	if cs > uint64(len(b))-ts {
		return 0, nil, b, ErrValueTooLarge
	}
	end := ts + cs
	return k, b[ts:end], b[end:], nil
}

// SplitString splits b into the content of its first value, which must be a
// string or byte, and the bytes after it.
func SplitString(b []byte) (content, rest []byte, err error) {
	k, content, rest, err := Split(b)
	if err != nil {
		return nil, b, err
	}
	if k == List {
		return nil, b, ErrExpectedString
	}
	return content, rest, nil
}

// SplitList splits b into the content of its first value, which must be a
// list, and the bytes after it.
func SplitList(b []byte) (content, rest []byte, err error) {
	k, content, rest, err := Split(b)
	if err != nil {
		return nil, b, err
	}
	if k != List {
		return nil, b, ErrExpectedList
	}
	return content, rest, nil
}

// SplitUint64 decodes an integer at the start of b and returns the bytes
// after it.
func SplitUint64(b []byte) (x uint64, rest []byte, err error) {
	content, rest, err := SplitString(b)
	if err != nil {
		return 0, b, err
	}
	switch {
	case len(content) == 0:
		return 0, rest, nil
	case len(content) > 8:
		return 0, b, ErrUintOverflow
	case content[0] == 0:
		return 0, b, ErrCanonInt
	}
	for _, c := range content {
		x = x<<8 | uint64(c)
	}
	return x, rest, nil
}

// CountValues counts the values encoded back to back in b, such as the
// content of a list. It checks each header but not what is nested inside.
// On error, the count includes the value that failed (as in go-ethereum):
// it is the number of values a loop over b visits before it stops.
func CountValues(b []byte) (int, error) {
	n := 0
	for len(b) > 0 {
		n++
		_, ts, cs, err := readHeader(b)
		if err == nil && cs > uint64(len(b))-ts {
			err = ErrValueTooLarge
		}
		if err != nil {
			return n, err
		}
		b = b[ts+cs:]
	}
	return n, nil
}

// SplitListValues returns the encodings of the elements of the list b, each
// header included, as subslices of b (not copies: the caller must not modify
// them). It checks the header of each element but not what is nested in
// it. Unlike go-ethereum's, which ignores them, bytes after the list are an
// error (ErrMoreThanOneValue).
func SplitListValues(b []byte) ([][]byte, error) {
	content, rest, err := SplitList(b)
	if err != nil {
		return nil, err
	}
	if len(rest) > 0 {
		return nil, ErrMoreThanOneValue
	}
	n, err := CountValues(content)
	if err != nil {
		if err == ErrValueTooLarge {
			err = ErrElemTooLarge
		}
		return nil, err
	}
	elems := make([][]byte, 0, n)
	for len(content) > 0 {
		_, ts, cs, _ := readHeader(content) // checked by CountValues
		end := ts + cs
		elems = append(elems, content[:end:end])
		content = content[end:]
	}
	return elems, nil
}

// MergeListValues returns the encoding of the list whose elements are the
// encoded values elems, the inverse of SplitListValues. Each element must be
// exactly one value with a canonical header that fits it; what is nested
// inside is not checked.
func MergeListValues(elems [][]byte) ([]byte, error) {
	var size uint64
	for _, e := range elems {
		_, _, rest, err := Split(e)
		if err != nil {
			return nil, err
		}
		if len(rest) > 0 {
			return nil, ErrMoreThanOneValue
		}
		size += uint64(len(e))
	}
	b := AppendListHeader(make([]byte, 0, ListSize(size)), size)
	for _, e := range elems {
		b = append(b, e...)
	}
	return b, nil
}

// validate checks that b is a sequence of canonical values, descending into
// lists without recursion. A value that does not fit its enclosing list fails
// with ErrElemTooLarge, and lists nested more than MaxDepth deep, counting
// the depth lists that enclose b, with ErrTooDeep.
func validate(b []byte, depth int) error {
	var stackBuf [16]int
	ends := stackBuf[:0] // ends of the enclosing lists, innermost last
	end := len(b)
	for pos := 0; ; {
		for pos == end {
			if len(ends) == 0 {
				return nil
			}
			end, ends = ends[len(ends)-1], ends[:len(ends)-1]
		}
		k, ts, cs, err := readHeader(b[pos:end])
		if err == io.ErrUnexpectedEOF {
			err = ErrElemTooLarge
		}
		if err != nil {
			return err
		}
		if cs > uint64(end-pos)-ts {
			return ErrElemTooLarge
		}
		if k == List {
			if depth+len(ends) >= MaxDepth {
				return ErrTooDeep
			}
			ends = append(ends, end)
			pos += int(ts)
			end = pos + int(cs)
		} else {
			pos += int(ts + cs)
		}
	}
}

// AppendUint64 appends the encoding of i to b.
func AppendUint64(b []byte, i uint64) []byte {
	switch {
	case i == 0:
		return append(b, shortStringBase)
	case i < 0x80:
		return append(b, byte(i))
	}
	n := intBytes(i)
	return appendBigEndian(append(b, shortStringBase+byte(n)), i, n)
}

// AppendBytes appends the encoding of the byte string s to b.
func AppendBytes(b, s []byte) []byte {
	if len(s) == 1 && s[0] < 0x80 {
		return append(b, s[0])
	}
	return append(appendHeader(b, shortStringBase, uint64(len(s))), s...)
}

// AppendString appends the encoding of the string s to b.
func AppendString(b []byte, s string) []byte {
	if len(s) == 1 && s[0] < 0x80 {
		return append(b, s[0])
	}
	return append(appendHeader(b, shortStringBase, uint64(len(s))), s...)
}

// AppendBool appends the encoding of v (0x01 or 0x80) to b.
func AppendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 0x01)
	}
	return append(b, shortStringBase)
}

// AppendListHeader appends the header of a list whose content is contentSize
// bytes. The caller then appends exactly that many bytes of encoded elements;
// compute contentSize with IntSize, BytesSize, StringSize and ListSize.
func AppendListHeader(b []byte, contentSize uint64) []byte {
	return appendHeader(b, shortListBase, contentSize)
}
