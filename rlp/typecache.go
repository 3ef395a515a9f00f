package rlp

import (
	"fmt"
	"math/big"
	"reflect"
	"strings"
	"sync"
)

// writer encodes v into w; decoder decodes the next value of s into v, which
// is addressable.
type (
	writer  func(v reflect.Value, w *encBuffer) error
	decoder func(s *Stream, v reflect.Value) error
)

// typeInfo holds the generated encoder and decoder of one Go type (with the
// field tags that change how it is coded, for pointers). Generation errors are
// kept so that every use reports them; the functions then return them too.
type typeInfo struct {
	writer     writer
	writerErr  error
	decoder    decoder
	decoderErr error
}

// typeTags are the field tags that change how a type is coded. Only pointers
// care (about their nil encoding); for other types they are always zero.
type typeTags struct {
	nilOK   bool // an empty value decodes as a nil pointer
	nilKind Kind // kind of the empty value of a nil pointer; Byte means the default
}

type typeKey struct {
	typ  reflect.Type
	tags typeTags
}

var (
	// cache maps reflect.Type to the *typeInfo of the untagged type. It is the
	// only lookup on the hot path; tagged variants are needed only while
	// generating struct coders, under genMu.
	cache sync.Map

	genMu  sync.Mutex
	tagged = map[typeKey]*typeInfo{} // guarded by genMu
)

var (
	bigIntType    = reflect.TypeFor[big.Int]()
	bigIntPtrType = reflect.TypeFor[*big.Int]()
	encoderType   = reflect.TypeFor[Encoder]()
	decoderType   = reflect.TypeFor[Decoder]()
)

// cachedTypeInfo returns the coders of typ, generating them on first use.
func cachedTypeInfo(typ reflect.Type) *typeInfo {
	if info, ok := cache.Load(typ); ok {
		return info.(*typeInfo)
	}
	genMu.Lock()
	defer genMu.Unlock()
	g := generator{pending: map[typeKey]*typeInfo{}}
	info := g.info(typ, typeTags{})
	// Publish everything generated along the way, now that it is complete.
	for k, i := range g.pending {
		if k.tags == (typeTags{}) {
			cache.Store(k.typ, i)
		} else {
			tagged[k] = i
		}
	}
	return info
}

// generator generates coders for a type and the types inside it. Recursive
// types find their own, still incomplete, typeInfo in pending; the generated
// functions read the typeInfo fields only when they run.
type generator struct {
	pending map[typeKey]*typeInfo
}

// info returns the typeInfo of typ, generating it if needed. genMu is held.
func (g *generator) info(typ reflect.Type, tags typeTags) *typeInfo {
	if typ.Kind() != reflect.Pointer {
		tags = typeTags{}
	}
	key := typeKey{typ, tags}
	if tags == (typeTags{}) {
		if info, ok := cache.Load(typ); ok {
			return info.(*typeInfo)
		}
	} else if info, ok := tagged[key]; ok {
		return info
	}
	if info, ok := g.pending[key]; ok {
		return info
	}
	info := new(typeInfo)
	g.pending[key] = info
	info.writer, info.writerErr = g.makeWriter(typ, tags)
	if info.writerErr != nil {
		err := info.writerErr
		info.writer = func(reflect.Value, *encBuffer) error { return err }
	}
	info.decoder, info.decoderErr = g.makeDecoder(typ, tags)
	if info.decoderErr != nil {
		err := info.decoderErr
		info.decoder = func(*Stream, reflect.Value) error { return err }
	}
	return info
}

// field is an encoded struct field.
type field struct {
	index    int
	name     string
	info     *typeInfo
	optional bool // may be missing at the end of the list
	tail     bool // a slice that takes the remaining list elements
}

// fieldTag is a parsed `rlp:"..."` tag.
type fieldTag struct {
	ignored, optional, tail bool
	typeTags
	nilTag string // which nil tag was given, for error messages
}

func parseTag(f reflect.StructField) (fieldTag, error) {
	var t fieldTag
	tag, ok := f.Tag.Lookup("rlp")
	if !ok {
		return t, nil
	}
	for part := range strings.SplitSeq(tag, ",") {
		switch part = strings.TrimSpace(part); part {
		case "":
		case "-":
			t.ignored = true
		case "optional":
			t.optional = true
		case "tail":
			t.tail = true
		case "nil", "nilString", "nilList":
			if t.nilTag != "" {
				return t, fmt.Errorf("%w %q on field %s: more than one nil tag", ErrInvalidTag, tag, f.Name)
			}
			t.nilTag, t.nilOK = part, true
			switch part {
			case "nilString":
				t.nilKind = String
			case "nilList":
				t.nilKind = List
			}
		default:
			return t, fmt.Errorf("%w %q on field %s: unknown tag %q", ErrInvalidTag, tag, f.Name, part)
		}
	}
	switch {
	case t.ignored && (t.optional || t.tail || t.nilOK):
		return t, fmt.Errorf(`%w %q on field %s: "-" cannot be combined with other tags`, ErrInvalidTag, tag, f.Name)
	case t.tail && t.optional:
		return t, fmt.Errorf(`%w %q on field %s: "tail" cannot be combined with "optional"`, ErrInvalidTag, tag, f.Name)
	case t.tail && t.nilOK:
		return t, fmt.Errorf(`%w %q on field %s: "tail" cannot be combined with %q`, ErrInvalidTag, tag, f.Name, t.nilTag)
	case t.nilOK && f.Type.Kind() != reflect.Pointer:
		return t, fmt.Errorf("%w %q on field %s: %q needs a pointer field, not %v", ErrInvalidTag, tag, f.Name, t.nilTag, f.Type)
	case t.tail && f.Type.Kind() != reflect.Slice:
		return t, fmt.Errorf(`%w %q on field %s: "tail" needs a slice field, not %v`, ErrInvalidTag, tag, f.Name, f.Type)
	}
	if t.nilTag == "nil" {
		t.nilKind = defaultNilKind(f.Type.Elem())
	}
	return t, nil
}

// structFields lists the encoded fields of a struct type and checks their tags.
func (g *generator) structFields(typ reflect.Type) ([]field, error) {
	var fields []field
	optionalFrom := "" // name of the first optional field
	for i := range typ.NumField() {
		f := typ.Field(i)
		if !f.IsExported() {
			continue
		}
		t, err := parseTag(f)
		if err != nil {
			return nil, fmt.Errorf("%w (in %v)", err, typ)
		}
		if t.ignored {
			continue
		}
		if len(fields) > 0 && fields[len(fields)-1].tail {
			return nil, fmt.Errorf(`%w on field %s of %v: "tail" must be on the last field`, ErrInvalidTag, fields[len(fields)-1].name, typ)
		}
		switch {
		case t.optional && optionalFrom == "":
			optionalFrom = f.Name
		case !t.optional && !t.tail && optionalFrom != "":
			return nil, fmt.Errorf("%w on field %s of %v: must be optional because field %s before it is optional", ErrInvalidTag, f.Name, typ, optionalFrom)
		}
		tags := t.typeTags
		var info *typeInfo
		if t.tail {
			info = g.info(f.Type.Elem(), typeTags{})
		} else {
			info = g.info(f.Type, tags)
		}
		fields = append(fields, field{index: i, name: f.Name, info: info, optional: t.optional, tail: t.tail})
	}
	return fields, nil
}

// defaultNilKind is the kind of the empty value that a nil *T encodes as:
// the empty string for types encoded as strings, else the empty list.
func defaultNilKind(typ reflect.Type) Kind {
	switch k := typ.Kind(); {
	case isUint(k), k == reflect.Bool, k == reflect.String, typ == bigIntType:
		return String
	case (k == reflect.Slice || k == reflect.Array) && isByteElem(typ.Elem()):
		return String
	default:
		return List
	}
}

func isUint(k reflect.Kind) bool {
	return k >= reflect.Uint && k <= reflect.Uintptr
}

// isByteElem reports whether a slice or array of typ is coded as a string:
// typ is a byte without an encoder or decoder of its own.
func isByteElem(typ reflect.Type) bool {
	if typ.Kind() != reflect.Uint8 {
		return false
	}
	p := reflect.PointerTo(typ)
	return !p.Implements(encoderType) && !p.Implements(decoderType)
}
