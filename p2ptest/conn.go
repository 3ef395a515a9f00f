package p2ptest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seednet/p2p"
	"github.com/seednet/p2p/enode"
)

// conn is the connection between the protocol under test and one scripted
// peer. Three goroutines serve it:
//
//   - the runner calls the protocol's Run and, once Run returns, closes the
//     pipe as the server would end the connection;
//   - the reader takes every message Run writes off the pipe into inbox,
//     so that Run's writes do not wait for the script, as on a network;
//   - a writer per Send delivers a message, so that Send can time out
//     when Run does not read.
//
// done is closed once the runner and the reader have returned; by then
// every message Run wrote is in inbox.
type conn struct {
	index   int
	proto   *p2p.Protocol
	peer    *p2p.Peer
	ours    *p2p.MsgPipeRW // the protocol's end of the pipe
	rw      *p2p.MsgPipeRW // the scripted peer's end of the pipe
	timeout time.Duration

	inbox inbox

	// end is set by the runner before it closes returned.
	end      runEnd
	returned chan struct{}

	readerDone chan struct{}
	done       chan struct{}
	writers    sync.WaitGroup

	// hungUp is set when the script closed the connection (Peer.Close or
	// Harness.Close) while Run was running; selfClosed when the pipe closed
	// while Run was running and the script had not closed it, which only
	// Peer.Disconnect, called by the protocol, does.
	hungUp     atomic.Bool
	selfClosed atomic.Bool
}

// runEnd is how the protocol's Run ended.
type runEnd struct {
	err    error  // what Run returned
	panic  string // the value and stack of a panic; "" if none
	goexit bool   // Run's goroutine called runtime.Goexit (t.FailNow in Run)
}

// received is a message the protocol sent to the scripted peer.
type received struct {
	code    uint64
	payload []byte
	at      time.Time
}

func (m received) String() string {
	return fmt.Sprintf("code %d, payload %s", m.code, formatPayload(m.payload))
}

// msg returns the message as the protocol sent it, for ExpectMatch.
func (m received) msg() p2p.Msg {
	return p2p.Msg{Code: m.code, Size: uint32(len(m.payload)), Payload: bytes.NewReader(m.payload), ReceivedAt: m.at}
}

// peerID is the node ID of scripted peer i: i+1 in the first four bytes,
// so that logs and Peer.ID().TerminalString() tell the peers apart.
func peerID(i int) enode.ID {
	var id enode.ID
	binary.BigEndian.PutUint32(id[:], uint32(i+1))
	return id
}

func startConn(index int, proto *p2p.Protocol, timeout time.Duration) *conn {
	ours, theirs := p2p.MsgPipe()
	c := &conn{
		index:      index,
		proto:      proto,
		ours:       ours,
		rw:         theirs,
		timeout:    timeout,
		inbox:      inbox{notify: make(chan struct{}, 1)},
		returned:   make(chan struct{}),
		readerDone: make(chan struct{}),
		done:       make(chan struct{}),
	}
	caps := []p2p.Cap{{Name: proto.Name, Version: proto.Version}}
	c.peer = p2p.NewPeerPipe(peerID(index), fmt.Sprintf("p2ptest peer %d", index), caps, ours)
	go c.read()
	go c.run(&protoRW{pipe: ours, proto: proto})
	return c
}

// run is the runner goroutine.
func (c *conn) run(rw p2p.MsgReadWriter) {
	normal := false
	var err error
	defer func() {
		switch {
		case normal:
			c.end.err = err
		default:
			if v := recover(); v != nil {
				c.end.panic = fmt.Sprintf("%v\n%s", v, debug.Stack())
			} else {
				c.end.goexit = true
			}
		}
		// hungUp is set before the script closes the pipe: asked again
		// after the probe, it tells the script's close from the protocol's.
		if !c.hungUp.Load() && c.pipeClosed() && !c.hungUp.Load() {
			c.selfClosed.Store(true)
		}
		close(c.returned)
		// As the server does: the connection ends when Run returns.
		c.peer.Disconnect(p2p.DiscReasonFor(c.end.err))
		<-c.readerDone
		close(c.done)
	}()
	err = c.proto.Run(c.peer, rw)
	normal = true
}

// probeCode is the code of the message pipeClosed writes; the reader
// drops it. The protocol cannot write it: its codes are below Length.
const probeCode = ^uint64(0)

// pipeClosed reports whether the pipe is closed, by writing an empty
// message that the reader drops: MsgPipe refuses it at once when closed.
// The runner asks after Run returned, to learn whether the protocol had
// called Peer.Disconnect (the reader may not have noticed yet).
func (c *conn) pipeClosed() bool {
	return errors.Is(c.ours.WriteMsg(p2p.Msg{Code: probeCode}), p2p.ErrPipeClosed)
}

// read is the reader goroutine.
func (c *conn) read() {
	defer close(c.readerDone)
	for {
		msg, err := c.rw.ReadMsg()
		if err != nil {
			select {
			case <-c.returned:
			default:
				if !c.hungUp.Load() {
					c.selfClosed.Store(true)
				}
			}
			return
		}
		if msg.Code == probeCode {
			continue
		}
		// protoRW.WriteMsg sends exactly Size bytes.
		m := received{code: msg.Code, payload: make([]byte, msg.Size), at: time.Now()}
		io.ReadFull(msg.Payload, m.payload)
		c.inbox.push(m)
	}
}

// hangUp closes the connection from the scripted peer's side.
func (c *conn) hangUp() {
	select {
	case <-c.returned:
	default:
		c.hungUp.Store(true)
	}
	c.rw.Close()
}

// errConnClosed is write's error when the pipe is closed.
var errConnClosed = errors.New("the connection is closed")

// write sends a message to the protocol and waits, at most the timeout,
// until Run has taken it with ReadMsg.
func (c *conn) write(code uint64, payload []byte) error {
	if code >= c.proto.Length {
		return fmt.Errorf("code %d is outside protocol %s/%d's range (Length %d); "+
			"a server disconnects a peer that sends it with %s before the protocol sees it",
			code, c.proto.Name, c.proto.Version, c.proto.Length, describeReason(p2p.DiscProtocolError))
	}
	if c.hungUp.Load() {
		return errors.New("the script closed the connection")
	}
	errc := make(chan error, 1)
	c.writers.Add(1)
	go func() {
		defer c.writers.Done()
		msg := p2p.Msg{Code: code, Size: uint32(len(payload)), Payload: bytes.NewReader(payload), ReceivedAt: time.Now()}
		errc <- c.rw.WriteMsg(msg)
	}()
	timer := time.NewTimer(c.timeout)
	defer timer.Stop()
	select {
	case err := <-errc:
		if errors.Is(err, p2p.ErrPipeClosed) {
			return fmt.Errorf("%w: %s", errConnClosed, c.state())
		}
		return err
	case <-timer.C:
		return fmt.Errorf("Run did not take the message (ReadMsg) within %v; %s", c.timeout, c.state())
	}
}

// nextResult says what next found.
type nextResult int

const (
	gotMsg   nextResult = iota // a message
	runEnded                   // no message: Run returned and sent nothing more
	timedOut                   // no message within the time allowed
)

// next returns the protocol's next message, waiting at most d.
func (c *conn) next(d time.Duration) (received, nextResult) {
	timer := time.NewTimer(d)
	defer timer.Stop()
	for {
		if m, ok := c.inbox.pop(); ok {
			return m, gotMsg
		}
		select {
		case <-c.inbox.notify:
		case <-c.done:
			if m, ok := c.inbox.pop(); ok {
				return m, gotMsg
			}
			return received{}, runEnded
		case <-timer.C:
			return received{}, timedOut
		}
	}
}

// waitEnd waits at most d for Run to return and the connection to close.
func (c *conn) waitEnd(d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-c.done:
		return true
	case <-timer.C:
		return false
	}
}

// state says where Run stands, for failure messages.
func (c *conn) state() string {
	select {
	case <-c.returned:
	default:
		switch {
		case c.selfClosed.Load():
			return "the protocol called Peer.Disconnect; Run has not returned yet"
		case c.hungUp.Load():
			return "the script closed the connection; Run has not returned yet"
		}
		return "Run is still running"
	}
	var s string
	switch {
	case c.end.panic != "":
		return "Run panicked: " + c.end.panic
	case c.end.goexit:
		return "Run's goroutine exited through runtime.Goexit (t.FailNow or t.Fatal called inside Run?)"
	case c.end.err == nil:
		s = "Run returned nil"
	default:
		s = fmt.Sprintf("Run returned %q", c.end.err)
	}
	switch {
	case c.selfClosed.Load():
		return "the protocol called Peer.Disconnect, then " + s
	case c.hungUp.Load():
		return "the script closed the connection, then " + s
	}
	return fmt.Sprintf("%s (disconnect reason: %s)", s, describeReason(p2p.DiscReasonFor(c.end.err)))
}

// unread returns the messages the protocol sent that no expectation took.
func (c *conn) unread() []received {
	return c.inbox.all()
}

// inbox holds the messages the protocol sent, in order, until an
// expectation takes them.
type inbox struct {
	notify chan struct{} // receives a value after a push; capacity 1

	mu   sync.Mutex // guards msgs
	msgs []received
}

func (b *inbox) push(m received) {
	b.mu.Lock()
	b.msgs = append(b.msgs, m)
	b.mu.Unlock()
	select {
	case b.notify <- struct{}{}:
	default:
	}
}

func (b *inbox) pop() (received, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.msgs) == 0 {
		return received{}, false
	}
	m := b.msgs[0]
	b.msgs[0] = received{}
	b.msgs = b.msgs[1:]
	return m, true
}

func (b *inbox) all() []received {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]received(nil), b.msgs...)
}

// protoRW is what the protocol's Run reads and writes through. It
// behaves as the server's does where Run can tell: ReadMsg hands over a
// message whose payload has already arrived, WriteMsg takes the whole
// payload before it returns and refuses codes outside the protocol's
// range and payloads too large for a frame, and both return io.EOF once
// the connection is closed.
type protoRW struct {
	pipe  *p2p.MsgPipeRW
	proto *p2p.Protocol
}

func (rw *protoRW) ReadMsg() (p2p.Msg, error) {
	msg, err := rw.pipe.ReadMsg()
	if err != nil {
		return msg, io.EOF // a pipe fails only once closed
	}
	// Taking the payload now lets the script's Send return, as a message
	// counts as received once the server's read loop has it. The script
	// sends exactly Size bytes.
	payload := make([]byte, msg.Size)
	io.ReadFull(msg.Payload, payload)
	msg.Payload = bytes.NewReader(payload)
	return msg, nil
}

func (rw *protoRW) WriteMsg(msg p2p.Msg) error {
	if msg.Code >= rw.proto.Length {
		return fmt.Errorf("%w: code %d, protocol %s has %d", p2p.ErrInvalidMsgCode, msg.Code, rw.proto.Name, rw.proto.Length)
	}
	if msg.Size > p2p.MaxMessageSize {
		return fmt.Errorf("p2p: message of %d bytes is over the limit", msg.Size)
	}
	payload := make([]byte, msg.Size)
	if msg.Payload == nil {
		payload = nil // the server sends an empty payload then
	} else if _, err := io.ReadFull(msg.Payload, payload); err != nil {
		return fmt.Errorf("p2p: reading message payload: %w", err)
	}
	msg.Size, msg.Payload = uint32(len(payload)), bytes.NewReader(payload)
	err := rw.pipe.WriteMsg(msg)
	if errors.Is(err, p2p.ErrPipeClosed) {
		return io.EOF
	}
	return err
}
