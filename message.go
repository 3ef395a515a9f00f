package p2p

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/big"
	"reflect"
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

// Decode decodes the RLP payload into val, which must be a pointer.
//
// It is symmetric with SendItems: when the payload is a list of exactly
// one item and val does not point to a list-shaped type (a struct other
// than big.Int, a slice other than []byte, an array other than a byte
// array, an interface, or a type with its own DecodeRLP or rlp.RawValue),
// Decode reads that one item. So a message sent as SendItems(w, code,
// "bar") decodes into a string as well as into a []string. go-ethereum's
// Decode refuses it, and so does package rlp, which stays strict; a list
// of two or more items still fails to decode into a string.
//
// A payload that does not decode gives an error that wraps ErrInvalidMsg
// and says what the payload was and what it was decoded into; a protocol
// that returns it disconnects the peer with DiscProtocolError.
func (msg Msg) Decode(val any) error {
	s := rlp.NewStream(msg.Payload, uint64(msg.Size))
	kind, size, err := s.Kind()
	if err != nil {
		kind = kindUnknown
	} else if kind == rlp.List && !listShaped(val) {
		return msg.decodeOneItem(s, size, val)
	}
	if err := s.Decode(val); err != nil {
		return msg.decodeError(err, kind, size, val)
	}
	return nil
}

// decodeOneItem decodes the payload list, if it holds exactly one item,
// as that item.
func (msg Msg) decodeOneItem(s *rlp.Stream, size uint64, val any) error {
	raw, err := s.Raw()
	if err != nil {
		return msg.decodeError(err, rlp.List, size, val)
	}
	content, _, err := rlp.SplitList(raw)
	if err != nil {
		return msg.decodeError(err, rlp.List, size, val)
	}
	n, err := rlp.CountValues(content)
	if err != nil {
		return msg.decodeError(err, rlp.List, size, val)
	}
	if n != 1 {
		return newProtoError(fmt.Errorf("%w: %s", ErrInvalidMsg, describeMismatch(n, val)), "message code %#x", msg.Code)
	}
	if err := rlp.DecodeBytes(content, val); err != nil {
		return newProtoError(fmt.Errorf("%w: the payload's one item: %w", ErrInvalidMsg, err), "message code %#x, decoding into %T", msg.Code, val)
	}
	return nil
}

// kindUnknown stands for the kind of a payload whose RLP header does not
// decode.
const kindUnknown rlp.Kind = -1

// decodeError describes a failed decode: what the payload was, what it
// was decoded into, and a hint when the shapes differ.
func (msg Msg) decodeError(err error, kind rlp.Kind, size uint64, val any) error {
	what := fmt.Sprintf("a string of %d bytes", size)
	hint := ""
	switch {
	case msg.Size == 0:
		what = "empty"
	case kind == kindUnknown:
		what = fmt.Sprintf("%d bytes that do not begin an RLP value", msg.Size)
	case kind == rlp.List:
		what = fmt.Sprintf("a list of %d bytes", size)
	case kind == rlp.Byte:
		what = "a single byte"
	}
	if (kind == rlp.Byte || kind == rlp.String) && listShaped(val) {
		hint = " (the sender used Send with a single value; SendItems sends a list)"
	}
	return newProtoError(fmt.Errorf("%w: %w", ErrInvalidMsg, err), "message code %#x: payload is %s, decoding into %T%s", msg.Code, what, val, hint)
}

func describeMismatch(n int, val any) string {
	return fmt.Sprintf("payload is a list of %d items, cannot decode it into %T "+
		"(SendItems sends a list of its arguments, Send the value itself; "+
		"a list of one item decodes into a single value)", n, val)
}

// listShapedCache remembers listShaped's answer per type.
var listShapedCache sync.Map // reflect.Type -> bool

var (
	bigIntType   = reflect.TypeFor[big.Int]()
	rawValueType = reflect.TypeFor[rlp.RawValue]()
	decoderType  = reflect.TypeFor[rlp.Decoder]()
)

// listShaped reports whether val points to a type that decodes from an
// RLP list (or decodes itself, or takes any value as it is), so that
// Decode must not unwrap a one-item list for it.
func listShaped(val any) bool {
	typ := reflect.TypeOf(val)
	if typ == nil || typ.Kind() != reflect.Pointer {
		return true // Decode reports the error
	}
	if v, ok := listShapedCache.Load(typ); ok {
		return v.(bool)
	}
	shaped := typeListShaped(typ.Elem())
	listShapedCache.Store(typ, shaped)
	return shaped
}

func typeListShaped(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == rawValueType || t.Implements(decoderType) || reflect.PointerTo(t).Implements(decoderType) {
		return true
	}
	switch t.Kind() {
	case reflect.Struct:
		return t != bigIntType
	case reflect.Slice, reflect.Array:
		return t.Elem().Kind() != reflect.Uint8
	case reflect.Interface:
		return true
	}
	return false
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
//
// A message of one item decodes with Msg.Decode into a value of that
// item's type as well as into a list: after SendItems(w, code, "bar"), a
// string and a []string both decode to "bar".
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
