package chunk

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"testing"

	"github.com/seednet/p2p"
	"github.com/seednet/p2p/rlp"
)

// reencode returns the encoding of f, which must equal the bytes it was
// decoded from.
func reencode(f frame) []byte {
	switch f.kind {
	case kindHeader:
		return appendHeader(nil, f.total, f.chunkSize)
	case kindChunk:
		return appendChunk(nil, f.index, f.data)
	default:
		return appendTrailer(nil, f.sum)
	}
}

// wireSeeds are valid and invalid encodings, the fuzz target's seeds too.
func wireSeeds() [][]byte {
	return [][]byte{
		appendHeader(nil, 0, 1),
		appendHeader(nil, 40<<20, DefaultChunkSize),
		appendHeader(nil, 1<<64-1, MaxChunkSize),
		appendChunk(nil, 0, nil),
		appendChunk(nil, 0, []byte{0x7f}),
		appendChunk(nil, 1, []byte{0x80}),
		appendChunk(nil, 1<<40, bytes.Repeat([]byte{1}, 55)),
		appendChunk(nil, 7, bytes.Repeat([]byte{2}, 56)),
		appendChunk(nil, 7, bytes.Repeat([]byte{3}, 300)),
		appendTrailer(nil, sha256.Sum256([]byte("x"))),
		{0xc0},
		{0xc1, 0x03},
		{0xc3, 0x80, 0x00, 0x01},
		{0xc4, 0x80, 0x01, 0x01, 0x01},
		{0xc2, 0x02, 0x80},
		{0xc3, 0x01, 0x00, 0x80},
		{0xff},
	}
}

func TestWireRoundTrip(t *testing.T) {
	for _, b := range wireSeeds()[:10] {
		f, err := decodeFrame(b)
		if err != nil {
			t.Fatalf("%x: %v", b, err)
		}
		if got := reencode(f); !bytes.Equal(got, b) {
			t.Fatalf("re-encoded %x as %x", b, got)
		}
		// The prefix of a chunk is what goes in front of its data.
		if f.kind == kindChunk {
			var want []byte
			if err := rlp.DecodeBytes(b, &[]rlp.RawValue{}); err != nil {
				t.Fatalf("%x is not RLP: %v", b, err)
			}
			want = appendChunkPrefix(nil, f.index, f.data)
			if !bytes.HasPrefix(b, want) || len(want)+len(f.data) != len(b) {
				t.Fatalf("prefix %x of %x", want, b)
			}
		}
		// Every truncated prefix fails cleanly.
		for i := range len(b) {
			if _, err := decodeFrame(b[:i]); !errors.Is(err, ErrMalformed) || !errors.Is(err, p2p.ErrInvalidMsg) {
				t.Fatalf("prefix %x of %x: error %v", b[:i], b, err)
			}
		}
	}
}

func TestWireInvalid(t *testing.T) {
	for _, b := range wireSeeds()[10:] {
		if _, err := decodeFrame(b); !errors.Is(err, ErrMalformed) {
			t.Errorf("%x: error %v, want ErrMalformed", b, err)
		}
	}
}

// TestChunkOverhead checks that the largest chunk message fits in a message
// and a default chunk in 256 KiB.
func TestChunkOverhead(t *testing.T) {
	for _, size := range []int{DefaultChunkSize, MaxChunkSize} {
		n := len(appendChunkPrefix(nil, 1<<64-1, make([]byte, size))) + size
		if n > size+chunkOverhead {
			t.Errorf("chunk of %d bytes: message of %d", size, n)
		}
	}
	if DefaultChunkSize+chunkOverhead != 1<<18 || MaxChunkSize+chunkOverhead > p2p.MaxMessageSize {
		t.Error("limits")
	}
}

func FuzzDecodeFrame(f *testing.F) {
	for _, b := range wireSeeds() {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, err := decodeFrame(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) || !errors.Is(err, p2p.ErrInvalidMsg) {
				t.Fatalf("error %v does not wrap ErrMalformed and ErrInvalidMsg", err)
			}
			return
		}
		if got := reencode(fr); !bytes.Equal(got, b) {
			t.Fatalf("decoded %x, re-encoded as %x", b, got)
		}
	})
}
