package rlp

import (
	"bytes"
	"io"
	"math/big"
	"slices"
	"strings"
)

// Stream reads RLP values one piece at a time from a byte slice or an
// io.Reader. It is what Decoder implementations receive, and the way to decode
// a value that is too large, or too irregular, to decode in one go.
//
// Kind looks at the next value; List enters a list and ListEnd leaves it; the
// other methods read one value. Inside a list, reading past its end gives EOL.
// After any other error the Stream is broken and must be Reset.
//
// A Stream reads exactly the bytes of the values it decodes (one at a time
// when the reader is not an io.ByteReader), so the reader can be used for
// other data afterwards. It is not safe for concurrent use.
type Stream struct {
	r  io.Reader
	br io.ByteReader // r, when it is one

	// Input from a byte slice (DecodeBytes): data[pos:] is unread.
	fromBytes bool
	data      []byte
	pos       int
	hdrStart  int // position of the last header read from data

	remaining uint64 // bytes left before the input limit, when limited
	limited   bool
	exact     bool // the limit is the size of input that exists (not just a cap)

	stack []uint64 // bytes left in each enclosing list, innermost last

	// The header of the next value, once Kind has read it.
	kindSet bool
	kind    Kind
	size    uint64
	byteval byte
	kindErr error

	scratch [32]byte
}

// NewStream returns a Stream that reads from r.
//
// inputLimit, when not zero, is the number of bytes the Stream may read: a
// value whose header claims more fails with ErrValueTooLarge before anything
// is allocated. When it is zero and r is a *bytes.Reader, *bytes.Buffer or
// *strings.Reader, the length of r is the limit. Without a limit, a large value
// is read in growing chunks so that memory follows the bytes that actually
// arrive.
func NewStream(r io.Reader, inputLimit uint64) *Stream {
	s := new(Stream)
	s.Reset(r, inputLimit)
	return s
}

// NewListStream returns a Stream positioned at a list whose content, size
// bytes, is read from r: the list's header is not in r. Kind reports (List,
// size); call List to enter the list, then read its elements. The input
// limit is size. It serves code that has the content of a list and its size
// from elsewhere, such as a message whose payload is its parameters.
func NewListStream(r io.Reader, size uint64) *Stream {
	s := NewStream(r, size)
	if size == 0 {
		// NewStream takes a zero limit as "none": no content can be read.
		s.limited, s.remaining = true, 0
	}
	s.kind, s.size, s.kindErr, s.kindSet = List, size, nil, true
	return s
}

// newByteStream returns a Stream reading the value in b.
func newByteStream(b []byte) *Stream {
	s := new(Stream)
	s.resetBytes(b)
	return s
}

// Reset makes the Stream read from r, as NewStream does, discarding all state.
func (s *Stream) Reset(r io.Reader, inputLimit uint64) {
	s.clear()
	s.r = r
	s.br, _ = r.(io.ByteReader)
	switch {
	case inputLimit > 0:
		s.limited, s.remaining = true, inputLimit
	case r == nil:
	default:
		switch br := r.(type) {
		case *bytes.Reader:
			s.limited, s.exact, s.remaining = true, true, uint64(br.Len())
		case *bytes.Buffer:
			s.limited, s.exact, s.remaining = true, true, uint64(br.Len())
		case *strings.Reader:
			s.limited, s.exact, s.remaining = true, true, uint64(br.Len())
		}
	}
}

// resetBytes makes the Stream read from b. The input limit is then the end
// of b, checked against s.pos rather than through s.remaining.
func (s *Stream) resetBytes(b []byte) {
	s.clear()
	s.fromBytes, s.data = true, b
	s.exact = true
}

func (s *Stream) clear() {
	s.r, s.br = nil, nil
	s.fromBytes, s.data, s.pos, s.hdrStart = false, nil, 0, 0
	s.remaining, s.limited, s.exact = 0, false, false
	s.stack = s.stack[:0]
	s.kindSet, s.kindErr = false, nil
}

// Kind returns the kind and content size of the next value without consuming
// it. For a Byte the size is zero. At the end of the current list it returns
// EOL; it also reports malformed headers and values larger than their list
// (ErrElemTooLarge) or the input limit (ErrValueTooLarge). At the end of the
// input, outside any list, it returns io.EOF.
func (s *Stream) Kind() (kind Kind, size uint64, err error) {
	if s.kindSet {
		return s.kind, s.size, s.kindErr
	}
	if s.fromBytes {
		return s.kindFromBytes()
	}
	depth := len(s.stack)
	if depth > 0 && s.stack[depth-1] == 0 {
		return 0, 0, EOL
	}
	s.kind, s.size, s.kindErr = s.readKind()
	if s.kindErr == nil {
		if depth > 0 && s.size > s.stack[depth-1] {
			s.kindErr = ErrElemTooLarge
		} else if s.limited && s.size > s.remaining {
			s.kindErr = ErrValueTooLarge
		}
	}
	s.kindSet = true
	return s.kind, s.size, s.kindErr
}

// kindFromBytes is Kind for byte-slice input: the same checks and errors,
// parsed straight from the slice.
func (s *Stream) kindFromBytes() (Kind, uint64, error) {
	rest := s.data[s.pos:]
	depth := len(s.stack)
	if depth > 0 {
		tos := s.stack[depth-1]
		if tos == 0 {
			return 0, 0, EOL
		}
		// A list never claims more than the input holds (List checked it).
		if tos < uint64(len(rest)) {
			rest = rest[:tos]
		}
	} else if len(rest) == 0 {
		return 0, 0, io.EOF
	}
	var (
		kind Kind
		hs   int // header size
		size uint64
		err  error
	)
	switch b := rest[0]; {
	case b < shortStringBase:
		kind, hs = Byte, 1
		s.byteval = b
	case b <= shortStringBase+maxShortSize:
		kind, hs, size = String, 1, uint64(b-shortStringBase)
	case b < shortListBase:
		n := int(b - longStringBase)
		kind, hs = String, 1+n
		size, err = readSizeBytes(rest[1:], n)
	case b <= shortListBase+maxShortSize:
		kind, hs, size = List, 1, uint64(b-shortListBase)
	default:
		n := int(b - longListBase)
		kind, hs = List, 1+n
		size, err = readSizeBytes(rest[1:], n)
	}
	if err == io.ErrUnexpectedEOF {
		// The size bytes run past the list or the input.
		err = ErrValueTooLarge
		if depth > 0 {
			err = ErrElemTooLarge
		}
	}
	if err == nil {
		s.hdrStart = s.pos
		s.pos += hs
		if depth > 0 {
			s.stack[depth-1] -= uint64(hs)
			if size > s.stack[depth-1] {
				err = ErrElemTooLarge
			}
		} else if size > uint64(len(s.data)-s.pos) {
			err = ErrValueTooLarge
		}
	}
	s.kind, s.size, s.kindErr, s.kindSet = kind, size, err, true
	return kind, size, err
}

func (s *Stream) readKind() (Kind, uint64, error) {
	s.hdrStart = s.pos
	b, err := s.readByte()
	if err != nil {
		if len(s.stack) == 0 && (err == io.ErrUnexpectedEOF || err == ErrValueTooLarge) {
			// Nothing left where a value could start: the end of the input.
			err = io.EOF
		}
		return 0, 0, err
	}
	switch {
	case b < shortStringBase:
		s.byteval = b
		return Byte, 0, nil
	case b <= shortStringBase+maxShortSize:
		return String, uint64(b - shortStringBase), nil
	case b < shortListBase:
		size, err := s.readSize(int(b - longStringBase))
		return String, size, err
	case b <= shortListBase+maxShortSize:
		return List, uint64(b - shortListBase), nil
	default:
		size, err := s.readSize(int(b - longListBase))
		return List, size, err
	}
}

func (s *Stream) readSize(n int) (uint64, error) {
	buf := s.scratch[:n]
	if err := s.readFull(buf); err != nil {
		return 0, err
	}
	return readSizeBytes(buf, n)
}

// willRead accounts for n bytes about to be read from the input.
func (s *Stream) willRead(n uint64) error {
	if d := len(s.stack); d > 0 {
		if n > s.stack[d-1] {
			return ErrElemTooLarge
		}
		s.stack[d-1] -= n
	}
	if s.fromBytes {
		if n > uint64(len(s.data)-s.pos) {
			return ErrValueTooLarge
		}
		return nil
	}
	if s.limited {
		if n > s.remaining {
			return ErrValueTooLarge
		}
		s.remaining -= n
	}
	return nil
}

func (s *Stream) readByte() (byte, error) {
	if err := s.willRead(1); err != nil {
		return 0, err
	}
	if s.fromBytes {
		b := s.data[s.pos]
		s.pos++
		return b, nil
	}
	if s.br != nil {
		b, err := s.br.ReadByte()
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return b, err
	}
	if s.r == nil {
		return 0, io.ErrUnexpectedEOF
	}
	_, err := io.ReadFull(s.r, s.scratch[:1])
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return s.scratch[0], err
}

func (s *Stream) readFull(buf []byte) error {
	if err := s.willRead(uint64(len(buf))); err != nil {
		return err
	}
	if s.fromBytes {
		s.pos += copy(buf, s.data[s.pos:])
		return nil
	}
	if s.r == nil {
		return io.ErrUnexpectedEOF
	}
	_, err := io.ReadFull(s.r, buf)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// chunkSize is the most that is allocated ahead of the bytes that have
// arrived when reading a large value from an unbounded reader.
const chunkSize = 64 << 10

// readAppend appends the next size bytes of input to dst.
func (s *Stream) readAppend(dst []byte, size uint64) ([]byte, error) {
	if err := s.willRead(size); err != nil {
		return dst, err
	}
	if s.fromBytes {
		end := s.pos + int(size)
		dst = append(dst, s.data[s.pos:end]...)
		s.pos = end
		return dst, nil
	}
	if s.r == nil {
		return dst, io.ErrUnexpectedEOF
	}
	step := size
	if !s.exact {
		step = min(size, chunkSize)
	}
	for size > 0 {
		n := int(min(step, size))
		dst = slices.Grow(dst, n)
		got, err := io.ReadFull(s.r, dst[len(dst):len(dst)+n])
		dst = dst[:len(dst)+got]
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return dst, err
		}
		size -= uint64(n)
		step = uint64(len(dst)) // double what has arrived so far
	}
	return dst, nil
}

// content reads the size bytes of a value's content. The result aliases the
// input or the Stream's scratch space unless fresh is true.
func (s *Stream) content(size uint64) (b []byte, fresh bool, err error) {
	if s.fromBytes {
		if err := s.willRead(size); err != nil {
			return nil, false, err
		}
		b = s.data[s.pos : s.pos+int(size) : s.pos+int(size)]
		s.pos += int(size)
		return b, false, nil
	}
	if size <= uint64(len(s.scratch)) {
		b = s.scratch[:size]
		return b, false, s.readFull(b)
	}
	b, err = s.readAppend(nil, size)
	return b, true, err
}

// stringContent consumes the next value, which must be a string or a byte,
// and returns its content, aliased as content does.
func (s *Stream) stringContent() (b []byte, fresh bool, err error) {
	kind, size, err := s.Kind()
	if err != nil {
		return nil, false, err
	}
	switch kind {
	case Byte:
		s.kindSet = false
		s.scratch[0] = s.byteval
		return s.scratch[:1], false, nil
	case String:
		s.kindSet = false
		b, fresh, err = s.content(size)
		if err == nil && size == 1 && b[0] < 0x80 {
			err = ErrCanonSize
		}
		return b, fresh, err
	default:
		return nil, false, ErrExpectedString
	}
}

// Bytes reads a string or byte and returns its content in a new slice.
func (s *Stream) Bytes() ([]byte, error) {
	b, fresh, err := s.stringContent()
	if err != nil {
		return nil, err
	}
	if !fresh {
		b = bytes.Clone(b)
		if b == nil {
			b = []byte{}
		}
	}
	return b, nil
}

// ReadBytes reads a string or byte whose content must be exactly len(b)
// bytes, into b.
func (s *Stream) ReadBytes(b []byte) error {
	kind, size, err := s.Kind()
	if err != nil {
		return err
	}
	switch kind {
	case Byte:
		if len(b) != 1 {
			return ErrByteArraySize
		}
		s.kindSet = false
		b[0] = s.byteval
		return nil
	case String:
		if size != uint64(len(b)) {
			return ErrByteArraySize
		}
		s.kindSet = false
		if err := s.readFull(b); err != nil {
			return err
		}
		if size == 1 && b[0] < 0x80 {
			return ErrCanonSize
		}
		return nil
	default:
		return ErrExpectedString
	}
}

// Raw reads the next value and returns its full encoding, header included, in
// a new slice. Everything nested in a list is checked to be canonical.
func (s *Stream) Raw() ([]byte, error) {
	kind, size, err := s.Kind()
	if err != nil {
		return nil, err
	}
	s.kindSet = false
	if kind == Byte {
		return []byte{s.byteval}, nil
	}
	var buf []byte
	if s.fromBytes {
		// The header is still there in front of the content.
		start := s.hdrStart
		if err := s.willRead(size); err != nil {
			return nil, err
		}
		s.pos += int(size)
		buf = bytes.Clone(s.data[start:s.pos])
	} else {
		base := byte(shortStringBase)
		if kind == List {
			base = shortListBase
		}
		buf = make([]byte, 0, uint64(headSize(size))+min(size, chunkSize))
		buf = appendHeader(buf, base, size)
		if buf, err = s.readAppend(buf, size); err != nil {
			return nil, err
		}
	}
	content := buf[len(buf)-int(size):]
	if kind == String {
		if size == 1 && content[0] < 0x80 {
			return nil, ErrCanonSize
		}
	} else if err := validate(content, len(s.stack)+1); err != nil {
		return nil, err
	}
	return buf, nil
}

// uint reads an unsigned integer of at most maxbits bits.
func (s *Stream) uint(maxbits int) (uint64, error) {
	if s.fromBytes && !s.kindSet {
		if x, ok := s.uintFromBytes(maxbits); ok {
			return x, nil
		}
	}
	kind, size, err := s.Kind()
	if err != nil {
		return 0, err
	}
	switch kind {
	case Byte:
		s.kindSet = false
		if s.byteval == 0 {
			return 0, ErrCanonInt
		}
		return uint64(s.byteval), nil
	case String:
		if size > uint64(maxbits/8) {
			return 0, ErrUintOverflow
		}
		s.kindSet = false
		b, _, err := s.content(size)
		if err != nil {
			return 0, err
		}
		var x uint64
		for _, c := range b {
			x = x<<8 | uint64(c)
		}
		switch {
		case size > 0 && b[0] == 0:
			return 0, ErrCanonInt
		case size == 1 && x < 0x80:
			return 0, ErrCanonSize
		}
		return x, nil
	default:
		return 0, ErrExpectedString
	}
}

// uintFromBytes reads a canonical integer of at most maxbits bits from byte
// input. For anything else it consumes nothing and returns false, and the
// general path reports the error.
func (s *Stream) uintFromBytes(maxbits int) (uint64, bool) {
	rest := s.data[s.pos:]
	d := len(s.stack)
	if d > 0 && s.stack[d-1] < uint64(len(rest)) {
		rest = rest[:s.stack[d-1]]
	}
	if len(rest) == 0 {
		return 0, false
	}
	var x uint64
	n := 1
	switch b := rest[0]; {
	case b == 0:
		return 0, false
	case b < shortStringBase:
		x = uint64(b)
	default:
		size := int(b - shortStringBase)
		if size > maxbits/8 || size >= len(rest) {
			return 0, false
		}
		c := rest[1 : 1+size]
		if size > 0 && (c[0] == 0 || size == 1 && c[0] < 0x80) {
			return 0, false
		}
		for _, v := range c {
			x = x<<8 | uint64(v)
		}
		n += size
	}
	s.pos += n
	if d > 0 {
		s.stack[d-1] -= uint64(n)
	}
	return x, true
}

// Uint64 reads an unsigned integer of up to 64 bits.
func (s *Stream) Uint64() (uint64, error) { return s.uint(64) }

// Uint reads an unsigned integer of up to 64 bits.
//
// Deprecated: use Uint64. Uint is go-ethereum's old name, kept so that
// migrating code compiles.
func (s *Stream) Uint() (uint64, error) { return s.uint(64) }

// Uint32 reads an unsigned integer of up to 32 bits.
func (s *Stream) Uint32() (uint32, error) {
	x, err := s.uint(32)
	return uint32(x), err
}

// Uint16 reads an unsigned integer of up to 16 bits.
func (s *Stream) Uint16() (uint16, error) {
	x, err := s.uint(16)
	return uint16(x), err
}

// Uint8 reads an unsigned integer of up to 8 bits.
func (s *Stream) Uint8() (uint8, error) {
	x, err := s.uint(8)
	return uint8(x), err
}

// Bool reads a boolean: 0x80 is false and 0x01 is true.
func (s *Stream) Bool() (bool, error) {
	x, err := s.uint(8)
	if err != nil {
		return false, err
	}
	switch x {
	case 0:
		return false, nil
	case 1:
		return true, nil
	default:
		return false, ErrInvalidBool
	}
}

// BigInt reads an arbitrarily large unsigned integer.
func (s *Stream) BigInt() (*big.Int, error) {
	i := new(big.Int)
	if err := s.decodeBigInt(i); err != nil {
		return nil, err
	}
	return i, nil
}

func (s *Stream) decodeBigInt(dst *big.Int) error {
	b, _, err := s.stringContent()
	if err != nil {
		return err
	}
	if len(b) > 0 && b[0] == 0 {
		return ErrCanonInt
	}
	dst.SetBytes(b)
	return nil
}

// List enters the next value, which must be a list, and returns the size of
// its content. Read its elements until EOL, then call ListEnd.
func (s *Stream) List() (size uint64, err error) {
	kind, size, err := s.Kind()
	if err != nil {
		return 0, err
	}
	if kind != List {
		return 0, ErrExpectedList
	}
	d := len(s.stack)
	if d >= MaxDepth {
		return 0, ErrTooDeep
	}
	if d > 0 {
		// From the enclosing list's point of view, the content is read now.
		s.stack[d-1] -= size
	}
	s.stack = append(s.stack, size)
	s.kindSet = false
	return size, nil
}

// ListEnd leaves the current list, whose elements must all have been read.
func (s *Stream) ListEnd() error {
	d := len(s.stack)
	if d == 0 {
		return ErrNotInList
	}
	if s.stack[d-1] > 0 {
		return ErrNotAtEOL
	}
	s.stack = s.stack[:d-1]
	s.kindSet = false
	return nil
}

// MoreDataInList reports whether the current list has elements left.
func (s *Stream) MoreDataInList() bool {
	d := len(s.stack)
	return d > 0 && s.stack[d-1] > 0
}
