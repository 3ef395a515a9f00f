package enr

import (
	"fmt"
	"io"
	"slices"
	"sort"

	"github.com/seednet/p2p/rlp"
)

// Record is an Ethereum Node Record. The zero value is an empty, unsigned
// record with sequence number zero.
//
// Copying a Record value gives an independent record: Set, SetSeq and SetSig
// on the copy leave the original as it was.
type Record struct {
	seq       uint64
	signature []byte // nil while the record is not signed
	raw       []byte // encoding of the signed record, nil while not signed
	pairs     []pair // sorted by key, keys unique; never modified in place
}

// pair is one key/value entry; v is the RLP encoding of the value.
type pair struct {
	k string
	v rlp.RawValue
}

// Seq returns the sequence number.
func (r *Record) Seq() uint64 { return r.seq }

// SetSeq sets the sequence number and drops the signature. The owner of a
// record increases seq whenever the record changes.
func (r *Record) SetSeq(seq uint64) {
	r.invalidate()
	r.seq = seq
}

// Signature returns a copy of the signature, or nil if the record is not
// signed.
func (r *Record) Signature() []byte {
	if r.signature == nil {
		return nil
	}
	return slices.Clone(r.signature)
}

// Load decodes the value stored under e's key into e, which must be a pointer
// (such as *TCP or the result of WithEntry). It returns a *KeyError: wrapping
// ErrNotFound if the key is missing (see IsNotFound), or the decoding error if
// the value does not fit the entry type.
func (r *Record) Load(e Entry) error {
	key := e.ENRKey()
	i, ok := r.find(key)
	if !ok {
		return &KeyError{Key: key, Err: ErrNotFound}
	}
	if err := rlp.DecodeBytes(r.pairs[i].v, e); err != nil {
		return &KeyError{Key: key, Err: err}
	}
	return nil
}

// Set stores e under its key, replacing any previous value, and drops the
// signature. It panics if e cannot be RLP-encoded, which only happens for
// entry types that are broken (such as an IPv4 entry holding an IPv6 address):
// a programming error, not an input error.
func (r *Record) Set(e Entry) {
	blob, err := rlp.EncodeToBytes(e)
	if err != nil {
		panic(fmt.Sprintf("enr: can't encode %q entry: %v", e.ENRKey(), err))
	}
	r.setRaw(e.ENRKey(), blob)
}

// setRaw stores an encoded value. It builds a new pairs slice so that copies
// of the record sharing the old one are unaffected.
func (r *Record) setRaw(key string, v []byte) {
	r.invalidate()
	i, found := r.find(key)
	pairs := make([]pair, 0, len(r.pairs)+1)
	pairs = append(pairs, r.pairs[:i]...)
	pairs = append(pairs, pair{key, v})
	if found {
		i++
	}
	pairs = append(pairs, r.pairs[i:]...)
	r.pairs = pairs
}

// find returns the index of key in the pairs, or where it would go.
func (r *Record) find(key string) (int, bool) {
	i := sort.Search(len(r.pairs), func(i int) bool { return r.pairs[i].k >= key })
	return i, i < len(r.pairs) && r.pairs[i].k == key
}

func (r *Record) invalidate() {
	r.signature = nil
	r.raw = nil
}

// IdentityScheme returns the name of the record's identity scheme, the value
// of its "id" entry, or "" if there is none.
func (r *Record) IdentityScheme() string {
	var id ID
	if r.Load(&id) != nil {
		return ""
	}
	return string(id)
}

// VerifySignature checks the record's signature with the given scheme, which
// is usually a SchemeMap of the schemes the caller accepts.
func (r *Record) VerifySignature(s IdentityScheme) error {
	if r.signature == nil {
		return ErrNotSigned
	}
	return s.Verify(r, r.signature)
}

// SetSig sets the record's signature after checking it with s, and encodes
// the record. It fails with the scheme's error if the signature does not
// verify and with ErrTooBig if the signed record would exceed SizeLimit; the
// record is then unchanged. SetSig(nil, nil) removes the signature.
//
// Identity schemes call SetSig from their signing functions (enode.SignV4).
func (r *Record) SetSig(s IdentityScheme, sig []byte) error {
	if s == nil {
		if sig != nil {
			return fmt.Errorf("%w: signature given without identity scheme", ErrInvalidSig)
		}
		r.invalidate()
		return nil
	}
	if err := s.Verify(r, sig); err != nil {
		return err
	}
	raw := r.encode(sig)
	if len(raw) > SizeLimit {
		return ErrTooBig
	}
	r.signature = append(make([]byte, 0, len(sig)), sig...)
	r.raw = raw
	return nil
}

// Size returns the size of the record's encoding in bytes: of the signed
// record as EncodeRLP writes it, or, for a record without signature, of the
// encoding with an empty signature (what a scheme's signature adds comes on
// top: 64 bytes and a 1-byte header for "v4").
func (r *Record) Size() uint64 {
	if r.raw != nil {
		return uint64(len(r.raw))
	}
	return rlp.ListSize(rlp.BytesSize(r.signature) + r.elemsSize())
}

// AppendElements appends the content elements seq, k1, v1, k2, v2, ... to
// list, with each value as an rlp.RawValue. The RLP encoding of the result,
// with nothing appended to an empty list, is the content that identity
// schemes sign; AppendContent produces it directly.
func (r *Record) AppendElements(list []any) []any {
	list = append(list, r.seq)
	for _, p := range r.pairs {
		list = append(list, p.k, p.v)
	}
	return list
}

// AppendContent appends the RLP encoding of the list [seq, k1, v1, ...], the
// content that identity schemes sign, to b.
func (r *Record) AppendContent(b []byte) []byte {
	b = rlp.AppendListHeader(b, r.elemsSize())
	return r.appendElems(b)
}

func (r *Record) elemsSize() uint64 {
	n := uint64(rlp.IntSize(r.seq))
	for _, p := range r.pairs {
		n += rlp.StringSize(p.k) + uint64(len(p.v))
	}
	return n
}

func (r *Record) appendElems(b []byte) []byte {
	b = rlp.AppendUint64(b, r.seq)
	for _, p := range r.pairs {
		b = rlp.AppendString(b, p.k)
		b = append(b, p.v...)
	}
	return b
}

// encode returns the encoding of [sig, seq, k1, v1, ...].
func (r *Record) encode(sig []byte) []byte {
	size := rlp.BytesSize(sig) + r.elemsSize()
	b := make([]byte, 0, rlp.ListSize(size))
	b = rlp.AppendListHeader(b, size)
	b = rlp.AppendBytes(b, sig)
	return r.appendElems(b)
}

// EncodeRLP implements rlp.Encoder. It writes the record as it was signed or
// decoded, and fails with ErrNotSigned if the record has no signature.
func (r Record) EncodeRLP(w io.Writer) error {
	if r.raw == nil {
		return ErrNotSigned
	}
	_, err := w.Write(r.raw)
	return err
}

// DecodeRLP implements rlp.Decoder. It checks the record's structure (see the
// package documentation) but not its signature. On error r is unchanged.
func (r *Record) DecodeRLP(s *rlp.Stream) error {
	kind, size, err := s.Kind()
	if err != nil {
		return err
	}
	if kind != rlp.List {
		return fmt.Errorf("%w: not a list", ErrInvalidRecord)
	}
	if rlp.ListSize(size) > SizeLimit {
		return ErrTooBig
	}
	raw, err := s.Raw()
	if err != nil {
		return err
	}
	dec, err := decodeRecord(raw)
	if err != nil {
		return err
	}
	*r = dec
	return nil
}

// decodeRecord parses raw, the complete and canonical encoding of one list,
// which the new record keeps and its fields point into.
func decodeRecord(raw []byte) (Record, error) {
	var dec Record
	content, _, err := rlp.SplitList(raw)
	if err != nil {
		return dec, err
	}
	if len(content) == 0 {
		return dec, fmt.Errorf("%w: missing signature", ErrInvalidRecord)
	}
	kind, sig, content, err := rlp.Split(content)
	if err != nil {
		return dec, err
	}
	if kind == rlp.List {
		return dec, fmt.Errorf("%w: signature is a list", ErrInvalidRecord)
	}
	if len(content) == 0 {
		return dec, fmt.Errorf("%w: missing seq", ErrInvalidRecord)
	}
	if dec.seq, content, err = rlp.SplitUint64(content); err != nil {
		return dec, fmt.Errorf("%w: invalid seq: %w", ErrInvalidRecord, err)
	}
	n, err := rlp.CountValues(content)
	if err != nil {
		return dec, err
	}
	if n%2 != 0 {
		return dec, ErrIncompletePair
	}
	dec.pairs = make([]pair, 0, n/2)
	for len(content) > 0 {
		kind, k, rest, err := rlp.Split(content)
		if err != nil {
			return dec, err
		}
		if kind == rlp.List {
			return dec, fmt.Errorf("%w: key is a list", ErrInvalidRecord)
		}
		_, _, after, err := rlp.Split(rest)
		if err != nil {
			return dec, err
		}
		key := string(k)
		if len(dec.pairs) > 0 {
			prev := dec.pairs[len(dec.pairs)-1].k
			switch {
			case key == prev:
				return dec, fmt.Errorf("%w %q", ErrDuplicateKey, key)
			case key < prev:
				return dec, fmt.Errorf("%w: %q after %q", ErrNotSorted, key, prev)
			}
		}
		dec.pairs = append(dec.pairs, pair{key, rest[:len(rest)-len(after)]})
		content = after
	}
	if sig == nil {
		sig = []byte{}
	}
	dec.signature = sig
	dec.raw = raw
	return dec, nil
}
