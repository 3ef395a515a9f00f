package p2p

import (
	"sync"
	"time"
)

// Bandwidth budgets, off by default: Server.Bandwidth sets token buckets
// for the whole server, for each peer and for each protocol (over all
// peers), inbound and outbound, in message payload bytes per second
// (before compression).
//
// Outbound, a protocol's WriteMsg takes its message's bytes from the
// buckets that apply (its protocol's, its peer's, the server's) and waits
// until they have them. Waits are turns in arrival order, so protocols
// that share a bucket take turns message by message: one that floods
// cannot keep another out. Only the writing protocol waits; the base
// protocol (pings, Disconnect) is never held.
//
// Inbound, the peer's read loop takes each message's bytes from the
// server's and the peer's buckets, and from the protocol's, after reading
// it; while it waits it does not read, and TCP's flow control slows the
// sender. So an inbound budget holds all the protocols of a peer alike.
//
// A bucket holds up to one second of its rate (at least 64 KiB), so bursts
// of that size pass at once. Waits are counted in Stats (BandwidthWaitsIn,
// BandwidthWaitsOut, and the time waited in BandwidthWaitedIn and Out) and
// in the metrics p2p_bandwidth_waits_total and
// p2p_bandwidth_wait_seconds_total, by direction.

// Bandwidth holds the budgets of a Server. Zero rates mean no limit.
type Bandwidth struct {
	Total    Rate            // the whole server
	Peer     Rate            // each peer
	Protocol map[string]Rate // each protocol by name, over all peers
}

// Rate is a budget in each direction, in bytes per second; zero means no
// limit.
type Rate struct {
	In, Out int
}

func (b Bandwidth) on() bool {
	if b.Total != (Rate{}) || b.Peer != (Rate{}) {
		return true
	}
	for _, r := range b.Protocol {
		if r != (Rate{}) {
			return true
		}
	}
	return false
}

// minBurst is the smallest bucket.
const minBurst = 64 << 10

// bucket is a token bucket that lends: a taker gets its tokens at once and
// is told how long to wait before using them, which is how long the
// bucket needs to earn back its debt. Takers are thereby served in the
// order they came.
type bucket struct {
	rate  float64 // tokens (bytes) per second
	burst float64

	mu     sync.Mutex
	tokens float64
	last   time.Time
}

// newBucket returns a bucket of rate bytes per second, nil for rate 0.
func newBucket(rate int) *bucket {
	if rate <= 0 {
		return nil
	}
	burst := max(float64(rate), minBurst)
	return &bucket{rate: float64(rate), burst: burst, tokens: burst}
}

// take takes n tokens at now and returns how long to wait.
func (b *bucket) take(n int, now time.Time) time.Duration {
	if b == nil {
		return 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.last.IsZero() {
		b.tokens = min(b.burst, b.tokens+b.rate*now.Sub(b.last).Seconds())
	}
	b.last = now
	b.tokens -= float64(n)
	if b.tokens >= 0 {
		return 0
	}
	return time.Duration(-b.tokens / b.rate * float64(time.Second))
}

// budget is a peer's buckets of one direction: its own, and the ones it
// shares with the server.
type budget struct {
	total, peer *bucket
}

// protoBuckets are a protocol's buckets, shared by every peer.
type protoBuckets struct {
	in, out *bucket
}

// bandwidth is the running server's buckets.
type bandwidth struct {
	totalIn, totalOut *bucket
	protocols         map[string]*protoBuckets
	peerIn, peerOut   int
	stats             *serverStats
}

func newBandwidth(b Bandwidth, stats *serverStats) *bandwidth {
	if !b.on() {
		return nil
	}
	bw := &bandwidth{
		totalIn: newBucket(b.Total.In), totalOut: newBucket(b.Total.Out),
		peerIn: b.Peer.In, peerOut: b.Peer.Out,
		protocols: make(map[string]*protoBuckets), stats: stats,
	}
	for name, r := range b.Protocol {
		bw.protocols[name] = &protoBuckets{in: newBucket(r.In), out: newBucket(r.Out)}
	}
	return bw
}

// peerBudgets returns a new peer's budgets, nil when there are none.
func (bw *bandwidth) peerBudgets() (in, out *budget) {
	if bw == nil {
		return nil, nil
	}
	return &budget{bw.totalIn, newBucket(bw.peerIn)}, &budget{bw.totalOut, newBucket(bw.peerOut)}
}

// protocol returns the buckets of the named protocol, nil when it has
// none.
func (bw *bandwidth) protocol(name string) *protoBuckets {
	if bw == nil {
		return nil
	}
	return bw.protocols[name]
}

// wait takes n bytes from the buckets and sleeps until they are paid,
// or until stop is closed (then it returns false). dir is 0 for in, 1 for
// out.
func (bw *bandwidth) wait(dir int, n int, stop <-chan struct{}, buckets ...*bucket) bool {
	now := time.Now()
	var d time.Duration
	for _, b := range buckets {
		d = max(d, b.take(n, now))
	}
	if d <= 0 {
		return true
	}
	bw.stats.bwWaits[dir].Add(1)
	bw.stats.bwWaitNanos[dir].Add(uint64(d))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-stop:
		return false
	}
}
