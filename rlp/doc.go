// Package rlp implements the Recursive Length Prefix encoding, the
// serialization of Ethereum and of every devp2p protocol message.
//
// # The encoding
//
// RLP encodes two kinds of values: byte strings and lists of values. Integers
// are big-endian byte strings without leading zeros (zero is the empty
// string). Each value starts with a header that gives its kind and size:
//
//	0x00..0x7f   a single byte below 0x80 is its own encoding (Kind Byte)
//	0x80..0xb7   a string of 0..55 bytes follows; 0x80 is the empty string
//	0xb8..0xbf   1..8 bytes of string size follow (big-endian), then the string
//	0xc0..0xf7   a list whose content, the concatenated encodings of its
//	             elements, is 0..55 bytes; 0xc0 is the empty list
//	0xf8..0xff   1..8 bytes of content size follow, then the content
//
// For example "dog" is 0x83 'd' 'o' 'g', the integer 1024 is 0x82 0x04 0x00,
// and the list ["cat", "dog"] is 0xc8 0x83 'c' 'a' 't' 0x83 'd' 'o' 'g'.
//
// Every value has exactly one encoding. Decoding is strict and rejects the
// others, each with an error that errors.Is can match: a single byte below
// 0x80 wrapped as a string, the long size form for a size below 56, or a size
// with leading zero bytes (ErrCanonSize); an integer with leading zero bytes
// (ErrCanonInt); an integer too large for its Go type (ErrUintOverflow) or a
// string whose length differs from its byte array's (ErrByteArraySize); an
// element larger than its list (ErrElemTooLarge); a value larger than the
// rest of the input (ErrValueTooLarge); a list where a string was expected
// (ErrExpectedString) and the reverse (ErrExpectedList); too few or too many
// list elements for a struct or array (ErrTooFewElements,
// ErrTooManyElements); bytes after the value given to DecodeBytes
// (ErrMoreThanOneValue). Errors of decoding into a Go value name the type and
// the field path, as in
//
//	rlp: expected String or Byte for uint64, decoding into (p2p.Hello).Caps[1].Version
//
// # Go types
//
// Encode, EncodeToBytes and EncodeToReader encode a Go value; Decode and
// DecodeBytes decode into a pointer. The mapping is:
//
//   - Unsigned integers (uint8 to uint64, uint, uintptr) are integers. Signed
//     integers and floats are not supported.
//   - *big.Int and big.Int are integers of any size. A nil *big.Int encodes
//     as zero; a negative one cannot be encoded (ErrNegativeBigInt).
//   - bool is 0x01 (true) or 0x80 (false).
//   - string, []byte and byte arrays ([N]byte) are strings. Decoding into a
//     byte array needs a string of exactly N bytes.
//   - Other slices and arrays are lists of their elements.
//   - Structs are lists of their exported fields in order (see the tags below).
//   - Pointers are the value they point to. A nil pointer encodes as the empty
//     value of its element type: 0x80 for the types above that are strings,
//     0xc0 for the others. Decoding allocates the target if the pointer is nil
//     and otherwise reuses it.
//   - Interfaces encode their dynamic value; a nil interface is 0xc0. Only the
//     empty interface can be decoded into: a string becomes a []byte and a
//     list an []interface{} of such values.
//   - RawValue holds an encoded value, copied as it is in both directions.
//   - Types implementing Encoder or Decoder code themselves.
//
// Decoding reuses what it can: the backing array of a slice with enough
// capacity and the value behind a non-nil pointer. Decoded []byte and strings
// never alias the input.
//
// # Struct tags
//
// Fields are tagged with `rlp:"..."`:
//
//   - "-" leaves the field out.
//   - "optional": the field may be missing at the end of the list (decoding
//     then zeroes it), and encoding leaves it out when it and every optional
//     field after it are zero. Every field after an optional one must be
//     optional too (or the tail).
//   - "tail", on a last field of slice type, takes all remaining list elements
//     instead of a nested list.
//   - "nil", on a pointer field, decodes an empty value (0x80 or 0xc0,
//     whichever the element type encodes as) as a nil pointer. "nilString"
//     and "nilList" choose the empty value explicitly, for both encoding and
//     decoding; the other empty value is then an error.
//
// # Streams and raw values
//
// Stream decodes piece by piece (Kind, List, ListEnd, Bytes, Uint64, BigInt,
// Raw, ...); it is what DecodeRLP methods receive. NewListStream makes one
// for the content of a list whose header is elsewhere. Split, SplitString,
// SplitList, SplitUint64, CountValues, SplitListValues and Iterator
// (NewListIterator) take encoded bytes apart without decoding or copying
// them; MergeListValues joins encoded values into a list. RawList[T] is a
// list kept in encoded form, for message fields that are often passed on
// without being decoded; its Items decodes the elements.
//
// # Encoding without reflection or allocation
//
// EncodeToBytes encodes through a pooled buffer and allocates only its
// result. On a hot path, build the encoding yourself: either with an
// EncoderBuffer (List, WriteUint64, WriteBytes, ..., ListEnd, then
// AppendToBytes into your own buffer, and Flush), or with the append
// functions AppendUint64, AppendBytes, AppendString, AppendBool and
// AppendListHeader, sizing the list header with IntSize, BytesSize,
// StringSize and ListSize. Neither allocates when the destination has room.
//
// # Limits
//
// Decoding never allocates more than the input justifies. With DecodeBytes,
// a Stream that has an input limit, or a reader of known length, every size
// in a header is checked against the input that is left before anything is
// allocated; from an unbounded io.Reader, large values are read in growing
// chunks, so a header that claims gigabytes costs only what actually arrives.
// Lists may nest at most MaxDepth deep (ErrTooDeep), which bounds the stack
// used on hostile input.
//
// The generated encoders and decoders of each type are cached in a
// concurrency-safe cache for the life of the process; everything in this
// package is safe for concurrent use except a single Stream or EncoderBuffer.
package rlp
