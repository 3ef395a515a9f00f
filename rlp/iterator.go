package rlp

// Iterator steps through encoded values without decoding them: the elements
// of a list (NewListIterator, RawList.ContentIterator). The zero value
// visits nothing.
//
// Next follows go-ethereum's protocol: on a value whose header is bad (not
// canonical, or larger than what is left), Next still returns true, once,
// with a nil Value and Err set; then it returns false. So both
//
//	for it.Next() { if it.Err() != nil { ... }; use(it.Value()) }
//	for it.Next() { use(it.Value()) }; if it.Err() != nil { ... }
//
// see the error. Only headers are checked, not what is nested in a value.
type Iterator struct {
	data []byte // the values not yet visited
	next []byte // the current value
	pos  int    // offset of data in the input
	err  error
}

// NewListIterator returns an iterator over the elements of the list at the
// start of data; bytes after the list are ignored. Offsets count from the
// start of data, the list's header included.
//
// It returns an Iterator, not a pointer, as go-ethereum v1.17 does; call its
// methods on a variable (it, err := NewListIterator(b); for it.Next() ...).
func NewListIterator(data RawValue) (Iterator, error) {
	content, rest, err := SplitList(data)
	if err != nil {
		return Iterator{}, err
	}
	header := len(data) - len(rest) - len(content)
	return newIterator(content, header), nil
}

// newIterator returns an iterator over the values in data, which starts at
// offset in the input that Offset reports positions in.
func newIterator(data []byte, offset int) Iterator {
	return Iterator{data: data, pos: offset}
}

// Next moves to the next value and reports whether there was one (or an
// error, see Iterator).
func (it *Iterator) Next() bool {
	if len(it.data) == 0 {
		it.next = nil
		return false
	}
	_, ts, cs, err := readHeader(it.data)
	if err == nil && cs > uint64(len(it.data))-ts {
		err = ErrElemTooLarge
	}
	if err != nil {
		it.next, it.data, it.err = nil, nil, err
		return true
	}
	n := int(ts + cs)
	it.next, it.data = it.data[:n:n], it.data[n:]
	it.pos += n
	it.err = nil
	return true
}

// Value is the encoding of the current value, header included. It aliases
// the input.
func (it *Iterator) Value() []byte { return it.next }

// Count returns the number of values after the current one, counting a bad
// one (see CountValues): an upper bound on the values Next will yet visit.
// It reads their headers, in time proportional to their number.
func (it *Iterator) Count() int {
	n, _ := CountValues(it.data)
	return n
}

// Offset returns the position of the current value in the input (see
// NewListIterator and RawList.ContentIterator).
func (it *Iterator) Offset() int { return it.pos - len(it.next) }

// Err is the error of the bad value Next stopped at, if any.
func (it *Iterator) Err() error { return it.err }
