package v5wire

import (
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/enr"
	"github.com/seednet/p2p/rlp"
)

// The message bodies are RLP lists written and read by hand: no reflection,
// and decoding allocates one object per message where it can (the message
// with its request ID).

// maxListHeader is the largest RLP list header: a byte and 8 size bytes.
const maxListHeader = 9

// appendMessage appends the message type and RLP data of p to b.
func appendMessage(b []byte, p Packet) ([]byte, error) {
	if len(p.RequestID()) > MaxRequestIDSize {
		return b, fmt.Errorf("%w: %s with %d bytes", ErrInvalidReqID, p.Name(), len(p.RequestID()))
	}
	b = append(b, p.Kind())
	b, start := listStart(b)
	switch p := p.(type) {
	case *Ping:
		b = rlp.AppendBytes(b, p.ReqID)
		b = rlp.AppendUint64(b, p.ENRSeq)
	case *Pong:
		b = rlp.AppendBytes(b, p.ReqID)
		b = rlp.AppendUint64(b, p.ENRSeq)
		b = rlp.AppendBytes(b, p.ToIP)
		b = rlp.AppendUint64(b, uint64(p.ToPort))
	case *Findnode:
		b = rlp.AppendBytes(b, p.ReqID)
		var ds int
		b, ds = listStart(b)
		for _, d := range p.Distances {
			b = rlp.AppendUint64(b, uint64(d))
		}
		b = listEnd(b, ds)
	case *Nodes:
		b = rlp.AppendBytes(b, p.ReqID)
		b = rlp.AppendUint64(b, uint64(p.RespCount))
		var rs int
		b, rs = listStart(b)
		w := appendWriter(b)
		for i, r := range p.Nodes {
			if r == nil {
				return b, fmt.Errorf("v5wire: NODES record %d is nil", i)
			}
			if err := r.EncodeRLP(&w); err != nil {
				return b, fmt.Errorf("v5wire: NODES record %d: %w", i, err)
			}
		}
		b = listEnd([]byte(w), rs)
	case *TalkRequest:
		b = rlp.AppendBytes(b, p.ReqID)
		b = rlp.AppendString(b, p.Protocol)
		b = rlp.AppendBytes(b, p.Message)
	case *TalkResponse:
		b = rlp.AppendBytes(b, p.ReqID)
		b = rlp.AppendBytes(b, p.Message)
	default:
		return b, fmt.Errorf("%w: cannot encode %s (kind %d) as a message", ErrUnknownMessage, p.Name(), p.Kind())
	}
	return listEnd(b, start), nil
}

// listStart reserves room for a list header at the end of b.
func listStart(b []byte) ([]byte, int) {
	start := len(b)
	return append(b, make([]byte, maxListHeader)...), start
}

// listEnd writes the header of the list begun at start and moves its content
// up against it.
func listEnd(b []byte, start int) []byte {
	content := b[start+maxListHeader:]
	var hbuf [maxListHeader]byte
	h := rlp.AppendListHeader(hbuf[:0], uint64(len(content)))
	n := copy(b[start:], h)
	n += copy(b[start+n:], content)
	return b[:start+n]
}

// appendWriter is an io.Writer that appends to itself.
type appendWriter []byte

func (w *appendWriter) Write(p []byte) (int, error) {
	*w = append(*w, p...)
	return len(p), nil
}

var _ io.Writer = (*appendWriter)(nil)

// DecodeMessage decodes the data of a message of the given type (the
// decrypted message without its type byte). The result does not alias
// body. The records of a NODES message are checked for their form only;
// Nodes.VerifiedNodes checks them against enode.ValidSchemes.
func DecodeMessage(ptype byte, body []byte) (Packet, error) {
	return decodeMessage(ptype, body, enode.ValidSchemes)
}

func decodeMessage(ptype byte, body []byte, schemes enr.IdentityScheme) (Packet, error) {
	var (
		p   Packet
		err error
	)
	switch ptype {
	case PingMsg:
		p, err = decodePing(body)
	case PongMsg:
		p, err = decodePong(body)
	case FindnodeMsg:
		p, err = decodeFindnode(body)
	case NodesMsg:
		p, err = decodeNodes(body, schemes)
	case TalkRequestMsg:
		p, err = decodeTalkRequest(body)
	case TalkResponseMsg:
		p, err = decodeTalkResponse(body)
	default:
		return nil, fmt.Errorf("%w: %d", ErrUnknownMessage, ptype)
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// listReader reads the elements of an RLP list one by one; the first error
// sticks and names the field that failed.
type listReader struct {
	msg   string // message name, for errors
	rest  []byte
	err   error
	field string
}

// openList starts reading the list that must be all of b.
func openList(msg string, b []byte) listReader {
	r := listReader{msg: msg}
	content, rest, err := rlp.SplitList(b)
	switch {
	case err != nil:
		r.err = err
	case len(rest) > 0:
		r.err = rlp.ErrMoreThanOneValue
	}
	r.rest = content
	return r
}

func (r *listReader) fail(field string, err error) {
	if r.err == nil {
		if err == io.ErrUnexpectedEOF {
			err = rlp.ErrTooFewElements
		}
		r.err, r.field = err, field
	}
}

func (r *listReader) bytes(field string) []byte {
	if r.err != nil {
		return nil
	}
	v, rest, err := rlp.SplitString(r.rest)
	if err != nil {
		r.fail(field, err)
		return nil
	}
	r.rest = rest
	return v
}

func (r *listReader) reqID() []byte {
	id := r.bytes("request ID")
	if r.err == nil && len(id) > MaxRequestIDSize {
		r.err = fmt.Errorf("%w: %d bytes", ErrInvalidReqID, len(id))
		r.field = "request ID"
	}
	return id
}

func (r *listReader) uint64(field string) uint64 {
	if r.err != nil {
		return 0
	}
	v, rest, err := rlp.SplitUint64(r.rest)
	if err != nil {
		r.fail(field, err)
		return 0
	}
	r.rest = rest
	return v
}

func (r *listReader) uint(field string, limit uint64) uint64 {
	v := r.uint64(field)
	if r.err == nil && v > limit {
		r.fail(field, rlp.ErrUintOverflow)
		return 0
	}
	return v
}

// list returns the content of a nested list.
func (r *listReader) list(field string) []byte {
	if r.err != nil {
		return nil
	}
	v, rest, err := rlp.SplitList(r.rest)
	if err != nil {
		r.fail(field, err)
		return nil
	}
	r.rest = rest
	return v
}

// done returns the error of the reading, or one for elements left over.
func (r *listReader) done() error {
	if r.err == nil && len(r.rest) > 0 {
		r.err = rlp.ErrTooManyElements
	}
	if r.err == nil {
		return nil
	}
	if errors.Is(r.err, ErrInvalidReqID) || errors.Is(r.err, ErrInvalidRecord) {
		return fmt.Errorf("%s: %w", r.msg, r.err)
	}
	if r.field == "" {
		return fmt.Errorf("%w: %s: %w", ErrInvalidMessage, r.msg, r.err)
	}
	return fmt.Errorf("%w: %s %s: %w", ErrInvalidMessage, r.msg, r.field, r.err)
}

// withID allocates a message and the bytes of its request ID together.
type withID[T any] struct {
	p  T
	id [MaxRequestIDSize]byte
}

func decodePing(b []byte) (*Ping, error) {
	r := openList("PING", b)
	id := r.reqID()
	seq := r.uint64("enr-seq")
	if err := r.done(); err != nil {
		return nil, err
	}
	a := new(withID[Ping])
	a.p = Ping{ReqID: append(a.id[:0], id...), ENRSeq: seq}
	return &a.p, nil
}

func decodePong(b []byte) (*Pong, error) {
	r := openList("PONG", b)
	id := r.reqID()
	seq := r.uint64("enr-seq")
	ip := r.bytes("recipient-ip")
	port := r.uint("recipient-port", math.MaxUint16)
	if err := r.done(); err != nil {
		return nil, err
	}
	a := new(struct {
		withID[Pong]
		ip [16]byte
	})
	a.p = Pong{ReqID: append(a.id[:0], id...), ENRSeq: seq, ToPort: uint16(port)}
	if len(ip) <= len(a.ip) {
		a.p.ToIP = append(a.ip[:0], ip...)
	} else {
		a.p.ToIP = append([]byte(nil), ip...)
	}
	return &a.p, nil
}

func decodeFindnode(b []byte) (*Findnode, error) {
	r := openList("FINDNODE", b)
	id := r.reqID()
	dists := r.list("distances")
	if err := r.done(); err != nil {
		return nil, err
	}
	n, err := rlp.CountValues(dists)
	if err != nil {
		return nil, fmt.Errorf("%w: FINDNODE distances: %w", ErrInvalidMessage, err)
	}
	a := new(withID[Findnode])
	a.p = Findnode{ReqID: append(a.id[:0], id...), Distances: make([]uint, 0, n)}
	dr := listReader{msg: "FINDNODE", rest: dists}
	for range n {
		a.p.Distances = append(a.p.Distances, uint(dr.uint("distance", math.MaxUint)))
	}
	if err := dr.done(); err != nil {
		return nil, err
	}
	return &a.p, nil
}

func decodeNodes(b []byte, schemes enr.IdentityScheme) (*Nodes, error) {
	r := openList("NODES", b)
	id := r.reqID()
	total := r.uint("total", math.MaxUint8)
	recs := r.list("records")
	if err := r.done(); err != nil {
		return nil, err
	}
	n, err := rlp.CountValues(recs)
	if err != nil {
		return nil, fmt.Errorf("%w: NODES records: %w", ErrInvalidMessage, err)
	}
	a := new(withID[Nodes])
	a.p = Nodes{
		ReqID:     append(a.id[:0], id...),
		RespCount: uint8(total),
		Nodes:     make([]*enr.Record, n),
		schemes:   schemes,
	}
	records := make([]enr.Record, n)
	for i := range n {
		_, _, rest, err := rlp.Split(recs)
		if err != nil {
			return nil, fmt.Errorf("%w: NODES record %d: %w", ErrInvalidMessage, i, err)
		}
		raw := recs[:len(recs)-len(rest)]
		recs = rest
		if err := rlp.DecodeBytes(raw, &records[i]); err != nil {
			return nil, fmt.Errorf("%w: %w: NODES record %d: %w", ErrInvalidMessage, ErrInvalidRecord, i, err)
		}
		a.p.Nodes[i] = &records[i]
	}
	return &a.p, nil
}

func decodeTalkRequest(b []byte) (*TalkRequest, error) {
	r := openList("TALKREQ", b)
	id := r.reqID()
	proto := r.bytes("protocol")
	msg := r.bytes("request")
	if err := r.done(); err != nil {
		return nil, err
	}
	a := new(withID[TalkRequest])
	a.p = TalkRequest{ReqID: append(a.id[:0], id...), Protocol: string(proto), Message: append([]byte{}, msg...)}
	return &a.p, nil
}

func decodeTalkResponse(b []byte) (*TalkResponse, error) {
	r := openList("TALKRESP", b)
	id := r.reqID()
	msg := r.bytes("response")
	if err := r.done(); err != nil {
		return nil, err
	}
	a := new(withID[TalkResponse])
	a.p = TalkResponse{ReqID: append(a.id[:0], id...), Message: append([]byte{}, msg...)}
	return &a.p, nil
}
