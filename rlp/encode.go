package rlp

import (
	"bytes"
	"fmt"
	"io"
	"math/big"
	"reflect"
)

// Encoder is implemented by types that encode themselves. EncodeRLP must write
// exactly one RLP value (or several, if the type is only ever used as the
// elements of a list it knows about) to w. w is the encoder's own buffer: Encode
// and NewEncoderBuffer called with it append to that buffer directly.
//
// A nil pointer is encoded as an empty value without calling EncodeRLP.
type Encoder interface {
	EncodeRLP(w io.Writer) error
}

// Encode writes the encoding of val to w in a single Write.
//
// Inside an EncodeRLP method, pass it the writer EncodeRLP received: the value
// is then appended to the enclosing encoding without copying.
func Encode(w io.Writer, val any) error {
	if buf := encBufferFromWriter(w); buf != nil {
		return buf.encode(val)
	}
	buf := getEncBuffer()
	defer putEncBuffer(buf)
	if err := buf.encode(val); err != nil {
		return err
	}
	return buf.writeTo(w)
}

// EncodeToBytes returns the encoding of val.
func EncodeToBytes(val any) ([]byte, error) {
	// Byte strings need no buffer: their size is known up front.
	switch v := val.(type) {
	case []byte:
		out := make([]byte, BytesSize(v))
		putBytes(out, v)
		return out, nil
	case string:
		out := make([]byte, StringSize(v))
		putBytes(out, v)
		return out, nil
	case RawValue:
		return bytes.Clone(v), nil
	}
	buf := getEncBuffer()
	defer putEncBuffer(buf)
	if err := buf.encode(val); err != nil {
		return nil, err
	}
	return buf.makeBytes(), nil
}

// putBytes writes the encoding of the string s to out, which has exactly the
// room for it.
func putBytes[T []byte | string](out []byte, s T) {
	if len(s) == 1 && s[0] < 0x80 {
		out[0] = s[0]
		return
	}
	h := appendHeader(out[:0], shortStringBase, uint64(len(s)))
	copy(out[len(h):], s)
}

// EncodeToReader returns the encoding of val as a reader, and its size.
func EncodeToReader(val any) (size int, r io.Reader, err error) {
	b, err := EncodeToBytes(val)
	if err != nil {
		return 0, nil, err
	}
	return len(b), bytes.NewReader(b), nil
}

// encode appends the encoding of val. Common types skip reflection.
func (w *encBuffer) encode(val any) error {
	switch v := val.(type) {
	case nil:
		w.str = append(w.str, shortListBase)
		return nil
	case []byte:
		w.writeBytes(v)
		return nil
	case string:
		w.writeString(v)
		return nil
	case uint64:
		w.writeUint64(v)
		return nil
	case uint32:
		w.writeUint64(uint64(v))
		return nil
	case uint16:
		w.writeUint64(uint64(v))
		return nil
	case uint8:
		w.writeUint64(uint64(v))
		return nil
	case uint:
		w.writeUint64(uint64(v))
		return nil
	case bool:
		w.writeBool(v)
		return nil
	case *big.Int:
		return w.writeBigInt(v)
	case RawValue:
		w.str = append(w.str, v...)
		return nil
	case []any:
		return w.writeAnySlice(v)
	}
	rv := reflect.ValueOf(val)
	return cachedTypeInfo(rv.Type()).writer(rv, w)
}

// writeAnySlice encodes the generic lists that decoding into interface{}
// produces.
func (w *encBuffer) writeAnySlice(v []any) error {
	lh := w.listStart()
	for _, e := range v {
		if err := w.encode(e); err != nil {
			return err
		}
	}
	w.listEnd(lh)
	return nil
}

func (g *generator) makeWriter(typ reflect.Type, tags typeTags) (writer, error) {
	kind := typ.Kind()
	switch {
	case typ == rawValueType:
		return writeRawValue, nil
	case typ == bigIntPtrType:
		return writeBigIntPtr, nil
	case typ == bigIntType:
		return writeBigIntValue, nil
	case kind == reflect.Pointer:
		return g.makePtrWriter(typ, tags)
	case reflect.PointerTo(typ).Implements(encoderType):
		return makeEncoderWriter(typ), nil
	case isUint(kind):
		return writeUint, nil
	case kind == reflect.Bool:
		return writeBool, nil
	case kind == reflect.String:
		return writeString, nil
	case kind == reflect.Slice && isByteElem(typ.Elem()):
		return writeByteSlice, nil
	case kind == reflect.Array && isByteElem(typ.Elem()):
		return writeByteArray, nil
	case kind == reflect.Slice || kind == reflect.Array:
		return g.makeListWriter(typ)
	case kind == reflect.Struct:
		return g.makeStructWriter(typ)
	case kind == reflect.Interface:
		return writeInterface, nil
	default:
		return nil, fmt.Errorf("%w: %v", ErrUnsupportedType, typ)
	}
}

func writeRawValue(v reflect.Value, w *encBuffer) error {
	w.str = append(w.str, v.Bytes()...)
	return nil
}

func writeUint(v reflect.Value, w *encBuffer) error {
	w.writeUint64(v.Uint())
	return nil
}

func writeBool(v reflect.Value, w *encBuffer) error {
	w.writeBool(v.Bool())
	return nil
}

func writeString(v reflect.Value, w *encBuffer) error {
	w.writeString(v.String())
	return nil
}

func writeByteSlice(v reflect.Value, w *encBuffer) error {
	w.writeBytes(v.Bytes())
	return nil
}

func writeByteArray(v reflect.Value, w *encBuffer) error {
	if !v.CanAddr() {
		// Value.Bytes needs an addressable array.
		c := reflect.New(v.Type()).Elem()
		c.Set(v)
		v = c
	}
	w.writeBytes(v.Bytes())
	return nil
}

func writeBigIntPtr(v reflect.Value, w *encBuffer) error {
	return w.writeBigInt(v.Interface().(*big.Int))
}

func writeBigIntValue(v reflect.Value, w *encBuffer) error {
	if v.CanAddr() {
		return w.writeBigInt(v.Addr().Interface().(*big.Int))
	}
	i := v.Interface().(big.Int)
	return w.writeBigInt(&i)
}

func writeInterface(v reflect.Value, w *encBuffer) error {
	if v.IsNil() {
		w.str = append(w.str, shortListBase)
		return nil
	}
	return w.encode(v.Elem().Interface())
}

func (g *generator) makePtrWriter(typ reflect.Type, tags typeTags) (writer, error) {
	nilKind := tags.nilKind
	if nilKind == Byte {
		nilKind = defaultNilKind(typ.Elem())
	}
	empty := byte(shortListBase)
	if nilKind == String {
		empty = shortStringBase
	}
	elem := g.info(typ.Elem(), typeTags{})
	if elem.writerErr != nil {
		return nil, elem.writerErr
	}
	return func(v reflect.Value, w *encBuffer) error {
		if v.IsNil() {
			w.str = append(w.str, empty)
			return nil
		}
		return elem.writer(v.Elem(), w)
	}, nil
}

func makeEncoderWriter(typ reflect.Type) writer {
	return func(v reflect.Value, w *encBuffer) error {
		if !v.CanAddr() {
			// EncodeRLP may have a pointer receiver: call it on a copy.
			c := reflect.New(typ)
			c.Elem().Set(v)
			return c.Interface().(Encoder).EncodeRLP(w)
		}
		return v.Addr().Interface().(Encoder).EncodeRLP(w)
	}
}

func (g *generator) makeListWriter(typ reflect.Type) (writer, error) {
	et := typ.Elem()
	if isUint(et.Kind()) && !reflect.PointerTo(et).Implements(encoderType) {
		return func(v reflect.Value, w *encBuffer) error {
			lh := w.listStart()
			// A local slice spares a GC write barrier per element.
			str := w.str
			for i, n := 0, v.Len(); i < n; i++ {
				str = AppendUint64(str, v.Index(i).Uint())
			}
			w.str = str
			w.listEnd(lh)
			return nil
		}, nil
	}
	elem := g.info(et, typeTags{})
	if elem.writerErr != nil {
		return nil, elem.writerErr
	}
	return func(v reflect.Value, w *encBuffer) error {
		lh := w.listStart()
		if err := writeElems(v, w, elem); err != nil {
			return err
		}
		w.listEnd(lh)
		return nil
	}, nil
}

func writeElems(v reflect.Value, w *encBuffer, elem *typeInfo) error {
	for i, n := 0, v.Len(); i < n; i++ {
		if err := elem.writer(v.Index(i), w); err != nil {
			return err
		}
	}
	return nil
}

func (g *generator) makeStructWriter(typ reflect.Type) (writer, error) {
	fields, err := g.structFields(typ)
	if err != nil {
		return nil, err
	}
	for _, f := range fields {
		if f.info.writerErr != nil {
			return nil, fmt.Errorf("%w (field %s of %v)", f.info.writerErr, f.name, typ)
		}
	}
	firstOptional := len(fields)
	for i, f := range fields {
		if f.optional || f.tail {
			firstOptional = i
			break
		}
	}
	writeField := func(f *field, v reflect.Value, w *encBuffer) error {
		if f.tail {
			return writeElems(v, w, f.info)
		}
		return f.info.writer(v, w)
	}
	if firstOptional == len(fields) {
		return func(v reflect.Value, w *encBuffer) error {
			lh := w.listStart()
			for i := range fields {
				f := &fields[i]
				if err := f.info.writer(v.Field(f.index), w); err != nil {
					return err
				}
			}
			w.listEnd(lh)
			return nil
		}, nil
	}
	return func(v reflect.Value, w *encBuffer) error {
		// Trailing optional fields with zero values are left out.
		n := len(fields)
		for ; n > firstOptional; n-- {
			f := &fields[n-1]
			fv := v.Field(f.index)
			if f.tail && fv.Len() > 0 || !f.tail && !fv.IsZero() {
				break
			}
		}
		lh := w.listStart()
		for i := range n {
			f := &fields[i]
			if err := writeField(f, v.Field(f.index), w); err != nil {
				return err
			}
		}
		w.listEnd(lh)
		return nil
	}, nil
}
