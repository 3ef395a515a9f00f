package v4wire

import (
	"errors"
	"reflect"
	"testing"
)

// FuzzDecode checks that Decode never panics, and that a packet it accepts,
// signed again with another key, decodes to the same packet from that key.
func FuzzDecode(f *testing.F) {
	for _, v := range eip8Vectors {
		f.Add(unhex(v.input))
	}
	key := mustKey(f, eip8Key)
	for _, p := range testPackets(f) {
		enc, _, err := Encode(key, p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(enc)
	}
	other := mustKey(f, "49a7b37aa6f6645917e7b807e9d1c00d4fa71f18343b0d4122a4d2df64dd6fee")
	otherKey := EncodePubkey(&other.PublicKey)

	f.Fuzz(func(t *testing.T, input []byte) {
		p, _, _, err := Decode(input)
		if err != nil {
			if p != nil {
				t.Fatalf("packet with error %v", err)
			}
			// Most random inputs fail the hash check; give the decoder
			// behind it a chance too.
			if len(input) < minPacket || len(input) > MaxPacketSize {
				return
			}
			input = resign(append([]byte{}, input...))
			if p, _, _, err = Decode(input); err != nil {
				return
			}
		}
		enc, _, err := Encode(other, p)
		if err != nil {
			// Re-encoding drops data after the list but may add the enr-seq
			// placeholder of a Ping or Pong: one byte.
			if errors.Is(err, ErrPacketTooLarge) && len(input) == MaxPacketSize {
				return
			}
			t.Fatalf("re-encoding %#v: %v", p, err)
		}
		p2, from, _, err := Decode(enc)
		if err != nil {
			t.Fatalf("decoding the re-encoded packet: %v", err)
		}
		if from != otherKey {
			t.Fatalf("sender %x, want %x", from, otherKey)
		}
		if !reflect.DeepEqual(p, p2) {
			t.Fatalf("re-encoded packet differs\n got %#v\nwant %#v", p2, p)
		}
	})
}

// TestResignHelper keeps resign honest: a resigned packet passes the hash
// check.
func TestResignHelper(t *testing.T) {
	b := make([]byte, minPacket+3)
	b[headSize] = 200
	if _, _, _, err := Decode(resign(b)); !errors.Is(err, ErrUnknownPacket) {
		t.Fatal(err)
	}
}
