package p2p

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/enr"
	"github.com/seednet/p2p/rlpx"
)

// ConnFlag says how a connection came about. SetupConn takes a set of
// them; they do not go on the wire.
type ConnFlag uint8

// The connection flags.
const (
	// DynDialedConn: we dialed a node found through discovery or a
	// protocol's DialCandidates. Such peers count against MaxDialedConns.
	DynDialedConn ConnFlag = 1 << iota
	// StaticDialedConn: we dialed a static node (AddPeer, StaticNodes).
	// Such peers are exempt from MaxPeers.
	StaticDialedConn
	// InboundConn: the node connected to us. Such peers count against
	// MaxInboundConns.
	InboundConn
	// TrustedConn: admit the peer beyond the limits, as for TrustedNodes.
	TrustedConn
)

// Peer is a connected remote node.
//
// A peer costs one goroutine of its own, its read loop, plus one per
// running protocol (the protocol's Run); while the peer is idle, each of
// them parks on a 2 KiB stack. Pings come from a timer and
// writes are flushed by short-lived goroutines that exist only while there
// is something to send.
type Peer struct {
	srv     *Server
	t       *transport
	id      enode.ID
	node    atomic.Pointer[enode.Node] // the dialed node; an inbound peer's is made by Node on first use
	name    string
	caps    []Cap
	protos  []*protoRW  // sorted by offset
	flags   ConnFlag    // how the connection came about; fixed
	trusted atomic.Bool // whether the node is trusted; AddTrustedPeer changes it
	created time.Time
	local   net.Addr
	remote  net.Addr

	stopOnce  sync.Once
	stopping  chan struct{}              // closed by stop
	stopErr   error                      // why we are ending the connection
	pingTimer atomic.Pointer[time.Timer] // set by run, read by the timer's callback
	protoWG   sync.WaitGroup
	onEnd     func(err error, remoteRequested bool) // called by end, once
	pipe      *MsgPipeRW                            // NewPeerPipe's; closed by stop

	bw          *bandwidth // nil without bandwidth budgets
	bwIn, bwOut *budget

	pingSent atomic.Int64 // when our last ping went out, Unix nanoseconds; 0 once answered
	rtt      atomic.Int64 // the round trip of the last ping answered, nanoseconds
}

// RTT returns the round trip time of the last ping answered, or 0 before
// the first pong (pings go out every 15 s).
func (p *Peer) RTT() time.Duration { return time.Duration(p.rtt.Load()) }

// Traffic returns the messages and bytes exchanged with the peer in every
// protocol, the base protocol included (the Hello exchange aside).
func (p *Peer) Traffic() Traffic {
	if p.t == nil {
		return Traffic{}
	}
	return p.t.total.load()
}

// ID returns the node's ID.
func (p *Peer) ID() enode.ID { return p.id }

// Node returns the peer's node: its key and the address it connected from
// or was dialed at.
func (p *Peer) Node() *enode.Node {
	if n := p.node.Load(); n != nil {
		return n
	}
	// Made on first use: most inbound peers are never asked, and the
	// record is a good part of an idle peer's memory.
	ip, port := addrIPPort(p.remote)
	n := enode.NewV4(p.t.conn.RemotePublicKey(), ip, port, port)
	if !p.node.CompareAndSwap(nil, n) {
		n = p.node.Load()
	}
	return n
}

// Name returns the client name the peer announced in its Hello.
func (p *Peer) Name() string { return p.name }

// Caps returns the capabilities the peer announced.
func (p *Peer) Caps() []Cap { return slices.Clone(p.caps) }

// RunningCap reports whether a protocol of the given name runs with the
// peer at one of the given versions.
func (p *Peer) RunningCap(protocol string, versions []uint) bool {
	for _, rw := range p.protos {
		if rw.Name == protocol && slices.Contains(versions, rw.Version) {
			return true
		}
	}
	return false
}

// RemoteAddr returns the remote address of the connection.
func (p *Peer) RemoteAddr() net.Addr { return p.remote }

// LocalAddr returns the local address of the connection.
func (p *Peer) LocalAddr() net.Addr { return p.local }

// Inbound reports whether the peer connected to us.
func (p *Peer) Inbound() bool { return p.flags&InboundConn != 0 }

// Trusted reports whether the peer is a trusted node (TrustedNodes,
// AddTrustedPeer, or TrustedConn).
func (p *Peer) Trusted() bool { return p.trusted.Load() }

// DynDialed reports whether we dialed the peer as a node found through
// discovery or a protocol's DialCandidates.
func (p *Peer) DynDialed() bool { return p.flags&DynDialedConn != 0 }

// StaticDialed reports whether we dialed the peer as a static node.
func (p *Peer) StaticDialed() bool { return p.flags&StaticDialedConn != 0 }

// Lifetime returns how long the peer has been connected. go-ethereum
// returns an mclock.AbsTime here, a duration in nanoseconds too;
// time.Duration(p.Lifetime()) works with both.
func (p *Peer) Lifetime() time.Duration { return time.Since(p.created) }

// Log returns the server's logger with the peer's ID and address
// attached. go-ethereum returns its own log.Logger; this library logs
// through log/slog.
func (p *Peer) Log() *slog.Logger { return p.logger() }

// Disconnect ends the connection, telling the peer the reason. It returns
// at once; the peer is gone within about half a second (stopWriteGrace),
// even when it does not read. For a peer made by NewPeerPipe, it closes
// the pipe.
func (p *Peer) Disconnect(reason DiscReason) { p.stop(reason) }

// DisconnectReason returns the reason the connection ends with once it is
// ending (by Disconnect, a protocol's error, the remote side, or a network
// failure), and false before.
func (p *Peer) DisconnectReason() (DiscReason, bool) {
	select {
	case <-p.stopping:
		return DiscReasonFor(p.stopErr), true
	default:
		return 0, false
	}
}

// NewPeer returns a peer for tests of code that takes a *Peer: it is not
// connected, and RunningCap holds for caps. Its Node is a record without
// a signature or an address, made for id.
func NewPeer(id enode.ID, name string, caps []Cap) *Peer {
	return newTestPeer(id, name, caps, nil)
}

// NewPeerPipe is NewPeer with a message pipe, which Disconnect closes. Pass
// the peer and the pipe's other end to a protocol's Run to test it.
func NewPeerPipe(id enode.ID, name string, caps []Cap, pipe *MsgPipeRW) *Peer {
	return newTestPeer(id, name, caps, pipe)
}

func newTestPeer(id enode.ID, name string, caps []Cap, pipe *MsgPipeRW) *Peer {
	protos := make([]Protocol, len(caps))
	for i, c := range caps {
		protos[i] = Protocol{Name: c.Name, Version: c.Version}
	}
	p := &Peer{
		id:       id,
		name:     name,
		caps:     slices.Clone(caps),
		protos:   matchProtocols(protos, caps),
		created:  time.Now(),
		stopping: make(chan struct{}),
		pipe:     pipe,
	}
	p.node.Store(enode.SignNull(new(enr.Record), id))
	return p
}

func (p *Peer) String() string {
	return fmt.Sprintf("Peer %s %v", p.ID().TerminalString(), p.remote)
}

// Fullname returns the node name and the ID.
func (p *Peer) Fullname() string { return fmt.Sprintf("%s (%s)", p.name, p.ID().TerminalString()) }

// newPeer sets up a peer on a connection that completed the Hello
// exchange, with the protocols that match its capabilities. node is the
// dialed node, nil for an inbound peer.
func newPeer(srv *Server, conn *rlpx.Conn, id enode.ID, node *enode.Node, hello *helloMsg, protos []*protoRW, flags ConnFlag) *Peer {
	p := &Peer{
		srv:      srv,
		id:       id,
		name:     hello.Name,
		caps:     hello.Caps,
		protos:   protos,
		flags:    flags,
		created:  time.Now(),
		local:    conn.LocalAddr(),
		remote:   conn.RemoteAddr(),
		stopping: make(chan struct{}),
	}
	if node != nil {
		p.node.Store(node)
	}
	p.t = &transport{conn: conn, onWriteErr: p.writeFailed, wlock: make(chan struct{}, 1)}
	for _, rw := range protos {
		rw.peer = p
		rw.q = newMsgQueue()
		rw.traffic = srv.stats.trafficFor(rw.Name)
	}
	return p
}

// logger returns the server's logger with the peer's ID and address. It
// is made on each use rather than kept: peers log rarely, and a handler's
// preformatted attributes would cost every idle peer memory.
func (p *Peer) logger() *slog.Logger {
	return p.srv.logger().With("peer", p.id.TerminalString(), "addr", p.remote)
}

// writeFailed ends the peer after a write error (already wrapped in
// DiscNetworkError by the transport).
func (p *Peer) writeFailed(err error) { p.stop(err) }

// stop ends the peer with err (a DiscReason, or an error that maps to one).
// It wakes the read loop by moving its deadline into the past: a timeout
// between frames leaves the connection able to send the Disconnect. Writes
// get stopWriteGrace to finish, so that a peer that does not read cannot
// hold up its teardown (a blocked write would otherwise wait for the
// frame write timeout).
func (p *Peer) stop(err error) {
	p.stopOnce.Do(func() {
		p.stopErr = err
		close(p.stopping)
		if p.pipe != nil {
			p.pipe.Close()
		}
		if p.t == nil {
			return // NewPeer's: not connected
		}
		p.t.conn.SetReadDeadline(time.Unix(1, 0))
		p.t.limitWrites(time.Now().Add(stopWriteGrace))
	})
}

// run runs the peer until the connection ends and returns why it ended.
// It returns after every goroutine of the peer has returned.
func (p *Peer) run() (err error, remoteRequested bool) {
	done := make(chan struct{})
	p.onEnd = func(e error, r bool) {
		err, remoteRequested = e, r
		close(done)
	}
	p.start()
	<-done
	return err, remoteRequested
}

// start starts the peer: a goroutine per protocol, the ping timer and the
// read loop. When the connection ends, the read loop's goroutine tears the
// peer down and calls p.onEnd.
func (p *Peer) start() {
	for _, rw := range p.protos {
		p.protoWG.Add(1)
		go p.runProtocol(rw)
	}
	p.pingTimer.Store(time.AfterFunc(pingInterval, p.ping))
	go p.reader()
}

// Goroutine stacks start at 2 KiB (or the runtime's running average of
// stack use) and grow by doubling; the runtime halves a stack at a garbage
// collection only when less than a quarter of it is in use, which a
// goroutine parked in a socket read never is. So a read loop that once
// decrypted a frame would keep a 4 KiB stack for life. An idle peer's
// read loop therefore moves to a fresh goroutine after each message that
// arrived after a quiet spell (shedQuiet): it parks on a small stack, and
// busy peers never pay for the move. This halves the stack memory of an
// idle peer.
const shedQuiet = time.Second

// errShedStack is readLoop's way of asking for a fresh goroutine.
var errShedStack = errors.New("shed stack")

// reader is the read loop's goroutine. It is kept shallow: its depth is
// part of what an idle peer parks on.
func (p *Peer) reader() {
	err := p.readLoop()
	if err == errShedStack {
		go p.reader()
		return
	}
	p.end(err)
}

// end tears the peer down after the read loop ended with err, waits for
// the protocols, and calls p.onEnd.
func (p *Peer) end(err error) {
	p.pingTimer.Load().Stop()
	select {
	case <-p.stopping:
		err = p.stopErr
	default:
		p.stop(err)
	}
	var rd *RemoteDisconnectError
	remoteRequested := errors.As(err, &rd)
	if !remoteRequested && !errors.Is(err, DiscNetworkError) {
		// Tell the peer why; the write may fail if it is the problem.
		if n, err := p.t.writeNow(discMsg, encodeDisconnect(discReasonFor(err)), discWriteTimeout); err == nil {
			p.srv.stats.base.sent(discMsg, n)
			p.t.total.sent(discMsg, n)
		}
	}
	p.t.conn.Close()
	for _, rw := range p.protos {
		rw.q.close()
	}
	p.protoWG.Wait()
	p.t.shutdown() // no goroutine of the peer outlives end
	p.onEnd(err, remoteRequested)
}

// readLoop reads messages until the connection fails or the peer is
// stopped, and dispatches them. It returns errShedStack when the read loop
// should continue on a fresh goroutine.
func (p *Peer) readLoop() error {
	now := time.Now()
	for {
		p.t.armReadDeadline(now)
		select {
		case <-p.stopping:
			return p.stopErr
		default:
		}
		code, data, wireSize, err := p.t.conn.Read()
		if err != nil {
			return readError(err)
		}
		prev := now
		now = time.Now()
		if err := p.handle(code, data, wireSize, now); err != nil {
			return err
		}
		if now.Sub(prev) >= shedQuiet {
			return errShedStack
		}
	}
}

func readError(err error) error {
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		return DiscReadTimeout
	case errors.Is(err, rlpx.ErrBadMessageCode), errors.Is(err, rlpx.ErrBadSnappy),
		errors.Is(err, rlpx.ErrMessageTooLarge):
		return newProtoError(err, "bad frame")
	// A frame whose MAC does not check is a network error, as in
	// go-ethereum: bits flipped on the way cannot be told from an
	// attacker's, and a network's faults must not count against a peer
	// (see reputation.go). The connection is dead either way.
	default:
		return fmt.Errorf("%w: %w", DiscNetworkError, err)
	}
}

// handle dispatches one message. Base protocol messages are handled here;
// the rest go to the queue of the protocol whose code range holds them.
// now is when the message arrived.
func (p *Peer) handle(code uint64, data []byte, wireSize int, now time.Time) error {
	p.t.total.received(code, wireSize)
	if code < baseProtocolLength {
		base := &p.srv.stats.base
		base.received(code, wireSize)
		switch code {
		case pingMsg:
			return p.t.writeCounted(0, pongMsg, emptyList, base)
		case pongMsg:
			if sent := p.pingSent.Swap(0); sent != 0 {
				p.rtt.Store(now.UnixNano() - sent)
			}
			return nil
		case discMsg:
			return &RemoteDisconnectError{decodeDisconnect(data)}
		case handshakeMsg:
			return newProtoError(DiscProtocolError, "second hello")
		default:
			return nil // other base protocol codes are reserved: ignore them
		}
	}
	rw := p.protoFor(code)
	if rw == nil {
		return newProtoError(ErrInvalidMsgCode, "message code %#x outside every protocol's range", code)
	}
	msg := Msg{
		Code:       code - rw.offset,
		Size:       uint32(len(data)),
		Payload:    copyPayload(data),
		ReceivedAt: now,
	}
	rw.traffic.received(msg.Code, wireSize)
	if p.bw != nil && !p.bw.wait(0, len(data), p.stopping, p.bwIn.total, p.bwIn.peer, rw.bwIn()) {
		return p.stopErr
	}
	if !rw.q.push(msg, p.stopping) {
		return p.stopErr
	}
	return nil
}

func (p *Peer) protoFor(code uint64) *protoRW {
	for _, rw := range p.protos {
		if code >= rw.offset && code < rw.offset+rw.Length {
			return rw
		}
	}
	return nil
}

func (p *Peer) ping() {
	select {
	case <-p.stopping:
		return
	default:
	}
	for _, rw := range p.protos {
		rw.q.trim()
	}
	sent := time.Now().UnixNano()
	if p.t.writeCounted(0, pingMsg, emptyList, &p.srv.stats.base) == nil {
		p.pingSent.CompareAndSwap(0, sent)
		if t := p.pingTimer.Load(); t != nil {
			t.Reset(pingInterval)
		}
	}
}

// runProtocol is a protocol's goroutine. Like reader it is kept shallow,
// since an idle peer's protocol usually parks in ReadMsg below it.
func (p *Peer) runProtocol(rw *protoRW) {
	p.protocolEnded(rw, rw.Run(p, p.protocolRW(rw)))
}

// protocolRW returns what the protocol's Run reads and writes through.
func (p *Peer) protocolRW(rw *protoRW) MsgReadWriter {
	if p.srv.EnableMsgEvents {
		return &msgEventer{MsgReadWriter: rw, peer: p, proto: rw.Name}
	}
	return rw
}

// protocolEnded stops the peer after a protocol's Run returned err.
func (p *Peer) protocolEnded(rw *protoRW, err error) {
	defer p.protoWG.Done()
	if err == nil {
		err = ErrProtocolReturned
	} else if !errors.Is(err, io.EOF) {
		p.logger().Debug("Protocol failed", "proto", rw.Name, "err", err)
	}
	p.stop(err)
}

// protoRW is what a protocol's Run reads and writes through.
type protoRW struct {
	*Protocol // an element of the Server's Protocols
	offset    uint64
	peer      *Peer
	q         *msgQueue
	traffic   *trafficCounters // the protocol's, in the server's Stats
	bw        *protoBuckets    // the protocol's bandwidth budgets, nil if none
}

func (rw *protoRW) bwIn() *bucket {
	if rw.bw == nil {
		return nil
	}
	return rw.bw.in
}

func (rw *protoRW) bwOut() *bucket {
	if rw.bw == nil {
		return nil
	}
	return rw.bw.out
}

// ReadMsg returns the protocol's next message. After the peer
// disconnected it returns io.EOF.
func (rw *protoRW) ReadMsg() (msg Msg, err error) {
	err = rw.q.pop(&msg)
	return msg, err
}

// WriteMsg sends a message of the protocol.
func (rw *protoRW) WriteMsg(msg Msg) error {
	if msg.Code >= rw.Length {
		return fmt.Errorf("%w: code %d, protocol %s has %d", ErrInvalidMsgCode, msg.Code, rw.Name, rw.Length)
	}
	select {
	case <-rw.peer.stopping:
		return io.EOF
	default:
	}
	buf, release, err := readPayload(msg)
	if err != nil {
		return err
	}
	if p := rw.peer; p.bw != nil && !p.bw.wait(1, len(buf), p.stopping, p.bwOut.total, p.bwOut.peer, rw.bwOut()) {
		release()
		return io.EOF
	}
	err = rw.peer.t.writeCounted(rw.offset, msg.Code, buf, rw.traffic)
	release()
	return err
}

// MaxMessageSize is the largest message payload a peer can send: what one
// RLPx frame holds, less the message code and framing. WriteMsg refuses
// larger messages.
const MaxMessageSize = 1<<24 - 1 - 9

// readPayload returns msg's payload as bytes and a function to call when
// they are no longer needed. Payloads made by this package are used as
// they are; others are read into a pooled buffer.
func readPayload(msg Msg) ([]byte, func(), error) {
	if msg.Size > MaxMessageSize {
		return nil, nil, fmt.Errorf("p2p: message of %d bytes is over the limit", msg.Size)
	}
	if msg.Payload == nil {
		return nil, func() {}, nil
	}
	if r, ok := msg.Payload.(*payloadReader); ok && r.Len() == int(msg.Size) {
		b, release := r.take()
		return b, release, nil
	}
	bufp := getPayloadBuf(int(msg.Size))
	buf := (*bufp)[:msg.Size]
	if _, err := io.ReadFull(msg.Payload, buf); err != nil {
		putPayloadBuf(bufp)
		return nil, nil, fmt.Errorf("p2p: reading message payload: %w", err)
	}
	return buf, func() { putPayloadBuf(bufp) }, nil
}
