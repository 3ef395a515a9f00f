package p2p

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seednet/p2p/rlpx"
)

// transport is a peer's RLPx connection after the Hello exchange: one
// reader (the peer's read loop) and any number of writers.
//
// Writes are batched without a writer goroutine per peer: a write
// encrypts its message into the connection's buffer and, unless a flush is
// already on its way, starts a short-lived goroutine that flushes. Messages
// written while that goroutine is being scheduled or while it waits for the
// lock go out in the same system call. The first message after a quiet
// spell (a request, a reply) is flushed by its writer at once, which saves
// a goroutine's wake-up in latency. An idle peer has no writer goroutine
// at all.
type transport struct {
	conn  *rlpx.Conn
	total trafficCounters // every message, for Peer.Traffic

	// Write side, guarded by wlock: a one-slot channel used as a mutex.
	// A writer can hold it through a blocking socket write; goroutines that
	// wait for it then block on a channel, which testing/synctest counts as
	// durably blocked (a sync.Mutex it does not), so the write timeout can
	// be tested with a fake clock.
	wlock      chan struct{}
	flushing   bool           // a flush goroutine is scheduled
	werr       error          // the first write error; the connection is dead then
	closed     bool           // shutdown began: no more goroutines are started
	wg         sync.WaitGroup // the goroutines started by writes; Add under wlock
	wdeadline  time.Time      // the write deadline last set
	lastWrite  time.Time      // when the last batch began
	onWriteErr func(error)

	// stopBy, once set (Unix nanoseconds), is the latest write deadline:
	// the peer is stopping, and a writer blocked on a peer that does not
	// read must give up by then. Set without the lock, which such a
	// writer holds.
	stopBy atomic.Int64

	// Read side, used only by the read loop.
	rdeadline time.Time
}

func (t *transport) lock()   { t.wlock <- struct{}{} }
func (t *transport) unlock() { <-t.wlock }

// deadlineSlack is how stale a deadline may get before it is set again:
// setting it on every message would cost more than the messages.
const deadlineSlack = time.Second

// writeCounted queues one message, counts it in traffic, and makes sure a
// flush follows. code is the message's code within its protocol, whose
// codes start at offset.
func (t *transport) writeCounted(offset, code uint64, payload []byte, traffic *trafficCounters) error {
	t.lock()
	defer t.unlock()
	if t.werr != nil {
		return t.werr
	}
	if t.flushing {
		// A flush is on its way and will take this message along.
		n, err := t.conn.WriteBuffered(offset+code, payload)
		if err != nil {
			return t.failLocked(err)
		}
		traffic.sent(code, n)
		t.total.sent(code, n)
		return nil
	}
	// The first write of a batch: the deadline may be stale. Later writes
	// of the batch come right after it.
	now := time.Now()
	t.refreshWriteDeadlineLocked(now)
	quiet := now.Sub(t.lastWrite) >= inlineFlushQuiet
	t.lastWrite = now
	n, err := t.conn.WriteBuffered(offset+code, payload)
	if err != nil {
		return t.failLocked(err)
	}
	traffic.sent(code, n)
	t.total.sent(code, n)
	if quiet {
		// A message after a quiet spell, a request or a reply most
		// likely: send it now rather than hand it to a goroutine, which
		// would cost its wake-up in latency and batch nothing.
		if err := t.conn.Flush(); err != nil {
			return t.failLocked(err)
		}
		return nil
	}
	t.flushing = true
	t.goLocked(t.flush)
	return nil
}

// inlineFlushQuiet is how long a connection must have gone without a new
// batch for a write to be flushed by the writer itself. Streams of
// messages come faster than this and are batched by flush goroutines.
const inlineFlushQuiet = 10 * time.Microsecond

// goLocked starts f in a goroutine that shutdown waits for, unless shutdown
// has begun.
func (t *transport) goLocked(f func()) {
	if t.closed {
		return
	}
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		f()
	}()
}

// shutdown waits for the goroutines that writes started (flushes, the
// write-error callback). The connection must be closed and no more
// protocol writes may come.
func (t *transport) shutdown() {
	t.lock()
	t.closed = true
	t.unlock()
	t.wg.Wait()
}

func (t *transport) flush() {
	t.lock()
	defer t.unlock()
	t.flushing = false
	if t.werr != nil {
		return
	}
	t.refreshWriteDeadlineLocked(time.Now())
	if err := t.conn.Flush(); err != nil {
		t.failLocked(err)
	}
}

// writeNow sends one message and flushes before returning, with the given
// timeout. It is for the Disconnect message.
// It returns the payload's size on the wire.
func (t *transport) writeNow(code uint64, payload []byte, timeout time.Duration) (uint32, error) {
	t.lock()
	defer t.unlock()
	if t.werr != nil {
		return 0, t.werr
	}
	t.setWriteDeadlineLocked(time.Now().Add(timeout))
	n, err := t.conn.Write(code, payload)
	if err != nil {
		return 0, t.failLocked(err)
	}
	return n, nil
}

func (t *transport) refreshWriteDeadlineLocked(now time.Time) {
	if now.Add(frameWriteTimeout).Sub(t.wdeadline) > deadlineSlack {
		t.setWriteDeadlineLocked(now.Add(frameWriteTimeout))
	}
}

// setWriteDeadlineLocked sets the write deadline d, or stopBy if that is
// earlier. stopBy is read again after the deadline was set, so a stop that
// lands in between is not overwritten.
func (t *transport) setWriteDeadlineLocked(d time.Time) {
	if s := t.stopBy.Load(); s != 0 && d.UnixNano() > s {
		d = time.Unix(0, s)
	}
	t.wdeadline = d
	t.conn.SetWriteDeadline(d)
	if s := t.stopBy.Load(); s != 0 && d.UnixNano() > s {
		t.wdeadline = time.Unix(0, s)
		t.conn.SetWriteDeadline(t.wdeadline)
	}
}

// limitWrites makes every write, the one blocked now included, fail after
// d. It is called once, when the peer stops, from any goroutine.
func (t *transport) limitWrites(d time.Time) {
	t.stopBy.Store(d.UnixNano())
	t.conn.SetWriteDeadline(d)
}

// failLocked records a write error. It is wrapped in DiscNetworkError: a
// protocol that returns it ends the peer as a network failure, and no
// Disconnect is attempted on the broken connection.
func (t *transport) failLocked(err error) error {
	if t.werr == nil {
		err = fmt.Errorf("%w: write: %w", DiscNetworkError, err)
		t.werr = err
		if t.onWriteErr != nil {
			t.goLocked(func() { t.onWriteErr(err) })
		}
	}
	return t.werr
}

// armReadDeadline pushes the read deadline forward before a read.
func (t *transport) armReadDeadline(now time.Time) {
	if now.Add(frameReadTimeout).Sub(t.rdeadline) > deadlineSlack {
		t.rdeadline = now.Add(frameReadTimeout)
		t.conn.SetReadDeadline(t.rdeadline)
	}
}
