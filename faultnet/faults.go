package faultnet

import (
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// Errors returned by wrappers after a fault they injected.
var (
	// ErrReset is returned by the calls of a Conn that an injected reset
	// (ResetAfter) ended.
	ErrReset = errors.New("faultnet: connection reset (injected)")
	// ErrTruncated is returned by writes on a Conn that an injected
	// truncation (Truncate, TruncateAfter) closed.
	ErrTruncated = errors.New("faultnet: connection truncated (injected)")
)

// Config configures a wrapper.
type Config struct {
	// Seed seeds the random choices. Two wrappers with the same Seed and
	// Faults that see the same calls make the same choices.
	Seed uint64

	// Write are the faults applied to what this side sends; Read those
	// applied to what it receives. The zero value injects nothing.
	Write, Read Faults
}

// Faults are the faults of one direction of a connection. The zero value
// injects none. Probabilities are between 0 (never) and 1 (always).
type Faults struct {
	// Skip lets the first Skip Write or Read calls (stream) or packets
	// through untouched, and not delayed: a test can let a handshake of
	// known shape pass and break what follows. The stream offsets of
	// CorruptAt, TruncateAfter and ResetAfter count from the first call
	// after them. Zero means none.
	Skip int

	// Delay is added to every Write or Read call (stream) or packet.
	// Zero means none.
	Delay time.Duration
	// Jitter adds a random extra delay, uniform in [0, Jitter).
	// Zero means none.
	Jitter time.Duration
	// BytesPerSecond limits the rate of the direction: each call or
	// packet waits until the bytes before it would have gone through at
	// that rate. Zero means no limit.
	BytesPerSecond int

	// Corrupt is the probability that a Write or Read call (stream) or a
	// packet gets one random bit flipped.
	Corrupt float64
	// CorruptAt are offsets of bytes that get their lowest bit flipped:
	// in the direction's byte stream (stream) or in each packet. Nil means
	// none.
	CorruptAt []int64

	// Truncate is the probability that a call or packet is cut short at
	// a random length. A stream is then closed (FIN): what followed would
	// be meaningless.
	Truncate float64
	// TruncateAfter closes a stream (FIN) once that many bytes have
	// passed in this direction. Zero means never. Not used on packets.
	TruncateAfter int64
	// ResetAfter resets a stream (RST on a TCP connection) once that many
	// bytes have passed in this direction. Zero means never. Not used on
	// packets.
	ResetAfter int64

	// Drop is the probability that a packet is lost. Not used on streams.
	Drop float64
	// Duplicate is the probability that a packet is delivered twice. Not
	// used on streams.
	Duplicate float64
	// Reorder is the probability that a packet is held back and delivered
	// after the next one (a written packet: at most 50 ms after it was
	// due, if no other comes; a received one: when the next arrives). Not
	// used on streams.
	Reorder float64
}

// Stats counts the faults a wrapper injected.
type Stats struct {
	Delayed    uint64 // calls or packets delayed (Delay, Jitter or the rate limit)
	Corrupted  uint64 // bits flipped
	Truncated  uint64 // calls or packets cut short, streams closed by TruncateAfter
	Resets     uint64 // streams reset
	Dropped    uint64 // packets lost
	Duplicated uint64 // packets delivered twice
	Reordered  uint64 // packets held back behind the next one
	Bytes      uint64 // bytes that went through, both directions
}

// Total is the number of faults injected, Bytes aside.
func (s Stats) Total() uint64 {
	return s.Delayed + s.Corrupted + s.Truncated + s.Resets + s.Dropped + s.Duplicated + s.Reordered
}

// counters are the atomic form of Stats. A wrapper adds to its own and to
// those of the Listener or Dialer that made it.
type counters struct {
	delayed, corrupted, truncated, resets, dropped, duplicated, reordered, bytes atomic.Uint64
}

func (c *counters) snapshot() Stats {
	return Stats{
		Delayed:    c.delayed.Load(),
		Corrupted:  c.corrupted.Load(),
		Truncated:  c.truncated.Load(),
		Resets:     c.resets.Load(),
		Dropped:    c.dropped.Load(),
		Duplicated: c.duplicated.Load(),
		Reordered:  c.reordered.Load(),
		Bytes:      c.bytes.Load(),
	}
}

// sinks is the list of counters a wrapper adds to.
type sinks []*counters

func (s sinks) add(field func(*counters) *atomic.Uint64, n uint64) {
	if n == 0 {
		return
	}
	for _, c := range s {
		field(c).Add(n)
	}
}

func delayed(c *counters) *atomic.Uint64    { return &c.delayed }
func corrupted(c *counters) *atomic.Uint64  { return &c.corrupted }
func truncated(c *counters) *atomic.Uint64  { return &c.truncated }
func resets(c *counters) *atomic.Uint64     { return &c.resets }
func dropped(c *counters) *atomic.Uint64    { return &c.dropped }
func duplicated(c *counters) *atomic.Uint64 { return &c.duplicated }
func reordered(c *counters) *atomic.Uint64  { return &c.reordered }
func bytesCount(c *counters) *atomic.Uint64 { return &c.bytes }

// direction is the state of one direction of a wrapper.
type direction struct {
	mu       sync.Mutex // guards the fields below
	f        Faults
	rng      *rand.Rand
	offset   int64     // stream bytes passed so far, after the skipped calls
	calls    int       // calls or packets seen, up to f.Skip
	rateNext time.Time // when the rate limit lets the next bytes through
}

func newDirection(f Faults, seed, stream uint64) *direction {
	return &direction{f: f, rng: rand.New(rand.NewPCG(seed, stream))}
}

// set replaces the faults; stream offsets count from here.
func (d *direction) set(f Faults) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.f = f
	d.offset = 0
	d.calls = 0
	d.rateNext = time.Time{}
}

// skipLocked reports whether this call or packet is one of the first
// f.Skip, to let through.
func (d *direction) skipLocked() bool {
	if d.calls < d.f.Skip {
		d.calls++
		return true
	}
	return false
}

// chance reports whether an event of probability p happens.
func (d *direction) chanceLocked(p float64) bool {
	return p > 0 && (p >= 1 || d.rng.Float64() < p)
}

// waitLocked returns how long a call or packet of n bytes waits: the
// delay, the jitter and the rate limit.
func (d *direction) waitLocked(n int, now time.Time) time.Duration {
	w := d.f.Delay
	if d.f.Jitter > 0 {
		w += time.Duration(d.rng.Int64N(int64(d.f.Jitter)))
	}
	if d.f.BytesPerSecond > 0 {
		if d.rateNext.Before(now) {
			d.rateNext = now
		}
		start := d.rateNext
		d.rateNext = d.rateNext.Add(time.Duration(int64(n) * int64(time.Second) / int64(d.f.BytesPerSecond)))
		if r := start.Sub(now); r > 0 {
			w += r
		}
	}
	return w
}

// corruptLocked flips bits of b, which starts at offset base (of the
// stream; 0 for a packet). It returns the number of bits flipped.
func (d *direction) corruptLocked(b []byte, base int64) uint64 {
	var n uint64
	for _, off := range d.f.CorruptAt {
		if off >= base && off < base+int64(len(b)) {
			b[off-base] ^= 1
			n++
		}
	}
	if len(b) > 0 && d.chanceLocked(d.f.Corrupt) {
		i := d.rng.IntN(len(b))
		b[i] ^= 1 << d.rng.IntN(8)
		n++
	}
	return n
}

// cutLocked returns how many of the n bytes at the current stream offset
// may pass, and the fault that ends the stream there, if any: errReset,
// errTruncated or nil.
func (d *direction) cutLocked(n int) (int, error) {
	end := d.offset + int64(n)
	if r := d.f.ResetAfter; r > 0 && end >= r {
		return int(max(r-d.offset, 0)), ErrReset
	}
	if t := d.f.TruncateAfter; t > 0 && end >= t {
		return int(max(t-d.offset, 0)), ErrTruncated
	}
	if n > 0 && d.chanceLocked(d.f.Truncate) {
		return d.rng.IntN(n), ErrTruncated
	}
	return n, nil
}

// sleep waits for d, or until deadline (an error wrapping
// os.ErrDeadlineExceeded), or until done is closed (net.ErrClosed).
func sleep(d time.Duration, deadline time.Time, done <-chan struct{}) error {
	if d <= 0 {
		return nil
	}
	var err error
	if !deadline.IsZero() {
		if left := time.Until(deadline); left < d {
			d, err = max(left, 0), errDeadline
		}
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return err
	case <-done:
		return errClosed
	}
}
