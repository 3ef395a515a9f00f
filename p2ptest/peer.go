package p2ptest

import (
	"fmt"
	"time"

	"github.com/seednet/p2p"
	"github.com/seednet/p2p/enode"
)

// Peer is a scripted peer: the remote end of one connection of the
// protocol under test. Harness.Peer returns it; Harness.Parallel gives
// each goroutine its own.
//
// Each method waits at most the harness's timeout (ExpectNone: the given
// duration) and, when what it expects does not happen, fails the test with
// t.Fatalf, naming the peer, the call and what happened instead. So call
// the methods of the Peer that Harness.Peer returns from the test's
// goroutine only; a goroutine of its own needs Harness.Parallel.
type Peer struct {
	c      *conn
	t      reporter
	prefix string // names the script step in failures, if any
}

// reporter is where a Peer reports failures: the test's TB, or
// Parallel's per-goroutine recorder. Fatalf must not return.
type reporter interface {
	Helper()
	Fatalf(format string, args ...any)
}

// fail reports the failure of action a.
func (p *Peer) fail(a Action, format string, args ...any) {
	p.t.Helper()
	p.t.Fatalf("%speer %d: %v: %s", p.prefix, p.c.index, a, fmt.Sprintf(format, args...))
}

// Index returns the peer's number, counting from 0.
func (p *Peer) Index() int { return p.c.index }

// ID returns the node ID of the peer as the protocol sees it: the peer's
// number plus one in its first four bytes.
func (p *Peer) ID() enode.ID { return p.c.peer.ID() }

// P2P returns the *p2p.Peer that the protocol's Run was given for this
// peer (made with p2p.NewPeerPipe). Its Caps are the protocol's own.
func (p *Peer) P2P() *p2p.Peer { return p.c.peer }

// Fatalf fails the test with a message that names the peer (and the step
// of a script), as the peer's own failures do. It is for checks of a
// test's own inside Harness.Parallel and Call, where t.Fatalf must not be
// called.
func (p *Peer) Fatalf(format string, args ...any) {
	p.t.Helper()
	p.t.Fatalf("%speer %d: %s", p.prefix, p.c.index, fmt.Sprintf(format, args...))
}

// Send RLP-encodes payload and sends it as a message with the given code,
// as p2p.Send does, then waits until Run has taken it with ReadMsg. It
// fails if the code is outside the protocol's range (a server would not
// pass the message on), if Run does not take the message within the
// timeout, or if the connection is closed.
func (p *Peer) Send(code uint64, payload any) {
	p.t.Helper()
	Send(code, payload).do(p)
}

// SendItems sends a message whose payload is the RLP list of items, as
// p2p.SendItems does; otherwise it is Send.
func (p *Peer) SendItems(code uint64, items ...any) {
	p.t.Helper()
	SendItems(code, items...).do(p)
}

// SendRaw sends payload as it is, which need not be valid RLP: for
// testing how the protocol takes a malformed message. Otherwise it is
// Send.
func (p *Peer) SendRaw(code uint64, payload []byte) {
	p.t.Helper()
	SendRaw(code, payload).do(p)
}

// Expect takes the next message the protocol sent to the peer and checks
// that it has the given code and that its payload decodes into a value
// of want's type (with Msg.Decode, so a list of one item decodes into a
// single value) that equals want: that has the same RLP encoding, so a nil
// slice equals an empty one. A nil want checks the code only. For an exact
// comparison of the payload's bytes, pass an rlp.RawValue.
//
// It fails if no message arrives within the timeout or Run returns first,
// or if the message differs, showing both sides as Go values and as RLP.
func (p *Peer) Expect(code uint64, want any) {
	p.t.Helper()
	Expect(code, want).do(p)
}

// ExpectMatch takes the next message the protocol sent to the peer,
// checks its code, and passes it to match; an error from match fails the
// test, with the payload. match may read the payload (with msg.Decode) as
// a protocol would.
func (p *Peer) ExpectMatch(code uint64, match func(msg p2p.Msg) error) {
	p.t.Helper()
	ExpectMatch(code, match).do(p)
}

// ExpectNone checks that the protocol sends the peer nothing for d, and
// that the connection stays open. It always waits the whole of d.
func (p *Peer) ExpectNone(d time.Duration) {
	p.t.Helper()
	ExpectNone(d).do(p)
}

// ExpectDisconnect waits for Run to return and checks that a server would
// disconnect the peer with reason, by the table in p2p.Protocol.Run's doc:
// a DiscReason (or an error wrapping one) is that reason, Msg.Decode's
// errors are DiscProtocolError, nil is DiscQuitting, any other error is
// DiscSubprotocolError.
//
// It fails if Run does not return within the timeout, if it panicked, if
// the script had closed the connection first, or if the protocol ended the
// connection with Peer.Disconnect and another reason. Messages
// the protocol sent before it returned may stay unread.
func (p *Peer) ExpectDisconnect(reason p2p.DiscReason) {
	p.t.Helper()
	ExpectDisconnect(reason).do(p)
}

// ExpectRunReturns waits for Run to return and checks what it returned
// with check (nil accepts anything). It fails if Run does not return
// within the timeout, if it panicked, or if check returns false. After
// Close, Run's reads fail with io.EOF, as they do when a real peer leaves.
func (p *Peer) ExpectRunReturns(check func(err error) bool) {
	p.t.Helper()
	ExpectRunReturns(check).do(p)
}

// Close closes the connection from the peer's side, as a peer that goes
// away: Run's ReadMsg and WriteMsg return io.EOF from then on. It does not
// wait for Run to return (ExpectRunReturns does). Messages the protocol
// sent before stay available to Expect.
func (p *Peer) Close() {
	p.t.Helper()
	CloseConn().do(p)
}
