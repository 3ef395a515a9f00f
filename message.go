package p2p

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seednet/p2p/rlp"
)

// Msg is one message of a sub-protocol. Its payload can be read only once;
// read it (with Decode, or from Payload) or Discard it before reading the
// next message.
type Msg struct {
	Code       uint64    // message code, relative to the protocol's range
	Size       uint32    // size of the payload, uncompressed
	Payload    io.Reader // the RLP-encoded payload
	ReceivedAt time.Time // when the message arrived
}

// Errors of sub-protocol messages. A Run function that returns one of them
// (wrapped or not) makes the peer disconnect with DiscProtocolError.
var (
	ErrInvalidMsgCode = errors.New("p2p: invalid message code")
	ErrInvalidMsg     = errors.New("p2p: invalid message")
)

// Decode decodes the RLP payload into val. A payload that does not decode
// gives an error that wraps ErrInvalidMsg and the rlp error.
func (msg Msg) Decode(val any) error {
	s := rlp.NewStream(msg.Payload, uint64(msg.Size))
	if err := s.Decode(val); err != nil {
		return newProtoError(fmt.Errorf("%w: %w", ErrInvalidMsg, err), "code %#x, size %d", msg.Code, msg.Size)
	}
	return nil
}

// Discard reads and drops whatever is left of the payload.
func (msg Msg) Discard() error {
	_, err := io.Copy(io.Discard, msg.Payload)
	return err
}

func (msg Msg) String() string {
	return fmt.Sprintf("msg #%v (%v bytes)", msg.Code, msg.Size)
}

// Time returns when the message arrived.
func (msg Msg) Time() time.Time { return msg.ReceivedAt }

// MsgReader reads messages.
type MsgReader interface {
	ReadMsg() (Msg, error)
}

// MsgWriter writes messages.
type MsgWriter interface {
	// WriteMsg sends a message. The payload is read before WriteMsg returns,
	// so the caller may reuse it afterwards. WriteMsg blocks while the
	// peer's send buffer is full; it does not wait for the peer to read.
	WriteMsg(Msg) error
}

// MsgReadWriter reads and writes messages: what a protocol's Run function
// is given for its peer.
type MsgReadWriter interface {
	MsgReader
	MsgWriter
}

// Send RLP-encodes data and writes it as a message with the given code.
func Send(w MsgWriter, code uint64, data any) error {
	b, err := rlp.EncodeToBytes(data)
	if err != nil {
		return err
	}
	return w.WriteMsg(Msg{Code: code, Size: uint32(len(b)), Payload: newPayloadReader(b)})
}

// SendItems writes a message whose payload is the RLP list of elems:
//
//	SendItems(w, code, "foo", uint(42)) // payload ["foo", 42]
func SendItems(w MsgWriter, code uint64, elems ...any) error {
	return Send(w, code, elems)
}

// ExpectMsg reads a message from r and checks that it has the given code
// and, unless content is nil, that its payload is the RLP encoding of
// content. It is meant for tests.
func ExpectMsg(r MsgReader, code uint64, content any) error {
	msg, err := r.ReadMsg()
	if err != nil {
		return err
	}
	if msg.Code != code {
		msg.Discard()
		return fmt.Errorf("p2p: message code mismatch: got %d, expected %d", msg.Code, code)
	}
	if content == nil {
		return msg.Discard()
	}
	want, err := rlp.EncodeToBytes(content)
	if err != nil {
		return err
	}
	if int(msg.Size) != len(want) {
		msg.Discard()
		return fmt.Errorf("p2p: message size mismatch: got %d, want %d", msg.Size, len(want))
	}
	got := make([]byte, msg.Size)
	if _, err := io.ReadFull(msg.Payload, got); err != nil {
		return err
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("p2p: message payload mismatch:\ngot:  %x\nwant: %x", got, want)
	}
	return nil
}

// MsgPipe returns the two ends of an in-memory message pipe, for testing a
// protocol's Run function without a network. A message written on one end
// is read on the other; WriteMsg returns once the reader has consumed the
// payload (read it to the end or discarded it). Closing either end makes
// pending and later calls on both ends fail with ErrPipeClosed.
func MsgPipe() (*MsgPipeRW, *MsgPipeRW) {
	var (
		c1, c2  = make(chan Msg), make(chan Msg)
		closing = make(chan struct{})
		closed  = new(atomic.Bool)
		once    = new(sync.Once)
	)
	return &MsgPipeRW{c1, c2, closing, closed, once}, &MsgPipeRW{c2, c1, closing, closed, once}
}

// MsgPipeRW is one end of a MsgPipe.
type MsgPipeRW struct {
	w       chan<- Msg
	r       <-chan Msg
	closing chan struct{}
	closed  *atomic.Bool
	once    *sync.Once
}

// WriteMsg sends a message to the other end and waits until it was consumed.
func (p *MsgPipeRW) WriteMsg(msg Msg) error {
	if p.closed.Load() {
		return ErrPipeClosed
	}
	consumed := make(chan struct{})
	msg.Payload = &eofSignal{r: msg.Payload, count: msg.Size, done: consumed}
	select {
	case p.w <- msg:
		if msg.Size > 0 {
			select {
			case <-consumed:
			case <-p.closing:
			}
		}
		return nil
	case <-p.closing:
		return ErrPipeClosed
	}
}

// ReadMsg returns the next message written on the other end.
func (p *MsgPipeRW) ReadMsg() (Msg, error) {
	if p.closed.Load() {
		return Msg{}, ErrPipeClosed
	}
	select {
	case msg := <-p.r:
		return msg, nil
	case <-p.closing:
		return Msg{}, ErrPipeClosed
	}
}

// Close closes both ends of the pipe.
func (p *MsgPipeRW) Close() error {
	p.once.Do(func() {
		p.closed.Store(true)
		close(p.closing)
	})
	return nil
}

// eofSignal closes done once count bytes were read or the reader returned
// an error.
type eofSignal struct {
	r     io.Reader
	count uint32
	done  chan<- struct{}
}

func (s *eofSignal) Read(b []byte) (int, error) {
	if s.count == 0 {
		s.signal()
		return 0, io.EOF
	}
	if uint32(len(b)) > s.count {
		b = b[:s.count]
	}
	n, err := s.r.Read(b)
	s.count -= uint32(n)
	if s.count == 0 || err != nil {
		s.signal()
	}
	return n, err
}

func (s *eofSignal) signal() {
	if s.done != nil {
		close(s.done)
		s.done = nil
	}
}
