package chunk

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"io"
	"testing"

	"github.com/seednet/p2p"
)

// msgList is a p2p.MsgReader over a list of payloads of code 0, then
// io.EOF.
type msgList [][]byte

func (l *msgList) ReadMsg() (p2p.Msg, error) {
	if len(*l) == 0 {
		return p2p.Msg{}, io.EOF
	}
	b := (*l)[0]
	*l = (*l)[1:]
	return p2p.Msg{Code: codeBlob, Size: uint32(len(b)), Payload: bytes.NewReader(b)}, nil
}

// joinMsgs and splitMsgs put messages in a fuzz input: each a 2-byte size,
// then the payload.
func joinMsgs(msgs ...[]byte) []byte {
	var b []byte
	for _, m := range msgs {
		b = binary.BigEndian.AppendUint16(b, uint16(len(m)))
		b = append(b, m...)
	}
	return b
}

func splitMsgs(b []byte) msgList {
	var l msgList
	for len(b) >= 2 {
		n := min(int(binary.BigEndian.Uint16(b)), len(b)-2)
		l = append(l, b[2:2+n])
		b = b[2+n:]
	}
	return l
}

// FuzzReceive runs Receive over fuzzed messages: it never panics, every
// error wraps p2p.ErrInvalidMsg, and a transfer it accepts has the size of
// its header and the checksum of its trailer.
func FuzzReceive(f *testing.F) {
	f.Add(joinMsgs(h10, c0, c1, c2, trail))
	f.Add(joinMsgs(hdr(0, 1), trl(sha256.Sum256(nil))))
	f.Add(joinMsgs(h10, c0, c2, c1, trail))
	f.Add(joinMsgs(hdr(3, 1), chk(0, "a"), chk(1, "b"), chk(2, "c"), trl(sha256.Sum256([]byte("abc")))))
	f.Fuzz(func(t *testing.T, in []byte) {
		msgs := splitMsgs(in)
		all := msgs
		if len(msgs) == 0 {
			return
		}
		var hdrFrame frame
		if len(msgs[0]) <= headerSize {
			hdrFrame, _ = decodeFrame(msgs[0])
		}
		first, _ := msgs.ReadMsg()
		var out bytes.Buffer
		n, err := Receive(context.Background(), &msgs, first, &out, 1<<16, &Config{MaxChunkSize: 1 << 12})
		if err != nil {
			if !errors.Is(err, p2p.ErrInvalidMsg) {
				t.Fatalf("error %v does not wrap ErrInvalidMsg", err)
			}
			return
		}
		if uint64(n) != hdrFrame.total || out.Len() != int(n) {
			t.Fatalf("accepted %d bytes (%d written), header says %d", n, out.Len(), hdrFrame.total)
		}
		last, err := decodeFrame(all[len(all)-len(msgs)-1])
		if err != nil || last.kind != kindTrailer || last.sum != sha256.Sum256(out.Bytes()) {
			t.Fatalf("accepted a transfer whose last message is %+v (%v)", last, err)
		}
	})
}
