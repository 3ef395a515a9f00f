package difffuzz

import (
	"bytes"
	"encoding/binary"
	"math/big"
	"testing"

	gethrlp "github.com/ethereum/go-ethereum/rlp"

	"github.com/seednet/p2p/rlp"
)

// rlpSeeds are valid encodings of every shape plus edge cases: the
// non-canonical forms each rule of the encoding rejects, truncations, and
// sizes near the 55-byte boundary of the short forms.
func rlpSeeds(f *testing.F) [][]byte {
	seeds := [][]byte{
		{}, {0x00}, {0x7f}, {0x80}, {0x81, 0x00}, {0x81, 0x7f}, {0x81, 0x80},
		{0xb8, 0x01, 0x00}, {0xb8, 0x38}, {0xb9, 0x00, 0x38}, {0xc0}, {0xc1, 0xc0},
		{0xf8, 0x01, 0xc0}, {0xc2, 0x80, 0x80}, {0xc3, 0x01, 0x02, 0x03},
		{0x88, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		{0x89, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00},
		{0x82, 0x00, 0x01}, {0xbf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		{0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01}, {0xc1}, {0x83, 'd', 'o', 'g'},
		{0xc8, 0x83, 'c', 'a', 't', 0x83, 'd', 'o', 'g'}, {0x01, 0x02},
		append([]byte{0xb8, 0x37}, make([]byte, 55)...),
		append([]byte{0xb7}, make([]byte, 55)...),
		append([]byte{0xf8, 0x38}, bytes.Repeat([]byte{0x80}, 56)...),
		append([]byte{0xf7}, bytes.Repeat([]byte{0x80}, 55)...),
	}
	values := []any{
		uint64(0), uint64(1), uint64(127), uint64(128), uint64(1 << 63), ^uint64(0),
		true, false, new(big.Int).Lsh(big.NewInt(1), 300), "", "hello", make([]byte, 56),
		[4]byte{1, 2, 3, 4}, []uint64{1, 2, 3}, []string{"a", "bc"}, [][]byte{{}, {0}},
		optStruct{A: 1, B: []byte{2}}, optStruct{A: 1, B: []byte{2}, C: big.NewInt(3), D: 4},
		optStruct{A: 1, B: nil, D: 9},
		tailStruct{A: true, B: [4]byte{9}, C: []uint16{1}, Rest: []uint64{5, 6, 7}},
		tailStruct{C: []uint16{}},
		nilStruct{}, nilStruct{P: new(uint64), S: &[2]byte{1, 2}, L: &[]uint8{3}},
		nested{Name: "n", Big: *big.NewInt(1000), List: [][]byte{{1}}},
		[]any{[]any{}, []any{[]any{}}, "x", uint64(5)},
	}
	for _, v := range values {
		b, err := rlp.EncodeToBytes(v)
		if err != nil {
			f.Fatal(err)
		}
		bg, err := gethrlp.EncodeToBytes(v)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, b)
		if !bytes.Equal(b, bg) {
			seeds = append(seeds, bg)
		}
	}
	return seeds
}

// FuzzRLPEncode builds a value from the input (see valueBuilder), encodes
// it with both libraries and compares the bytes, then decodes those bytes
// with both (FuzzRLPDecode's checks).
func FuzzRLPEncode(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
	f.Add([]byte{8, 3, 0, 1, 2, 3, 4, 5, 6, 7, 1, 0xff, 2, 0xff, 3, 4, 0x80, 5, 6})
	f.Add([]byte{9, 0, 1, 2, 3, 4, 5, 6, 7, 10, 1, 5, 7, 0, 200, 11, 0x40})
	f.Fuzz(func(t *testing.T, in []byte) {
		vb := valueBuilder{in: in}
		v := vb.value(0)
		encO, errO := rlp.EncodeToBytes(v)
		encG, errG := gethrlp.EncodeToBytes(v)
		if !sameOutcome(t, "EncodeToBytes", in, errO, errG) || errO != nil {
			return
		}
		if !bytes.Equal(encO, encG) {
			t.Fatalf("encoding %#v (built from %x): ours %x, geth %x", v, in, encO, encG)
		}
		// Encode to a writer and through a reader must agree too.
		var w bytes.Buffer
		if err := rlp.Encode(&w, v); err != nil || !bytes.Equal(w.Bytes(), encO) {
			t.Fatalf("rlp.Encode of %#v: %x, %v; EncodeToBytes gave %x", v, w.Bytes(), err, encO)
		}
		checkRLPDecode(t, encO)
	})
}

// valueBuilder turns fuzz input into a Go value to encode: each byte
// chooses a kind, the following bytes fill it. Lists nest up to depth 6.
type valueBuilder struct {
	in []byte
}

func (b *valueBuilder) byte() byte {
	if len(b.in) == 0 {
		return 0
	}
	c := b.in[0]
	b.in = b.in[1:]
	return c
}

func (b *valueBuilder) bytes(n int) []byte {
	n = min(n, len(b.in))
	s := bytes.Clone(b.in[:n])
	b.in = b.in[n:]
	return s
}

func (b *valueBuilder) uint64() uint64 {
	var x [8]byte
	copy(x[:], b.bytes(8))
	return binary.BigEndian.Uint64(x[:])
}

func (b *valueBuilder) value(depth int) any {
	switch k := b.byte() % 16; {
	case k == 0:
		return b.uint64()
	case k == 1:
		return b.uint64() >> (b.byte() % 64)
	case k == 2:
		return b.bytes(int(b.byte()))
	case k == 3:
		return string(b.bytes(int(b.byte() % 64)))
	case k == 4:
		return new(big.Int).SetBytes(b.bytes(int(b.byte() % 40)))
	case k == 5:
		return b.byte()%2 == 1
	case k == 6:
		return uint16(b.uint64())
	case k == 7:
		var a [3]byte
		copy(a[:], b.bytes(3))
		return a
	case k == 8 && depth < 6:
		n := int(b.byte() % 8)
		l := make([]any, n)
		for i := range l {
			l[i] = b.value(depth + 1)
		}
		return l
	case k == 9:
		s := optStruct{A: b.uint64(), B: b.bytes(int(b.byte() % 8))}
		switch b.byte() % 3 {
		case 1:
			s.C = new(big.Int).SetBytes(b.bytes(int(b.byte() % 12)))
		case 2:
			s.D = uint32(b.uint64())
		}
		return s
	case k == 10:
		s := tailStruct{A: b.byte()%2 == 1, C: []uint16{uint16(b.uint64())}}
		copy(s.B[:], b.bytes(4))
		for range b.byte() % 4 {
			s.Rest = append(s.Rest, b.uint64()>>(b.byte()%64))
		}
		return s
	case k == 11:
		var s nilStruct
		m := b.byte()
		if m&1 != 0 {
			x := b.uint64() >> 32
			s.P = &x
		}
		if m&2 != 0 {
			s.Q = &[]string{string(b.bytes(2))}
		}
		if m&4 != 0 {
			s.S = &[2]byte{b.byte(), b.byte()}
		}
		if m&8 != 0 {
			s.L = &[]uint8{b.byte()}
		}
		return s
	case k == 12:
		return []uint64{b.uint64(), b.uint64() >> 40}
	case k == 13:
		return &nested{Name: string(b.bytes(5)), Big: *new(big.Int).SetUint64(b.uint64()), List: [][]byte{b.bytes(3)}}
	case k == 14:
		return (*big.Int)(nil)
	default:
		return b.bytes(1)
	}
}
