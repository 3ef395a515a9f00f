package rlp

import (
	"errors"
	"io"
	"reflect"
	"strings"
)

// Errors of the Stream and of the raw-value functions. Decoding into a Go value
// wraps them in an error that also names the Go type and field that failed;
// test for them with errors.Is.
var (
	// EOL is returned by Stream.Kind and the reading methods when the current
	// list has no more elements. It is never wrapped.
	EOL = errors.New("rlp: end of list")

	// ErrExpectedString: a list was found where a string or byte was expected.
	ErrExpectedString = errors.New("rlp: expected String or Byte")
	// ErrExpectedList: a string or byte was found where a list was expected.
	ErrExpectedList = errors.New("rlp: expected List")
	// ErrCanonInt: an integer has leading zero bytes, or is zero encoded as 0x00.
	ErrCanonInt = errors.New("rlp: non-canonical integer format")
	// ErrCanonSize: a header is not in its shortest form: a single byte below
	// 0x80 wrapped as a string, the long size form used for a size below 56,
	// or a size with leading zero bytes.
	ErrCanonSize = errors.New("rlp: non-canonical size information")
	// ErrElemTooLarge: a value's header claims more bytes than are left in
	// the list that contains it.
	ErrElemTooLarge = errors.New("rlp: element is larger than containing list")
	// ErrValueTooLarge: a value's header claims more bytes than are left in
	// the input (the byte slice, or the Stream's input limit).
	ErrValueTooLarge = errors.New("rlp: value size exceeds available input length")
	// ErrMoreThanOneValue: DecodeBytes found bytes after the first value.
	ErrMoreThanOneValue = errors.New("rlp: input contains more than one value")

	// ErrUintOverflow: an integer does not fit the target type.
	ErrUintOverflow = errors.New("rlp: uint overflow")
	// ErrByteArraySize: a string's length differs from the length of the byte
	// array it is decoded into (too long or too short).
	ErrByteArraySize = errors.New("rlp: input string length does not match byte array length")
	// ErrTooFewElements: a list ended before all required struct fields (or
	// all array elements) were decoded.
	ErrTooFewElements = errors.New("rlp: input list has too few elements")
	// ErrTooManyElements: a list has elements left after the last struct field
	// (or array element).
	ErrTooManyElements = errors.New("rlp: input list has too many elements")
	// ErrInvalidBool: a boolean is neither 0x80 (false) nor 0x01 (true).
	ErrInvalidBool = errors.New("rlp: invalid boolean value")
	// ErrTooDeep: lists are nested deeper than MaxDepth.
	ErrTooDeep = errors.New("rlp: lists nested too deeply")

	// ErrNotInList: Stream.ListEnd was called outside of any list.
	ErrNotInList = errors.New("rlp: call of ListEnd outside of any list")
	// ErrNotAtEOL: Stream.ListEnd was called before the end of the list.
	ErrNotAtEOL = errors.New("rlp: call of ListEnd not positioned at EOL")

	// ErrNegativeBigInt: a negative *big.Int cannot be encoded.
	ErrNegativeBigInt = errors.New("rlp: cannot encode negative big.Int")
	// ErrNoPointer: the value given to Decode is not a pointer.
	ErrNoPointer = errors.New("rlp: interface given to Decode must be a pointer")
	// ErrDecodeIntoNil: the pointer given to Decode is nil.
	ErrDecodeIntoNil = errors.New("rlp: pointer given to Decode must not be nil")
	// ErrUnsupportedType: the Go type has no RLP encoding (signed integers,
	// floats, maps, channels, functions, non-empty interfaces when decoding).
	ErrUnsupportedType = errors.New("rlp: type is not RLP-serializable")
	// ErrInvalidTag: a struct has an `rlp:"..."` tag that is unknown or
	// misplaced.
	ErrInvalidTag = errors.New("rlp: invalid struct tag")
)

// MaxDepth is how deeply lists may nest in decoded input. Stream.List fails
// with ErrTooDeep beyond it, which bounds the recursion (and so the stack) of
// every decoder on hostile input such as a megabyte of 0xc1 bytes.
const MaxDepth = 1024

// decodeError is a decoding failure with the Go type being decoded and the
// path from the top-level value to it. It unwraps to the underlying error.
type decodeError struct {
	err  error
	typ  reflect.Type
	path []string // innermost first
}

func (e *decodeError) Error() string {
	var b strings.Builder
	b.WriteString("rlp: ")
	b.WriteString(strings.TrimPrefix(e.err.Error(), "rlp: "))
	if e.typ != nil {
		b.WriteString(" for ")
		b.WriteString(e.typ.String())
	}
	if len(e.path) > 0 {
		b.WriteString(", decoding into ")
		for i := len(e.path) - 1; i >= 0; i-- {
			b.WriteString(e.path[i])
		}
	}
	return b.String()
}

func (e *decodeError) Unwrap() error { return e.err }

// wrapDecodeErr attaches the Go type to err. EOL and io.EOF stay bare: callers
// compare them with ==.
func wrapDecodeErr(err error, typ reflect.Type) error {
	if err == nil || err == EOL || err == io.EOF {
		return err
	}
	if _, ok := err.(*decodeError); ok {
		return err
	}
	return &decodeError{err: err, typ: typ}
}

// addErrorPath records that err happened inside the field or element elem.
// Errors that are not decode errors (those of Decoder implementations, bare
// EOF) pass unchanged.
func addErrorPath(err error, elem string) error {
	if de, ok := err.(*decodeError); ok {
		de.path = append(de.path, elem)
	}
	return err
}
