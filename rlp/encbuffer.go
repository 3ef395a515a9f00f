package rlp

import (
	"encoding/binary"
	"io"
	"math/big"
	"math/bits"
	"sync"
)

// encBuffer accumulates an encoding. String data and list contents go into
// str as they are written; a list's header depends on its content size, known
// only when the list ends, so headers are kept aside in lheads and spliced in
// when the output is produced.
type encBuffer struct {
	str    []byte
	lheads []listHead
	lhsize int   // total size of the headers of all closed lists
	err    error // first error of an EncoderBuffer write that cannot return one
	out    []byte
}

type listHead struct {
	offset int // where the list's content starts in str
	size   int // while open: lhsize at the start; once closed: content size
}

// maxPooledBuffer is the largest buffer returned to the pool; bigger ones are
// left to the garbage collector so one huge value does not pin its memory.
const maxPooledBuffer = 1 << 20

var encBufferPool = sync.Pool{New: func() any { return new(encBuffer) }}

func getEncBuffer() *encBuffer {
	w := encBufferPool.Get().(*encBuffer)
	w.reset()
	return w
}

func putEncBuffer(w *encBuffer) {
	if cap(w.str) > maxPooledBuffer || cap(w.out) > maxPooledBuffer {
		return
	}
	encBufferPool.Put(w)
}

func (w *encBuffer) reset() {
	w.str = w.str[:0]
	w.lheads = w.lheads[:0]
	w.lhsize = 0
	w.err = nil
}

// size is the size of the output so far.
func (w *encBuffer) size() int { return len(w.str) + w.lhsize }

// Write appends already-encoded data. It makes *encBuffer an io.Writer, which
// is what Encoder implementations receive.
func (w *encBuffer) Write(b []byte) (int, error) {
	w.str = append(w.str, b...)
	return len(b), nil
}

func (w *encBuffer) writeUint64(i uint64) { w.str = AppendUint64(w.str, i) }
func (w *encBuffer) writeBytes(b []byte)  { w.str = AppendBytes(w.str, b) }
func (w *encBuffer) writeString(s string) { w.str = AppendString(w.str, s) }
func (w *encBuffer) writeBool(v bool)     { w.str = AppendBool(w.str, v) }

func (w *encBuffer) writeBigInt(i *big.Int) error {
	if i == nil {
		w.str = append(w.str, shortStringBase)
		return nil
	}
	if i.Sign() < 0 {
		return ErrNegativeBigInt
	}
	bits := i.BitLen()
	if bits <= 64 {
		w.writeUint64(i.Uint64())
		return nil
	}
	n := (bits + 7) / 8
	w.str = appendHeader(w.str, shortStringBase, uint64(n))
	w.str = appendBigWords(w.str, i.Bits(), n)
	return nil
}

// appendBigWords appends the n-byte big-endian form of the magnitude in
// words (little-endian order, as big.Int.Bits returns it, with a non-zero
// top word). It reads the words directly: FillBytes clears the buffer and
// goes through an intermediate copy.
func appendBigWords(b []byte, words []big.Word, n int) []byte {
	const wordBytes = bits.UintSize / 8
	top := len(words) - 1
	for k := n - top*wordBytes - 1; k >= 0; k-- {
		b = append(b, byte(words[top]>>(8*k)))
	}
	for j := top - 1; j >= 0; j-- {
		if wordBytes == 8 {
			b = binary.BigEndian.AppendUint64(b, uint64(words[j]))
		} else {
			b = binary.BigEndian.AppendUint32(b, uint32(words[j]))
		}
	}
	return b
}

// listStart opens a list and returns its index for listEnd.
func (w *encBuffer) listStart() int {
	w.lheads = append(w.lheads, listHead{offset: len(w.str), size: w.lhsize})
	return len(w.lheads) - 1
}

// listEnd closes the list opened by listStart.
func (w *encBuffer) listEnd(index int) {
	lh := &w.lheads[index]
	lh.size = len(w.str) - lh.offset + w.lhsize - lh.size
	w.lhsize += headSize(uint64(lh.size))
}

// appendTo appends the output to dst.
func (w *encBuffer) appendTo(dst []byte) []byte {
	pos := 0
	for _, lh := range w.lheads {
		dst = append(dst, w.str[pos:lh.offset]...)
		dst = appendHeader(dst, shortListBase, uint64(lh.size))
		pos = lh.offset
	}
	return append(dst, w.str[pos:]...)
}

// makeBytes returns the output in a new slice of exactly its size.
func (w *encBuffer) makeBytes() []byte {
	if len(w.lheads) == 0 {
		return append([]byte(nil), w.str...)
	}
	return w.appendTo(make([]byte, 0, w.size()))
}

// writeTo writes the output to dst with a single Write.
func (w *encBuffer) writeTo(dst io.Writer) error {
	var err error
	if len(w.lheads) == 0 {
		_, err = dst.Write(w.str)
	} else {
		w.out = w.appendTo(w.out[:0])
		_, err = dst.Write(w.out)
	}
	return err
}

// encBufferFromWriter returns the buffer behind w when w is the writer given
// to an Encoder, so that nested encodings append to it directly.
func encBufferFromWriter(w io.Writer) *encBuffer {
	switch w := w.(type) {
	case *encBuffer:
		return w
	case EncoderBuffer:
		return w.buf
	case *EncoderBuffer:
		return w.buf
	default:
		return nil
	}
}

// EncoderBuffer builds an encoding step by step without reflection: open a
// list with List, write its elements, close it with ListEnd. It is the
// allocation-free way to encode a type by hand, in an Encoder implementation
// or on a hot path.
//
// Created with NewEncoderBuffer inside EncodeRLP, it writes straight into the
// enclosing encoder's buffer. Otherwise it takes a buffer from a pool; call
// Flush when done (also after ToBytes or AppendToBytes) to return it. An
// EncoderBuffer is not safe for concurrent use, and every List must be closed
// by its ListEnd before the output is taken.
type EncoderBuffer struct {
	buf       *encBuffer
	dst       io.Writer
	ownBuffer bool
}

// NewEncoderBuffer returns a buffer whose output Flush writes to dst (which may
// be nil if the output is taken with ToBytes or AppendToBytes instead).
func NewEncoderBuffer(dst io.Writer) EncoderBuffer {
	var w EncoderBuffer
	w.Reset(dst)
	return w
}

// Reset discards the content and sets a new destination.
func (w *EncoderBuffer) Reset(dst io.Writer) {
	if !w.ownBuffer {
		w.buf = nil // it was writing into an enclosing encoder's buffer
	}
	if outer := encBufferFromWriter(dst); outer != nil {
		w.buf, w.dst, w.ownBuffer = outer, nil, false
		return
	}
	if w.buf == nil {
		w.buf = getEncBuffer()
	} else {
		w.buf.reset()
	}
	w.dst, w.ownBuffer = dst, true
}

// Flush writes the output to the destination given to NewEncoderBuffer (if
// any) and releases the buffer; the EncoderBuffer cannot be used afterwards
// until Reset. It returns the first error of WriteBigInt or of the writer.
func (w *EncoderBuffer) Flush() error {
	if w.buf == nil {
		return nil
	}
	err := w.buf.err
	if w.ownBuffer {
		if err == nil && w.dst != nil {
			err = w.buf.writeTo(w.dst)
		}
		putEncBuffer(w.buf)
	}
	*w = EncoderBuffer{}
	return err
}

// Err is the first error of WriteBigInt (a negative number).
func (w EncoderBuffer) Err() error {
	if w.buf == nil {
		return nil
	}
	return w.buf.err
}

// ToBytes returns the output in a new slice.
func (w *EncoderBuffer) ToBytes() []byte { return w.buf.makeBytes() }

// AppendToBytes appends the output to dst. It does not allocate when dst has
// room.
func (w *EncoderBuffer) AppendToBytes(dst []byte) []byte { return w.buf.appendTo(dst) }

// Write appends b, which must be encoded RLP, to the output.
func (w EncoderBuffer) Write(b []byte) (int, error) { return w.buf.Write(b) }

// WriteUint64 encodes an unsigned integer.
func (w EncoderBuffer) WriteUint64(i uint64) { w.buf.writeUint64(i) }

// WriteBool encodes a boolean.
func (w EncoderBuffer) WriteBool(v bool) { w.buf.writeBool(v) }

// WriteBytes encodes a byte string.
func (w EncoderBuffer) WriteBytes(b []byte) { w.buf.writeBytes(b) }

// WriteString encodes a string.
func (w EncoderBuffer) WriteString(s string) { w.buf.writeString(s) }

// WriteBigInt encodes a non-negative big integer (nil as zero). A negative
// one is skipped and recorded as the error of Err and Flush.
func (w EncoderBuffer) WriteBigInt(i *big.Int) {
	if err := w.buf.writeBigInt(i); err != nil && w.buf.err == nil {
		w.buf.err = err
	}
}

// List opens a list and returns its index for ListEnd.
func (w EncoderBuffer) List() int { return w.buf.listStart() }

// ListEnd closes the list with the given index.
func (w EncoderBuffer) ListEnd(index int) { w.buf.listEnd(index) }
