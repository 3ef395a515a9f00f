package rlpx

import (
	"bytes"
	"testing"

	"github.com/seednet/p2p/crypto"
)

// FuzzHandshakeMsg decodes arbitrary bytes as an auth message (with node
// B's key of the EIP-8 vectors) and as an ack (with node A's key). The seeds
// are the EIP-8 vectors.
func FuzzHandshakeMsg(f *testing.F) {
	for _, v := range []string{eip8.auth1, eip8.auth2, eip8.auth3, eip8.ack1, eip8.ack2, eip8.ack3} {
		f.Add(unhex(f, v))
	}
	f.Add([]byte{0x04})
	f.Add([]byte{0x08, 0x00})
	keyA, keyB := hexKey(f, eip8.keyA), hexKey(f, eip8.keyB)
	buf := make([]byte, 2+maxHandshakeSize)
	f.Fuzz(func(t *testing.T, data []byte) {
		var auth authMsg
		if p, _, err := readHandshakeMsg(bytes.NewReader(data), buf, keyB, encAuthLenV4, auth.decodePlain, &auth); err == nil {
			if !bytes.Equal(p, data[:len(p)]) {
				t.Fatal("returned packet is not the input")
			}
			h := &handshake{}
			h.handleAuth(&auth, keyB)
		}
		var ack ackMsg
		if _, _, err := readHandshakeMsg(bytes.NewReader(data), buf, keyA, encAckLenV4, ack.decodePlain, &ack); err == nil {
			h := &handshake{}
			h.handleAck(&ack)
		}
	})
}

// fuzzKeys returns matching sending and receiving session states.
func fuzzDirections(t testing.TB) (send, recv direction) {
	keys := func() sessionKeys {
		k := sessionKeys{aesSecret: bytes.Repeat([]byte{1}, 32), macSecret: bytes.Repeat([]byte{2}, 32)}
		k.egressMAC, k.ingressMAC = crypto.NewKeccakState(), crypto.NewKeccakState()
		k.egressMAC.Write([]byte("seed"))
		k.ingressMAC.Write([]byte("seed"))
		return k
	}
	k1, k2 := keys(), keys()
	send, _, err := k1.directions()
	if err != nil {
		t.Fatal(err)
	}
	_, recv, err = k2.directions()
	if err != nil {
		t.Fatal(err)
	}
	return send, recv
}

// FuzzFrameReader feeds the frame reader a correctly framed and MACed body
// of arbitrary bytes (so the fuzzer reaches the code and snappy decoding
// behind the MAC checks), followed by arbitrary raw bytes.
func FuzzFrameReader(f *testing.F) {
	f.Add([]byte{0x01, 'h', 'i'}, []byte{}, false)
	f.Add([]byte{0x80}, []byte{1, 2, 3}, true)
	f.Add([]byte{0x10, 0x05, 0x10, 'h', 'e', 'l', 'l', 'o'}, []byte{}, true)
	f.Add([]byte{0x81, 0x80, 0xff, 0xff, 0xff, 0x0f}, []byte{}, true)
	f.Add([]byte{0x83, 0x01, 0x02}, bytes.Repeat([]byte{0xaa}, 48), false)
	f.Fuzz(func(t *testing.T, body, tail []byte, snappy bool) {
		send, recv := fuzzDirections(t)
		w := &writer{dir: send}
		var stream bytes.Buffer
		if len(body) > 0 {
			if err := w.writeFrame(&stream, body, nil); err != nil {
				t.Fatal(err)
			}
			w.flush(&stream)
		}
		stream.Write(tail)
		r := &reader{dir: recv}
		input := bytes.NewReader(stream.Bytes())
		for i := 0; ; i++ {
			if err := r.awaitHeader(input); err != nil {
				break
			}
			code, data, _, err := r.readMsg(input, snappy)
			if err != nil {
				break
			}
			if i > 0 {
				t.Fatal("raw tail bytes passed the MAC check")
			}
			if !snappy {
				var want bytes.Buffer
				want.Write(appendUint(nil, code))
				want.Write(data)
				if !bytes.Equal(want.Bytes(), body) {
					t.Fatal("decoded frame differs from the body")
				}
			}
		}
	})
}
