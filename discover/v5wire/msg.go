package v5wire

import (
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"

	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/enr"
)

// Message types, the first byte of a decrypted message, and the Kind of the
// two packets that carry no message.
const (
	PingMsg         byte = iota + 1 // Ping
	PongMsg                         // Pong
	FindnodeMsg                     // Findnode
	NodesMsg                        // Nodes
	TalkRequestMsg                  // TalkRequest
	TalkResponseMsg                 // TalkResponse

	UnknownPacket   = byte(255) // Unknown: a message packet we could not decrypt
	WhoareyouPacket = byte(254) // Whoareyou
)

// MaxRequestIDSize is the largest request ID, in bytes.
const MaxRequestIDSize = 8

// Packet is what Encode takes and Decode returns: *Whoareyou, *Unknown, or
// one of the messages *Ping, *Pong, *Findnode, *Nodes, *TalkRequest and
// *TalkResponse.
type Packet interface {
	// Name is the packet's name for logs and metrics, such as "PING/v5".
	Name() string
	// Kind is the message type (PingMsg ...), or UnknownPacket or
	// WhoareyouPacket.
	Kind() byte
	// RequestID is the message's request ID; nil for Whoareyou and
	// Unknown.
	RequestID() []byte
	// SetRequestID sets the request ID; Whoareyou and Unknown ignore it.
	SetRequestID([]byte)
	// AppendLogInfo appends the packet's fields to ctx as alternating keys
	// and values, the form of go-ethereum's loggers and of the variadic
	// arguments of *slog.Logger.
	AppendLogInfo(ctx []any) []any
	// AppendLogAttrs appends the packet's fields to attrs, for
	// slog.Logger.LogAttrs.
	AppendLogAttrs(attrs []slog.Attr) []slog.Attr
}

type (
	// Unknown is a message packet that could not be decrypted: we have no
	// session with its sender (at the address it came from), or the
	// session's key did not open it. The protocol answers it with a
	// WHOAREYOU carrying Nonce.
	Unknown struct {
		// Nonce is the packet's nonce.
		Nonce Nonce
		// Reason is ErrUnknownSession or ErrMessageDecrypt, for counting.
		// Decode sets it; Encode does not encode Unknown.
		Reason error
	}

	// Whoareyou is the handshake challenge.
	Whoareyou struct {
		// Nonce is the nonce of the message packet that this answers.
		Nonce Nonce
		// IDNonce is random data for the identity proof.
		IDNonce [16]byte
		// RecordSeq is the sequence number of the recipient's record
		// that the sender knows, 0 if it knows none; the recipient
		// includes its record in the handshake if its own is newer.
		RecordSeq uint64

		// Node is not encoded. In a challenge we send, it is the record
		// we know of the recipient (required if RecordSeq is not 0),
		// which Decode uses when the handshake carries none. In a
		// challenge we answer, the caller sets it to the record of the
		// node that sent it before passing it to Encode: the handshake
		// agrees keys with that node's public key.
		Node *enode.Node

		// ChallengeData is the unmasked packet (masking IV, static
		// header and authdata), the input of the handshake's key
		// derivation and ID signature. Encode and Decode set it. Encode
		// of a Whoareyou whose ChallengeData is set sends the same
		// challenge again.
		ChallengeData []byte
	}

	// Ping checks that a node is alive and tells it our record's sequence
	// number.
	Ping struct {
		ReqID  []byte
		ENRSeq uint64
	}

	// Pong answers Ping.
	Pong struct {
		ReqID  []byte
		ENRSeq uint64
		// ToIP and ToPort are the address the Ping came from, which
		// tells its sender its external endpoint. ToIP is 4 bytes (IPv4)
		// or 16 (IPv6); like go-ethereum, the codec passes on other
		// lengths and ToAddrPort rejects them.
		ToIP   net.IP
		ToPort uint16
	}

	// Findnode asks for the nodes at the given log2 distances from the
	// recipient (0 is the recipient itself).
	Findnode struct {
		ReqID     []byte
		Distances []uint
		// OpID names the operation that sent the request, for logs.
		// Not encoded.
		OpID uint64
	}

	// Nodes answers Findnode, in RespCount messages in total.
	//
	// Decode checks that every record is well-formed (ErrInvalidRecord
	// if not) but leaves their signatures to VerifiedNodes, which the
	// protocol calls once it knows the response answers its request.
	Nodes struct {
		ReqID     []byte
		RespCount uint8
		Nodes     []*enr.Record

		schemes enr.IdentityScheme // of the codec that decoded it
	}

	// TalkRequest is a request of an application protocol.
	TalkRequest struct {
		ReqID    []byte
		Protocol string
		Message  []byte
	}

	// TalkResponse answers TalkRequest; an empty Message means the
	// protocol is unknown.
	TalkResponse struct {
		ReqID   []byte
		Message []byte
	}
)

// VerifiedNodes checks the records against the identity schemes of the
// Codec that decoded p (Config.ValidSchemes; enode.ValidSchemes for a Nodes
// from DecodeMessage or made by hand), and returns the nodes of those that
// verify, in order, and an error that joins one wrapping ErrInvalidRecord
// for each that does not.
//
// Decode does not do this itself because it is costly: a node with a
// session could send NODES that nobody asked for, each making us check a
// dozen signatures before the protocol sees that it can drop them.
func (p *Nodes) VerifiedNodes() ([]*enode.Node, error) {
	schemes := p.schemes
	if schemes == nil {
		schemes = enode.ValidSchemes
	}
	nodes := make([]*enode.Node, 0, len(p.Nodes))
	var errs []error
	for i, r := range p.Nodes {
		if r == nil {
			errs = append(errs, fmt.Errorf("%w: record %d is nil", ErrInvalidRecord, i))
			continue
		}
		n, err := enode.New(schemes, r)
		if err != nil {
			errs = append(errs, fmt.Errorf("%w: record %d: %w", ErrInvalidRecord, i, err))
			continue
		}
		nodes = append(nodes, n)
	}
	return nodes, errors.Join(errs...)
}

// ToAddrPort returns ToIP and ToPort as an address, IPv4 unmapped; ok is
// false if ToIP is neither 4 nor 16 bytes long.
func (p *Pong) ToAddrPort() (ap netip.AddrPort, ok bool) {
	if len(p.ToIP) != 4 && len(p.ToIP) != 16 {
		return netip.AddrPort{}, false
	}
	ip, _ := netip.AddrFromSlice(p.ToIP)
	return netip.AddrPortFrom(ip.Unmap(), p.ToPort), true
}

func (*Whoareyou) Name() string        { return "WHOAREYOU/v5" }
func (*Whoareyou) Kind() byte          { return WhoareyouPacket }
func (*Whoareyou) RequestID() []byte   { return nil }
func (*Whoareyou) SetRequestID([]byte) {}

func (p *Whoareyou) AppendLogInfo(ctx []any) []any {
	return append(ctx, "recseq", p.RecordSeq)
}

func (p *Whoareyou) AppendLogAttrs(a []slog.Attr) []slog.Attr {
	return append(a, slog.Uint64("recseq", p.RecordSeq))
}

func (*Unknown) Name() string        { return "UNKNOWN/v5" }
func (*Unknown) Kind() byte          { return UnknownPacket }
func (*Unknown) RequestID() []byte   { return nil }
func (*Unknown) SetRequestID([]byte) {}

func (p *Unknown) AppendLogInfo(ctx []any) []any {
	if p.Reason != nil {
		ctx = append(ctx, "reason", p.Reason.Error())
	}
	return ctx
}

func (p *Unknown) AppendLogAttrs(a []slog.Attr) []slog.Attr {
	if p.Reason != nil {
		a = append(a, slog.String("reason", p.Reason.Error()))
	}
	return a
}

func (*Ping) Name() string             { return "PING/v5" }
func (*Ping) Kind() byte               { return PingMsg }
func (p *Ping) RequestID() []byte      { return p.ReqID }
func (p *Ping) SetRequestID(id []byte) { p.ReqID = id }

func (p *Ping) AppendLogInfo(ctx []any) []any {
	return append(ctx, "req", reqHex(p.ReqID), "enrseq", p.ENRSeq)
}

func (p *Ping) AppendLogAttrs(a []slog.Attr) []slog.Attr {
	return append(a, slog.String("req", reqHex(p.ReqID)), slog.Uint64("enrseq", p.ENRSeq))
}

func (*Pong) Name() string             { return "PONG/v5" }
func (*Pong) Kind() byte               { return PongMsg }
func (p *Pong) RequestID() []byte      { return p.ReqID }
func (p *Pong) SetRequestID(id []byte) { p.ReqID = id }

func (p *Pong) AppendLogInfo(ctx []any) []any {
	return append(ctx, "req", reqHex(p.ReqID), "enrseq", p.ENRSeq)
}

func (p *Pong) AppendLogAttrs(a []slog.Attr) []slog.Attr {
	return append(a, slog.String("req", reqHex(p.ReqID)), slog.Uint64("enrseq", p.ENRSeq))
}

func (*Findnode) Name() string             { return "FINDNODE/v5" }
func (*Findnode) Kind() byte               { return FindnodeMsg }
func (p *Findnode) RequestID() []byte      { return p.ReqID }
func (p *Findnode) SetRequestID(id []byte) { p.ReqID = id }

func (p *Findnode) AppendLogInfo(ctx []any) []any {
	ctx = append(ctx, "req", reqHex(p.ReqID))
	if p.OpID != 0 {
		ctx = append(ctx, "opid", p.OpID)
	}
	return ctx
}

func (p *Findnode) AppendLogAttrs(a []slog.Attr) []slog.Attr {
	a = append(a, slog.String("req", reqHex(p.ReqID)))
	if p.OpID != 0 {
		a = append(a, slog.Uint64("opid", p.OpID))
	}
	return a
}

func (*Nodes) Name() string             { return "NODES/v5" }
func (*Nodes) Kind() byte               { return NodesMsg }
func (p *Nodes) RequestID() []byte      { return p.ReqID }
func (p *Nodes) SetRequestID(id []byte) { p.ReqID = id }

func (p *Nodes) AppendLogInfo(ctx []any) []any {
	return append(ctx, "req", reqHex(p.ReqID), "tot", p.RespCount, "n", len(p.Nodes))
}

func (p *Nodes) AppendLogAttrs(a []slog.Attr) []slog.Attr {
	return append(a, slog.String("req", reqHex(p.ReqID)),
		slog.Int("tot", int(p.RespCount)), slog.Int("n", len(p.Nodes)))
}

func (*TalkRequest) Name() string             { return "TALKREQ/v5" }
func (*TalkRequest) Kind() byte               { return TalkRequestMsg }
func (p *TalkRequest) RequestID() []byte      { return p.ReqID }
func (p *TalkRequest) SetRequestID(id []byte) { p.ReqID = id }

func (p *TalkRequest) AppendLogInfo(ctx []any) []any {
	return append(ctx, "proto", p.Protocol, "req", reqHex(p.ReqID), "len", len(p.Message))
}

func (p *TalkRequest) AppendLogAttrs(a []slog.Attr) []slog.Attr {
	return append(a, slog.String("proto", p.Protocol), slog.String("req", reqHex(p.ReqID)),
		slog.Int("len", len(p.Message)))
}

func (*TalkResponse) Name() string             { return "TALKRESP/v5" }
func (*TalkResponse) Kind() byte               { return TalkResponseMsg }
func (p *TalkResponse) RequestID() []byte      { return p.ReqID }
func (p *TalkResponse) SetRequestID(id []byte) { p.ReqID = id }

func (p *TalkResponse) AppendLogInfo(ctx []any) []any {
	return append(ctx, "req", reqHex(p.ReqID), "len", len(p.Message))
}

func (p *TalkResponse) AppendLogAttrs(a []slog.Attr) []slog.Attr {
	return append(a, slog.String("req", reqHex(p.ReqID)), slog.Int("len", len(p.Message)))
}

// reqHex formats a request ID for logs as 0x-prefixed hex.
func reqHex(id []byte) string {
	return "0x" + hex.EncodeToString(id)
}
