package rlpx

import (
	"bytes"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"
)

// TestFrameReaderChunks reads a stream of frames through readers that
// return it a byte, half a buffer or an odd-sized piece at a time: the
// reader absorbs and decrypts each frame body in the pieces it arrives in,
// across buffer growth, and must end with the same messages and MAC state
// as when it reads whole frames.
func TestFrameReaderChunks(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	sizes := []int{0, 1, 15, 16, 17, 255, 4096, 4097, 70_000, 300_000}
	var msgs [][]byte
	send, _ := fuzzDirections(t)
	w := &writer{dir: send}
	var stream bytes.Buffer
	for i, n := range sizes {
		m := make([]byte, n)
		for j := range m {
			m[j] = byte(rng.Uint32())
		}
		msgs = append(msgs, m)
		if _, err := w.writeMsg(&stream, uint64(i), m, false); err != nil {
			t.Fatal(err)
		}
	}
	w.flush(&stream)
	wire := stream.Bytes()

	pieces := map[string]func(io.Reader) io.Reader{
		"whole":    func(r io.Reader) io.Reader { return r },
		"one byte": iotest.OneByteReader,
		"half":     iotest.HalfReader,
		"odd":      func(r io.Reader) io.Reader { return &oddReader{r: r, n: 1} },
	}
	for name, wrap := range pieces {
		t.Run(name, func(t *testing.T) {
			_, recv := fuzzDirections(t)
			r := &reader{dir: recv}
			in := wrap(bytes.NewReader(wire))
			for i, want := range msgs {
				if err := r.awaitHeader(in); err != nil {
					t.Fatalf("message %d: %v", i, err)
				}
				code, data, _, err := r.readMsg(in, false)
				if err != nil {
					t.Fatalf("message %d: %v", i, err)
				}
				if code != uint64(i) || !bytes.Equal(data, want) {
					t.Fatalf("message %d: got code %d and %d bytes, want code %d and %d bytes", i, code, len(data), i, len(want))
				}
			}
		})
	}
}

// oddReader returns pieces of 1, 8, 64, 512, ... bytes in turn.
type oddReader struct {
	r io.Reader
	n int
}

func (o *oddReader) Read(p []byte) (int, error) {
	o.n = o.n*8%4093 + 1
	return o.r.Read(p[:min(len(p), o.n)])
}
