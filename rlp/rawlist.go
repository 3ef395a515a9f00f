package rlp

import (
	"io"
)

// RawList is an encoded list whose elements are values of type T, kept in
// encoded form: it decodes (checking that the whole list is canonical RLP)
// without decoding the elements, and encodes by copying. Items decodes the
// elements when they are needed. It is go-ethereum v1.17's RawList, for
// message fields such as a block's transactions that are often passed on
// unread.
//
// The zero value is the empty list. A RawList shares its content with its
// copies, as a slice does: append to one copy only. Reading methods, the
// encoding included, are safe for concurrent use; Append, AppendRaw and
// DecodeRLP are not.
//
// Unlike go-ethereum's, decoding checks what is nested in the elements too,
// as decoding into RawValue does, so that a RawList never holds bytes that
// would fail later; and Bytes returns a copy, since the encoding is written
// as header and content without a shared scratch area (which would make
// concurrent encodings of one list race).
type RawList[T any] struct {
	content []byte // the encodings of the elements
	n       int    // the number of elements
}

// EncodeToRawList encodes the elements of val into a RawList.
func EncodeToRawList[T any](val []T) (RawList[T], error) {
	buf := getEncBuffer()
	defer putEncBuffer(buf)
	for i := range val {
		if err := buf.encode(&val[i]); err != nil {
			return RawList[T]{}, err
		}
	}
	return RawList[T]{content: buf.makeBytes(), n: len(val)}, nil
}

// Content returns the encodings of the elements, concatenated: the list's
// encoding without its header. It aliases the list.
func (r *RawList[T]) Content() []byte { return r.content }

// Bytes returns the encoding of the list in a new slice.
func (r *RawList[T]) Bytes() []byte {
	if r == nil {
		return []byte{shortListBase}
	}
	b := AppendListHeader(make([]byte, 0, r.Size()), uint64(len(r.content)))
	return append(b, r.content...)
}

// EncodeRLP implements Encoder. A nil *RawList encodes as the empty list.
func (r RawList[T]) EncodeRLP(w io.Writer) error {
	if buf := encBufferFromWriter(w); buf != nil {
		buf.str = AppendListHeader(buf.str, uint64(len(r.content)))
		buf.str = append(buf.str, r.content...)
		return nil
	}
	_, err := w.Write(r.Bytes())
	return err
}

// DecodeRLP implements Decoder. It checks that the list and everything
// nested in it is canonical RLP (see RawValue), but does not decode the
// elements into T: Items does.
func (r *RawList[T]) DecodeRLP(s *Stream) error {
	kind, size, err := s.Kind()
	if err != nil {
		return err
	}
	if kind != List {
		return ErrExpectedList
	}
	s.kindSet = false
	content, err := s.readAppend(nil, size)
	if err != nil {
		return err
	}
	if err := validate(content, len(s.stack)+1); err != nil {
		return err
	}
	n, err := CountValues(content)
	if err != nil {
		return err
	}
	*r = RawList[T]{content: content, n: n}
	return nil
}

// Items decodes the elements. On error it returns those before the one that
// failed.
func (r *RawList[T]) Items() ([]T, error) {
	items := make([]T, r.n)
	it := r.ContentIterator()
	for i := 0; i < len(items) && it.Next(); i++ {
		if err := it.Err(); err != nil {
			return items[:i], err
		}
		if err := DecodeBytes(it.Value(), &items[i]); err != nil {
			return items[:i], err
		}
	}
	return items, nil
}

// Len returns the number of elements.
func (r *RawList[T]) Len() int { return r.n }

// Size returns the size of the list's encoding.
func (r *RawList[T]) Size() uint64 { return ListSize(uint64(len(r.content))) }

// ContentIterator returns an iterator over the encoded elements. Its offsets
// count from the start of Content.
func (r *RawList[T]) ContentIterator() Iterator { return newIterator(r.content, 0) }

// Append encodes item and adds it at the end of the list.
func (r *RawList[T]) Append(item T) error {
	buf := getEncBuffer()
	defer putEncBuffer(buf)
	if err := buf.encode(&item); err != nil {
		return err
	}
	r.content = buf.appendTo(r.content)
	r.n++
	return nil
}

// AppendRaw adds the encoded value b at the end of the list. b must be
// exactly one canonical value (ErrMoreThanOneValue if bytes follow it).
func (r *RawList[T]) AppendRaw(b []byte) error {
	_, _, rest, err := Split(b)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return ErrMoreThanOneValue
	}
	if err := validate(b, 0); err != nil {
		return err
	}
	r.content = append(r.content, b...)
	r.n++
	return nil
}
