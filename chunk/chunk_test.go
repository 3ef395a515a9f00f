package chunk

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/seednet/p2p"
	"github.com/seednet/p2p/p2ptest"
	"github.com/seednet/p2p/rlp"
)

// Message codes of the test protocol.
const (
	codeBlob = 0 // transfers, both ways
	codeDone = 1 // from the receiver: [size, sha256] of a transfer it took
	codePing = 2 // anything else
)

// recvProtocol receives transfers of codeBlob and answers each with
// codeDone.
func recvProtocol(limit int64, cfg *Config) p2p.Protocol {
	return p2p.Protocol{Name: "blob", Version: 1, Length: 3, Run: func(_ *p2p.Peer, rw p2p.MsgReadWriter) error {
		for {
			msg, err := rw.ReadMsg()
			if err != nil {
				return err
			}
			if msg.Code != codeBlob {
				msg.Discard()
				continue
			}
			h := sha256.New()
			n, err := Receive(context.Background(), rw, msg, h, limit, cfg)
			if err != nil {
				return err
			}
			if err := p2p.SendItems(rw, codeDone, uint64(n), h.Sum(nil)); err != nil {
				return err
			}
		}
	}}
}

// The test transfer: 10 bytes in chunks of 4.
var (
	testData = []byte("0123456789")
	testSum  = sha256.Sum256(testData)
)

func hdr(total, chunkSize uint64) []byte   { return appendHeader(nil, total, chunkSize) }
func chk(index uint64, data string) []byte { return appendChunk(nil, index, []byte(data)) }
func trl(sum [32]byte) []byte              { return appendTrailer(nil, sum) }

// msg is one message a scripted peer sends.
type msg struct {
	code    uint64
	payload []byte
}

func blob(payloads ...[]byte) []msg {
	var ms []msg
	for _, p := range payloads {
		ms = append(ms, msg{codeBlob, p})
	}
	return ms
}

var (
	h10   = hdr(10, 4)
	c0    = chk(0, "0123")
	c1    = chk(1, "4567")
	c2    = chk(2, "89")
	trail = trl(testSum)
)

func TestReceiveGood(t *testing.T) {
	h := p2ptest.New(t, recvProtocol(100, &Config{MaxChunkSize: 1024}))
	p := h.Peer(0)
	for _, m := range blob(h10, c0, c1, c2, trail) {
		p.SendRaw(m.code, m.payload)
	}
	p.ExpectMatch(codeDone, checkDone(10, testSum))
	// Empty, then a chunk of the whole.
	for _, m := range blob(hdr(0, 4), trl(sha256.Sum256(nil)), hdr(10, 10), chk(0, string(testData)), trail) {
		p.SendRaw(m.code, m.payload)
	}
	p.ExpectMatch(codeDone, checkDone(0, sha256.Sum256(nil)))
	p.ExpectMatch(codeDone, checkDone(10, testSum))
}

func checkDone(size uint64, sum [32]byte) func(p2p.Msg) error {
	return func(m p2p.Msg) error {
		var got struct {
			N   uint64
			Sum []byte
		}
		if err := m.Decode(&got); err != nil {
			return err
		}
		if got.N != size || !bytes.Equal(got.Sum, sum[:]) {
			return fmt.Errorf("got %d bytes, sha256 %x; want %d, %x", got.N, got.Sum, size, sum)
		}
		return nil
	}
}

// TestReceiveBad sends every kind of broken transfer: each ends Run with an
// error wrapping p2p.ErrInvalidMsg and the package's error for it, and a
// server would disconnect with DiscProtocolError.
func TestReceiveBad(t *testing.T) {
	badSum := testSum
	badSum[0] ^= 1
	big := make([]byte, 2000)
	tests := []struct {
		name  string
		msgs  []msg
		close bool // the peer goes away after the messages
		want  error
	}{
		{"total over limit", blob(hdr(101, 4)), false, ErrTooLarge},
		{"total over int64", blob(hdr(1<<64-1, 4)), false, ErrTooLarge},
		{"chunk size over limit", blob(hdr(10, 1025)), false, ErrTooLarge},
		{"header not RLP", blob([]byte{0xff}), false, ErrMalformed},
		{"header empty", blob(nil), false, ErrMalformed},
		{"header chunk size 0", blob(hdr(10, 0)), false, ErrMalformed},
		{"header extra field", blob([]byte{0xc4, 0x80, 0x0a, 0x04, 0x01}), false, ErrMalformed},
		{"header too long", blob(append(hdr(10, 4), big[:100]...)), false, ErrMalformed},
		{"unknown kind", blob([]byte{0xc2, 0x07, 0x01}), false, ErrMalformed},
		{"first is a chunk", blob(c0), false, ErrSequence},
		{"first is a trailer", blob(trail), false, ErrSequence},
		{"missing chunk", blob(h10, c0, c2), false, ErrSequence},
		{"duplicate chunk", blob(h10, c0, c0), false, ErrSequence},
		{"out of order", blob(h10, c1), false, ErrSequence},
		{"second header", blob(h10, c0, h10), false, ErrSequence},
		{"trailer early", blob(h10, c0, c1, trail), false, ErrSequence},
		{"total smaller than data", blob(hdr(8, 4), c0, c1, c2), false, ErrSequence},
		{"total larger than data", blob(hdr(12, 4), c0, c1, c2), false, ErrChunkSize},
		{"short chunk", blob(h10, chk(0, "012")), false, ErrChunkSize},
		{"oversized chunk", blob(h10, chk(0, "01234")), false, ErrChunkSize},
		{"oversized message", blob(h10, appendChunk(nil, 0, big)), false, ErrChunkSize},
		{"malformed chunk", blob(h10, []byte{0xc2, 0x01, 0x00}), false, ErrMalformed},
		{"malformed trailer", blob(h10, c0, c1, c2, []byte{0xc3, 0x02, 0x81, 0xaa}), false, ErrMalformed},
		{"checksum mismatch", blob(h10, c0, c1, c2, trl(badSum)), false, ErrChecksum},
		{"data changed", blob(h10, c0, chk(1, "4568"), c2, trail), false, ErrChecksum},
		{"other code", append(blob(h10, c0), msg{codePing, []byte{0xc0}}), false, ErrUnexpectedMsg},
		{"EOF after header", blob(h10), true, ErrTruncated},
		{"EOF mid-transfer", blob(h10, c0, c1), true, ErrTruncated},
		{"EOF before trailer", blob(h10, c0, c1, c2), true, ErrTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := p2ptest.New(t, recvProtocol(100, &Config{MaxChunkSize: 1024}), p2ptest.Timeout(2*time.Second))
			p := h.Peer(0)
			for _, m := range tt.msgs {
				p.SendRaw(m.code, m.payload)
			}
			if tt.close {
				p.Close()
			} else {
				p.ExpectDisconnect(p2p.DiscProtocolError)
			}
			p.ExpectRunReturns(func(err error) bool {
				t.Logf("Run returned: %v", err)
				return errors.Is(err, tt.want) && errors.Is(err, p2p.ErrInvalidMsg)
			})
		})
	}
}

// TestReceiveOther checks that Config.Other takes messages of other codes
// mid-transfer, and that its error ends the transfer.
func TestReceiveOther(t *testing.T) {
	var got []uint64
	errStop := errors.New("stop")
	cfg := &Config{Other: func(m p2p.Msg) error {
		var x uint64
		if err := m.Decode(&x); err != nil {
			return err
		}
		got = append(got, x)
		if x == 99 {
			return errStop
		}
		return nil
	}}
	h := p2ptest.New(t, recvProtocol(100, cfg))
	p := h.Peer(0)
	p.SendRaw(codeBlob, h10)
	p.Send(codePing, uint64(1))
	p.SendRaw(codeBlob, c0)
	p.SendRaw(codeBlob, c1)
	p.Send(codePing, uint64(2))
	p.SendRaw(codeBlob, c2)
	p.SendRaw(codeBlob, trail)
	p.ExpectMatch(codeDone, checkDone(10, testSum))
	p.SendRaw(codeBlob, h10)
	p.Send(codePing, uint64(99))
	p.ExpectRunReturns(func(err error) bool { return errors.Is(err, errStop) })
	if fmt.Sprint(got) != "[1 2 99]" {
		t.Errorf("Other got %v", got)
	}
}

// TestSendReceive sends payloads of many sizes and chunk sizes through a
// message pipe.
func TestSendReceive(t *testing.T) {
	data := make([]byte, 3*DefaultChunkSize+5)
	for i := range data {
		data[i] = byte(i * 7)
	}
	for _, chunkSize := range []int{1, 3, 1000, 0} {
		cs := chunkSize
		if cs == 0 {
			cs = DefaultChunkSize
		}
		for _, size := range []int{0, 1, cs - 1, cs, cs + 1, 3 * cs, 3*cs + 5} {
			if size > 5000 && cs < 1000 || size < 0 || size > len(data) {
				continue
			}
			t.Run(fmt.Sprintf("chunk%d/size%d", cs, size), func(t *testing.T) {
				got, err := transfer(t, data[:size], &Config{ChunkSize: chunkSize}, int64(size))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, data[:size]) {
					t.Fatalf("got %d bytes, differing", len(got))
				}
			})
		}
	}
}

// transfer sends data with Send and receives it with Receive through a
// message pipe.
func transfer(t *testing.T, data []byte, cfg *Config, limit int64) ([]byte, error) {
	a, b := p2p.MsgPipe()
	defer a.Close()
	sent := make(chan error, 1)
	go func() {
		sent <- Send(context.Background(), a, codeBlob, bytes.NewReader(data), int64(len(data)), cfg)
	}()
	var buf bytes.Buffer
	first, err := b.ReadMsg()
	if err != nil {
		t.Fatal(err)
	}
	n, err := Receive(context.Background(), b, first, &buf, limit, cfg)
	b.Close()
	if serr := <-sent; serr != nil && err == nil {
		t.Fatalf("Send: %v", serr)
	}
	if err == nil && n != int64(buf.Len()) {
		t.Fatalf("Receive returned %d, wrote %d", n, buf.Len())
	}
	return buf.Bytes(), err
}

func TestSendErrors(t *testing.T) {
	ctx := context.Background()
	a, b := p2p.MsgPipe()
	defer a.Close()
	if err := Send(ctx, a, 0, bytes.NewReader(nil), 0, &Config{ChunkSize: MaxChunkSize + 1}); err == nil {
		t.Error("chunk size above MaxChunkSize accepted")
	}
	if err := Send(ctx, a, 0, bytes.NewReader(nil), -1, nil); err == nil {
		t.Error("negative size accepted")
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := Send(cancelled, a, 0, bytes.NewReader(nil), 0, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
	// A reader that ends early: the receiver sees a header and a chunk,
	// then the connection ends.
	sent := make(chan error, 1)
	go func() {
		sent <- Send(ctx, a, 0, bytes.NewReader(testData), 20, &Config{ChunkSize: 4})
		a.Close()
	}()
	first, err := b.ReadMsg()
	if err != nil {
		t.Fatal(err)
	}
	_, err = Receive(ctx, b, first, io.Discard, 100, nil)
	if !errors.Is(err, ErrTruncated) {
		t.Errorf("Receive: %v", err)
	}
	if err := <-sent; !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("Send with a short reader: %v", err)
	}
}

// TestSendLayout checks the messages Send writes.
func TestSendLayout(t *testing.T) {
	h := p2ptest.New(t, p2p.Protocol{Name: "blob", Version: 1, Length: 3, Run: func(_ *p2p.Peer, rw p2p.MsgReadWriter) error {
		if err := Send(context.Background(), rw, codeBlob, bytes.NewReader(testData), 10, &Config{ChunkSize: 4}); err != nil {
			return err
		}
		_, err := rw.ReadMsg()
		return err
	}})
	p := h.Peer(0)
	for _, want := range [][]byte{h10, c0, c1, c2, trail} {
		p.Expect(codeBlob, rlp.RawValue(want))
	}
}
