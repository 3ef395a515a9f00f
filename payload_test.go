package p2p

import (
	"bytes"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/seednet/p2p/rlp"
)

func randomBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// TestReceivedPayloadRelease checks how a received payload ends, for every
// way of reading it and for small (boxed), mid-sized and pooled payloads:
// its bytes are intact, it reads as EOF afterwards, and a pooled buffer is
// given back exactly then (a later payload may reuse it without harm).
func TestReceivedPayloadRelease(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	ways := map[string]func(r *payloadReader, size int) ([]byte, error){
		"Read": func(r *payloadReader, size int) ([]byte, error) {
			return io.ReadAll(iotestOneByteAtATime{r})
		},
		"ReadFull": func(r *payloadReader, size int) ([]byte, error) {
			b := make([]byte, size)
			_, err := io.ReadFull(r, b)
			return b, err
		},
		"WriteTo": func(r *payloadReader, size int) ([]byte, error) {
			var buf bytes.Buffer
			_, err := io.Copy(&buf, r)
			return buf.Bytes(), err
		},
		"Decode": func(r *payloadReader, size int) ([]byte, error) {
			var b []byte
			err := Msg{Size: uint32(r.Len()), Payload: r}.Decode(&b)
			return b, err
		},
		"take": func(r *payloadReader, size int) ([]byte, error) {
			b, release := r.take()
			out := bytes.Clone(b)
			release()
			return out, nil
		},
	}
	for name, read := range ways {
		for _, size := range []int{1, 200, 1000, 3000, 4096, 70_000} {
			data := randomBytes(rng, size)
			enc := data
			if name == "Decode" {
				enc, _ = rlp.EncodeToBytes(data)
			}
			r := copyPayload(enc)
			pooled := r.pool != nil
			if want := len(enc) >= 1<<minPayloadShift; pooled != want {
				t.Fatalf("%s %d: pooled %v, want %v", name, size, pooled, want)
			}
			// Another payload of the same size, alive at the same time,
			// must not share the buffer.
			other := copyPayload(enc)
			got, err := read(r, len(enc))
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("%s %d: got %d bytes (%v), want the %d sent", name, size, len(got), err, len(data))
			}
			if r.pool != nil || r.Len() != 0 {
				t.Fatalf("%s %d: after the last byte the reader holds %d bytes (pool %v)", name, size, r.Len(), r.pool != nil)
			}
			if n, err := r.Read(make([]byte, 8)); n != 0 || err != io.EOF {
				t.Fatalf("%s %d: Read after the end gave %d, %v", name, size, n, err)
			}
			// A new payload may now reuse r's buffer; other is untouched.
			reuse := copyPayload(bytes.Repeat([]byte{0xEE}, len(enc)))
			if o, _ := io.ReadAll(other); !bytes.Equal(o, enc) {
				t.Fatalf("%s %d: a live payload changed when another was released", name, size)
			}
			reuse.release()
		}
	}
}

// iotestOneByteAtATime hides WriteTo and reads a byte at a time.
type iotestOneByteAtATime struct{ r io.Reader }

func (o iotestOneByteAtATime) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return o.r.Read(p[:1])
}
