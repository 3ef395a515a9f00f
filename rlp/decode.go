package rlp

import (
	"fmt"
	"io"
	"math/big"
	"reflect"
	"strconv"
	"sync"
)

// Decoder is implemented by types that decode themselves. DecodeRLP must read
// exactly one value from s (for example with s.List, reads of the elements
// and s.ListEnd).
type Decoder interface {
	DecodeRLP(s *Stream) error
}

var streamPool = sync.Pool{New: func() any { return new(Stream) }}

// Decode reads one value from r into val, which must be a non-nil pointer.
// It reads no further than the end of that value. If r is a *bytes.Reader,
// *bytes.Buffer or *strings.Reader, its length is the input limit (see
// NewStream); otherwise wrap r in a Stream with NewStream to set one.
//
// At the end of the input it returns io.EOF.
func Decode(r io.Reader, val any) error {
	s := streamPool.Get().(*Stream)
	s.Reset(r, 0)
	err := s.Decode(val)
	s.clear()
	streamPool.Put(s)
	return err
}

// DecodeBytes decodes the value in b into val, which must be a non-nil
// pointer. b must hold exactly one value: trailing bytes are an error
// (ErrMoreThanOneValue). Decoded byte slices and strings are copies; nothing
// keeps a reference to b.
func DecodeBytes(b []byte, val any) error {
	s := streamPool.Get().(*Stream)
	s.resetBytes(b)
	err := s.Decode(val)
	if err == nil && s.pos < len(b) {
		err = ErrMoreThanOneValue
	}
	s.clear()
	streamPool.Put(s)
	return err
}

// Decode reads the next value into val, which must be a non-nil pointer. See
// the package documentation for how each Go type is decoded.
func (s *Stream) Decode(val any) error {
	// Common targets skip reflection.
	switch v := val.(type) {
	case *[]byte:
		if v != nil {
			b, err := s.Bytes()
			if err != nil {
				return wrapTopErr(err, byteSliceType)
			}
			*v = b
			return nil
		}
	case *uint64:
		if v != nil {
			x, err := s.uint(64)
			if err != nil {
				return wrapTopErr(err, uint64Type)
			}
			*v = x
			return nil
		}
	case *any:
		if v != nil {
			x, err := s.decodeAny()
			if err != nil {
				return wrapTopErr(err, anyType)
			}
			*v = x
			return nil
		}
	case *RawValue:
		if v != nil {
			b, err := s.Raw()
			if err != nil {
				return wrapTopErr(err, rawValueType)
			}
			*v = b
			return nil
		}
	}
	if val == nil {
		return ErrDecodeIntoNil
	}
	rv := reflect.ValueOf(val)
	rt := rv.Type()
	if rt.Kind() != reflect.Pointer {
		return ErrNoPointer
	}
	if rv.IsNil() {
		return ErrDecodeIntoNil
	}
	err := cachedTypeInfo(rt.Elem()).decoder(s, rv.Elem())
	return wrapTopErr(err, rt.Elem())
}

var (
	byteSliceType = reflect.TypeFor[[]byte]()
	uint64Type    = reflect.TypeFor[uint64]()
	anyType       = reflect.TypeFor[any]()
)

// wrapTopErr finishes an error of Stream.Decode: the path starts at the type
// given to Decode.
func wrapTopErr(err error, typ reflect.Type) error {
	err = wrapDecodeErr(err, typ)
	if de, ok := err.(*decodeError); ok && len(de.path) > 0 {
		de.path = append(de.path, "("+typ.String()+")")
	}
	return err
}

func (g *generator) makeDecoder(typ reflect.Type, tags typeTags) (decoder, error) {
	kind := typ.Kind()
	switch {
	case typ == rawValueType:
		return decodeRawValue, nil
	case typ == bigIntPtrType:
		return decodeBigIntPtr, nil
	case typ == bigIntType:
		return decodeBigIntValue, nil
	case kind == reflect.Pointer:
		return g.makePtrDecoder(typ, tags)
	case reflect.PointerTo(typ).Implements(decoderType):
		return decodeDecoder, nil
	case isUint(kind):
		return makeUintDecoder(typ), nil
	case kind == reflect.Bool:
		return decodeBool, nil
	case kind == reflect.String:
		return decodeString, nil
	case kind == reflect.Slice && isByteElem(typ.Elem()):
		return decodeByteSlice, nil
	case kind == reflect.Array && isByteElem(typ.Elem()):
		return decodeByteArray, nil
	case kind == reflect.Slice:
		return g.makeSliceDecoder(typ)
	case kind == reflect.Array:
		return g.makeArrayDecoder(typ)
	case kind == reflect.Struct:
		return g.makeStructDecoder(typ)
	case kind == reflect.Interface && typ.NumMethod() == 0:
		return decodeInterface, nil
	default:
		return nil, fmt.Errorf("%w: %v", ErrUnsupportedType, typ)
	}
}

func decodeRawValue(s *Stream, v reflect.Value) error {
	b, err := s.Raw()
	if err != nil {
		return wrapDecodeErr(err, v.Type())
	}
	v.SetBytes(b)
	return nil
}

func makeUintDecoder(typ reflect.Type) decoder {
	bits := typ.Bits()
	return func(s *Stream, v reflect.Value) error {
		x, err := s.uint(bits)
		if err != nil {
			return wrapDecodeErr(err, typ)
		}
		v.SetUint(x)
		return nil
	}
}

func decodeBool(s *Stream, v reflect.Value) error {
	b, err := s.Bool()
	if err != nil {
		return wrapDecodeErr(err, v.Type())
	}
	v.SetBool(b)
	return nil
}

func decodeString(s *Stream, v reflect.Value) error {
	b, _, err := s.stringContent()
	if err != nil {
		return wrapDecodeErr(err, v.Type())
	}
	v.SetString(string(b))
	return nil
}

func decodeByteSlice(s *Stream, v reflect.Value) error {
	b, err := s.Bytes()
	if err != nil {
		return wrapDecodeErr(err, v.Type())
	}
	v.SetBytes(b)
	return nil
}

func decodeByteArray(s *Stream, v reflect.Value) error {
	kind, size, err := s.Kind()
	if err == nil {
		switch {
		case kind == List:
			err = ErrExpectedString
		case kind == String && size != uint64(v.Len()):
			err = fmt.Errorf("%w: got %d bytes, want %d", ErrByteArraySize, size, v.Len())
		case kind == Byte && v.Len() != 1:
			err = fmt.Errorf("%w: got 1 byte, want %d", ErrByteArraySize, v.Len())
		default:
			err = s.ReadBytes(v.Bytes())
		}
	}
	return wrapDecodeErr(err, v.Type())
}

func decodeBigIntPtr(s *Stream, v reflect.Value) error {
	i := v.Interface().(*big.Int)
	if i == nil {
		i = new(big.Int)
		v.Set(reflect.ValueOf(i))
	}
	return wrapDecodeErr(s.decodeBigInt(i), bigIntType)
}

func decodeBigIntValue(s *Stream, v reflect.Value) error {
	return wrapDecodeErr(s.decodeBigInt(v.Addr().Interface().(*big.Int)), bigIntType)
}

func decodeDecoder(s *Stream, v reflect.Value) error {
	return v.Addr().Interface().(Decoder).DecodeRLP(s)
}

func decodeInterface(s *Stream, v reflect.Value) error {
	x, err := s.decodeAny()
	if err != nil {
		return wrapDecodeErr(err, v.Type())
	}
	v.Set(reflect.ValueOf(x))
	return nil
}

// decodeAny decodes the next value as a []byte or, for a list, an []any.
func (s *Stream) decodeAny() (any, error) {
	kind, _, err := s.Kind()
	if err != nil {
		return nil, err
	}
	if kind != List {
		return s.Bytes()
	}
	size, err := s.List()
	if err != nil {
		return nil, err
	}
	list := make([]any, 0, s.countElems(size))
	for {
		x, err := s.decodeAny()
		if err == EOL {
			break
		}
		if err != nil {
			return nil, err
		}
		list = append(list, x)
	}
	return list, s.ListEnd()
}

// countElems returns the number of elements in the list just entered, whose
// content is size bytes, when the input is a byte slice and the count is
// cheap to know; otherwise zero.
func (s *Stream) countElems(size uint64) int {
	if !s.fromBytes || size == 0 {
		return 0
	}
	n, err := CountValues(s.data[s.pos : s.pos+int(size)])
	if err != nil {
		return 0
	}
	return n
}

func (g *generator) makePtrDecoder(typ reflect.Type, tags typeTags) (decoder, error) {
	et := typ.Elem()
	elem := g.info(et, typeTags{})
	if elem.decoderErr != nil {
		return nil, elem.decoderErr
	}
	if !tags.nilOK {
		return func(s *Stream, v reflect.Value) error {
			target := v
			if v.IsNil() {
				target = reflect.New(et)
			}
			if err := elem.decoder(s, target.Elem()); err != nil {
				return err
			}
			v.Set(target)
			return nil
		}, nil
	}
	nilKind := tags.nilKind
	return func(s *Stream, v reflect.Value) error {
		kind, size, err := s.Kind()
		if err != nil {
			return wrapDecodeErr(err, typ)
		}
		if kind != Byte && size == 0 {
			// An empty value of the right kind is a nil pointer.
			switch {
			case kind == String && nilKind == List:
				return wrapDecodeErr(ErrExpectedList, typ)
			case kind == List && nilKind == String:
				return wrapDecodeErr(ErrExpectedString, typ)
			}
			s.kindSet = false // consumed: an empty value has no content
			v.SetZero()
			return nil
		}
		target := v
		if v.IsNil() {
			target = reflect.New(et)
		}
		if err := elem.decoder(s, target.Elem()); err != nil {
			return err
		}
		v.Set(target)
		return nil
	}, nil
}

func (g *generator) makeSliceDecoder(typ reflect.Type) (decoder, error) {
	et := typ.Elem()
	if isUint(et.Kind()) && !reflect.PointerTo(et).Implements(decoderType) {
		if et.Kind() == reflect.Uint64 {
			return decodeUint64Slice, nil
		}
		dec := makeUintDecoder(et)
		return func(s *Stream, v reflect.Value) error {
			return decodeList(s, v, dec)
		}, nil
	}
	elem := g.info(et, typeTags{})
	if elem.decoderErr != nil {
		return nil, elem.decoderErr
	}
	return func(s *Stream, v reflect.Value) error {
		return decodeList(s, v, elem.decoder)
	}, nil
}

// decodeUint64Slice decodes a list into a slice whose elements are of kind
// uint64, without reflection per element.
func decodeUint64Slice(s *Stream, v reflect.Value) error {
	size, err := s.List()
	if err != nil {
		return wrapDecodeErr(err, v.Type())
	}
	// Every slice type with elements of kind uint64 has the memory layout of
	// []uint64; v is addressable, as all decoding targets are.
	p := (*[]uint64)(v.Addr().UnsafePointer())
	out := (*p)[:0]
	if n := s.countElems(size); cap(out) < n {
		out = make([]uint64, 0, n)
	}
	for {
		x, err := s.uint(64)
		if err == EOL {
			break
		}
		if err != nil {
			return addErrorPath(wrapDecodeErr(err, v.Type().Elem()), "["+strconv.Itoa(len(out))+"]")
		}
		out = append(out, x)
	}
	if out == nil {
		out = []uint64{}
	}
	*p = out
	return wrapDecodeErr(s.ListEnd(), v.Type())
}

// decodeList decodes a list into the slice v, reusing its backing array when
// it is large enough.
func decodeList(s *Stream, v reflect.Value, dec decoder) error {
	size, err := s.List()
	if err != nil {
		return wrapDecodeErr(err, v.Type())
	}
	if n := s.countElems(size); n > 0 || size == 0 {
		// The element count is known: size the slice once.
		if v.Cap() >= n && !v.IsNil() {
			v.SetLen(n)
		} else {
			v.Set(reflect.MakeSlice(v.Type(), n, n))
		}
		for i := range n {
			if err := dec(s, v.Index(i)); err != nil {
				return addErrorPath(err, "["+strconv.Itoa(i)+"]")
			}
		}
	} else if err := decodeElems(s, v, dec); err != nil {
		return err
	}
	return wrapDecodeErr(s.ListEnd(), v.Type())
}

// decodeElems decodes the remaining elements of the current list into the
// slice v, growing it as elements arrive.
func decodeElems(s *Stream, v reflect.Value, dec decoder) error {
	i := 0
	for ; ; i++ {
		if _, _, err := s.Kind(); err == EOL {
			break
		}
		if i >= v.Cap() {
			grown := reflect.MakeSlice(v.Type(), i, max(4, i+i/2))
			reflect.Copy(grown, v)
			v.Set(grown)
		}
		if i >= v.Len() {
			v.SetLen(i + 1)
		}
		if err := dec(s, v.Index(i)); err != nil {
			return addErrorPath(err, "["+strconv.Itoa(i)+"]")
		}
	}
	if i == 0 {
		v.Set(reflect.MakeSlice(v.Type(), 0, 0))
	} else {
		v.SetLen(i)
	}
	return nil
}

func (g *generator) makeArrayDecoder(typ reflect.Type) (decoder, error) {
	elem := g.info(typ.Elem(), typeTags{})
	if elem.decoderErr != nil {
		return nil, elem.decoderErr
	}
	return func(s *Stream, v reflect.Value) error {
		if _, err := s.List(); err != nil {
			return wrapDecodeErr(err, typ)
		}
		for i := range v.Len() {
			if _, _, err := s.Kind(); err == EOL {
				return wrapDecodeErr(ErrTooFewElements, typ)
			}
			if err := elem.decoder(s, v.Index(i)); err != nil {
				return addErrorPath(err, "["+strconv.Itoa(i)+"]")
			}
		}
		return listEnd(s, typ)
	}, nil
}

// listEnd leaves a list whose last expected element has been decoded.
func listEnd(s *Stream, typ reflect.Type) error {
	err := s.ListEnd()
	if err == ErrNotAtEOL {
		err = ErrTooManyElements
	}
	return wrapDecodeErr(err, typ)
}

func (g *generator) makeStructDecoder(typ reflect.Type) (decoder, error) {
	fields, err := g.structFields(typ)
	if err != nil {
		return nil, err
	}
	for _, f := range fields {
		if f.info.decoderErr != nil {
			return nil, fmt.Errorf("%w (field %s of %v)", f.info.decoderErr, f.name, typ)
		}
	}
	return func(s *Stream, v reflect.Value) error {
		if _, err := s.List(); err != nil {
			return wrapDecodeErr(err, typ)
		}
		for i := range fields {
			f := &fields[i]
			fv := v.Field(f.index)
			if f.tail {
				if err := decodeElems(s, fv, f.info.decoder); err != nil {
					return addErrorPath(err, "."+f.name)
				}
				if fv.Len() == 0 {
					fv.SetZero()
				}
				break
			}
			if _, _, err := s.Kind(); err == EOL {
				if !f.optional {
					return addErrorPath(wrapDecodeErr(ErrTooFewElements, typ), "."+f.name)
				}
				// The remaining fields are optional (or the tail): zero them.
				for _, rest := range fields[i:] {
					v.Field(rest.index).SetZero()
				}
				break
			}
			if err := f.info.decoder(s, fv); err != nil {
				return addErrorPath(err, "."+f.name)
			}
		}
		return listEnd(s, typ)
	}, nil
}
