package p2ptest

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/seednet/p2p"
	"github.com/seednet/p2p/rlp"
)

// Script is an exchange with the protocol, step by step: Harness.Run runs
// the steps in order.
//
//	h.Run(p2ptest.Script{
//		{Peer: 0, Do: p2ptest.SendItems(0, "foo")},
//		{Peer: 0, Do: p2ptest.Expect(0, "bar")},
//		{Peer: 1, Do: p2ptest.SendRaw(0, []byte{0xff}), Label: "garbage"},
//		{Peer: 1, Do: p2ptest.ExpectDisconnect(p2p.DiscProtocolError)},
//	})
type Script []Step

// Step is one step of a Script: an action of one scripted peer.
type Step struct {
	Peer  int    // the scripted peer, counting from 0
	Do    Action // what it does or expects
	Label string // optional: shown in failures with the step's number
}

// Action is what a step does: send a message, or expect something of the
// protocol. The functions of this package that return one (Send, Expect,
// ExpectDisconnect, ...) do what the Peer methods of the same names do.
type Action interface {
	// String describes the action as failures show it:
	// Expect(code 0, "bar").
	String() string
	do(p *Peer)
}

// Send returns the action of Peer.Send.
func Send(code uint64, payload any) Action {
	return &sendAction{
		code:   code,
		desc:   fmt.Sprintf("Send(code %d, %s)", code, formatValue(payload)),
		encode: func() ([]byte, error) { return rlp.EncodeToBytes(payload) },
	}
}

// SendItems returns the action of Peer.SendItems.
func SendItems(code uint64, items ...any) Action {
	return &sendAction{
		code:   code,
		desc:   fmt.Sprintf("SendItems(code %d, %s)", code, formatItems(items)),
		encode: func() ([]byte, error) { return rlp.EncodeToBytes(items) },
	}
}

// SendRaw returns the action of Peer.SendRaw.
func SendRaw(code uint64, payload []byte) Action {
	payload = bytes.Clone(payload)
	return &sendAction{
		code:   code,
		desc:   fmt.Sprintf("SendRaw(code %d, %s)", code, formatHex(payload)),
		encode: func() ([]byte, error) { return payload, nil },
	}
}

// Expect returns the action of Peer.Expect.
func Expect(code uint64, want any) Action { return &expectAction{code: code, want: want} }

// ExpectMatch returns the action of Peer.ExpectMatch.
func ExpectMatch(code uint64, match func(msg p2p.Msg) error) Action {
	return &matchAction{code: code, match: match}
}

// ExpectNone returns the action of Peer.ExpectNone.
func ExpectNone(d time.Duration) Action { return noneAction{d: d} }

// ExpectDisconnect returns the action of Peer.ExpectDisconnect.
func ExpectDisconnect(reason p2p.DiscReason) Action { return discAction{reason: reason} }

// ExpectRunReturns returns the action of Peer.ExpectRunReturns.
func ExpectRunReturns(check func(err error) bool) Action { return returnsAction{check: check} }

// CloseConn returns the action of Peer.Close.
func CloseConn() Action { return closeAction{} }

// Call returns an action that calls f with the step's peer: a step of the
// test's own, such as a check of the protocol's state. desc names it in
// failures. Failures of the peer's methods inside f name the step.
func Call(desc string, f func(p *Peer)) Action { return &callAction{desc: desc, f: f} }

type sendAction struct {
	code   uint64
	desc   string
	encode func() ([]byte, error)
}

func (a *sendAction) String() string { return a.desc }

func (a *sendAction) do(p *Peer) {
	p.t.Helper()
	b, err := a.encode()
	if err != nil {
		p.fail(a, "cannot RLP-encode the payload: %v", err)
	}
	if err := p.c.write(a.code, b); err != nil {
		p.fail(a, "%v", err)
	}
}

type expectAction struct {
	code uint64
	want any
}

func (a *expectAction) String() string {
	if a.want == nil {
		return fmt.Sprintf("Expect(code %d, any payload)", a.code)
	}
	return fmt.Sprintf("Expect(code %d, %s)", a.code, formatValue(a.want))
}

func (a *expectAction) do(p *Peer) {
	p.t.Helper()
	m := p.next(a, a.code)
	if a.want == nil {
		return
	}
	want := formatExpected(a.want)
	got := reflect.New(reflect.TypeOf(a.want))
	if err := m.msg().Decode(got.Interface()); err != nil {
		p.fail(a, "the payload does not decode into %T: %v\n\tgot RLP:  %s\n%s", a.want, err, formatPayload(m.payload), want)
	}
	if v := got.Elem().Interface(); !equalValues(v, a.want) {
		p.fail(a, "the payload differs (decoded into %T)\n\tgot:      %s\n\tgot RLP:  %s\n%s",
			a.want, formatValue(v), formatPayload(m.payload), want)
	}
}

// formatExpected shows an expected value and its encoding, as the last
// lines of a failure.
func formatExpected(want any) string {
	enc, err := rlp.EncodeToBytes(want)
	rlpText := formatPayload(enc)
	if err != nil {
		rlpText = "cannot encode it: " + err.Error()
	}
	return fmt.Sprintf("\twant:     %s\n\twant RLP: %s", formatValue(want), rlpText)
}

// equalValues reports whether a decoded payload equals the expected value:
// whether both have the same RLP encoding, which is what a peer receives
// (so nil and empty slices are equal), or if either cannot be encoded,
// whether they are deeply equal.
func equalValues(got, want any) bool {
	g, err1 := rlp.EncodeToBytes(got)
	w, err2 := rlp.EncodeToBytes(want)
	if err1 != nil || err2 != nil {
		return reflect.DeepEqual(got, want)
	}
	return bytes.Equal(g, w)
}

type matchAction struct {
	code  uint64
	match func(p2p.Msg) error
}

func (a *matchAction) String() string { return fmt.Sprintf("ExpectMatch(code %d)", a.code) }

func (a *matchAction) do(p *Peer) {
	p.t.Helper()
	m := p.next(a, a.code)
	if a.match == nil {
		return
	}
	if err := a.match(m.msg()); err != nil {
		p.fail(a, "%v\n\tgot RLP: %s", err, formatPayload(m.payload))
	}
}

type noneAction struct{ d time.Duration }

func (a noneAction) String() string { return fmt.Sprintf("ExpectNone(%v)", a.d) }

func (a noneAction) do(p *Peer) {
	p.t.Helper()
	switch m, res := p.c.next(a.d); res {
	case gotMsg:
		p.fail(a, "the protocol sent %v", m)
	case runEnded:
		p.fail(a, "the connection ended: %s", p.c.state())
	}
}

type discAction struct{ reason p2p.DiscReason }

func (a discAction) String() string {
	return fmt.Sprintf("ExpectDisconnect(%s)", describeReason(a.reason))
}

func (a discAction) do(p *Peer) {
	p.t.Helper()
	p.waitEnd(a)
	c := p.c
	switch {
	case c.end.panic != "" || c.end.goexit:
		p.fail(a, "%s", c.state())
	case c.selfClosed.Load():
		// The protocol called Peer.Disconnect, which closed the pipe.
		if r, ok := c.peer.DisconnectReason(); !ok || r != a.reason {
			p.fail(a, "%s; the protocol called Peer.Disconnect with %s", c.state(), describeReason(r))
		}
	case c.hungUp.Load():
		p.fail(a, "%s: the protocol did not end the connection", c.state())
	case p2p.DiscReasonFor(c.end.err) != a.reason:
		p.fail(a, "%s", c.state())
	}
}

type returnsAction struct{ check func(error) bool }

func (a returnsAction) String() string { return "ExpectRunReturns" }

func (a returnsAction) do(p *Peer) {
	p.t.Helper()
	p.waitEnd(a)
	c := p.c
	switch {
	case c.end.panic != "" || c.end.goexit:
		p.fail(a, "%s", c.state())
	case a.check != nil && !a.check(c.end.err):
		p.fail(a, "the check refused what Run returned: %s", c.state())
	}
}

type closeAction struct{}

func (closeAction) String() string { return "Close()" }
func (closeAction) do(p *Peer)     { p.c.hangUp() }

type callAction struct {
	desc string
	f    func(p *Peer)
}

func (a *callAction) String() string { return a.desc }

func (a *callAction) do(p *Peer) {
	p.t.Helper()
	a.f(p)
}

// next returns the protocol's next message, failing unless one with the
// given code arrives within the timeout.
func (p *Peer) next(a Action, code uint64) received {
	p.t.Helper()
	m, res := p.c.next(p.c.timeout)
	switch {
	case res == timedOut:
		p.fail(a, "no message within %v; %s", p.c.timeout, p.c.state())
	case res == runEnded:
		p.fail(a, "no message: %s", p.c.state())
	case m.code != code:
		p.fail(a, "got code %d instead, payload %s", m.code, formatPayload(m.payload))
	}
	return m
}

// waitEnd waits at most the timeout for Run to return, failing if it does
// not.
func (p *Peer) waitEnd(a Action) {
	p.t.Helper()
	if p.c.waitEnd(p.c.timeout) {
		return
	}
	msg := fmt.Sprintf("Run did not return within %v; %s", p.c.timeout, p.c.state())
	if msgs := p.c.unread(); len(msgs) > 0 {
		var sb strings.Builder
		fmt.Fprintf(&sb, "; meanwhile the protocol sent %d messages:", len(msgs))
		for i, m := range msgs {
			if i == 3 {
				sb.WriteString("\n\t...")
				break
			}
			fmt.Fprintf(&sb, "\n\t%v", m)
		}
		msg += sb.String()
	}
	p.fail(a, "%s", msg)
}
