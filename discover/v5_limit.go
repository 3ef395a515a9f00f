package discover

import (
	"net/netip"
	"time"
)

// Bounds of discovery v5's state, documented in doc.go.
const (
	// WHOAREYOU rate: per source IP and over all sources, in packets per
	// second, with bursts of up to the given number.
	whoareyouIPRate    = 16
	whoareyouIPBurst   = 64
	whoareyouRate      = 512
	whoareyouBurst     = 1024
	maxWhoareyouIPs    = 4096 // source IPs tracked by the WHOAREYOU limiter
	maxActiveTalk      = 128  // TALKREQ handlers running at once
	maxActiveTalkPerIP = 16   // of them, for requests from one IP
	maxCalls           = 2048 // our requests queued or waiting for replies
	maxCallsPerNode    = 32   // of them, to one node
	maxCallsPerIP      = 256  // of them, to one IP
	maxRecordUpdates   = 16   // record fetches after a PING announced a newer one

	// maxFindnodeDistances is the most distances a FINDNODE may ask for;
	// go-ethereum asks for 3, its test suite for up to 5.
	maxFindnodeDistances = 16
	// findnodeResultLimit is the most nodes a FINDNODE is answered with.
	findnodeResultLimit = bucketSize
	// totalNodesResponseLimit is the most NODES packets we accept in
	// answer to one FINDNODE, whatever total they announce.
	totalNodesResponseLimit = 5
	// lookupRequestLimit is the number of distances a lookup asks each
	// node for.
	lookupRequestLimit = 3
	// nodesSizeLimit is the most record bytes in one NODES packet: with
	// the packet's other fields (at most 111 bytes) it stays under 1280.
	nodesSizeLimit = 1000
)

// tokenBucket holds up to burst tokens, refilled at rate per second.
type tokenBucket struct {
	tokens float64
	last   time.Time
}

func (b *tokenBucket) refill(now time.Time, rate, burst float64) {
	if d := now.Sub(b.last).Seconds(); d > 0 {
		b.tokens = min(burst, b.tokens+d*rate)
	}
	b.last = now
}

// rateLimiter limits events per source IP and over all sources with token
// buckets. It tracks at most maxIPs IPs: when it is full, IPs whose bucket
// has refilled are forgotten, and if none has, an event from a new IP is
// refused. It is not safe for concurrent use.
type rateLimiter struct {
	ipRate, ipBurst       float64
	totalRate, totalBurst float64
	maxIPs                int

	total tokenBucket
	ips   map[netip.Addr]*tokenBucket
}

func newRateLimiter(ipRate, ipBurst, totalRate, totalBurst float64, maxIPs int) *rateLimiter {
	return &rateLimiter{
		ipRate: ipRate, ipBurst: ipBurst,
		totalRate: totalRate, totalBurst: totalBurst,
		maxIPs: maxIPs,
		total:  tokenBucket{tokens: totalBurst},
		ips:    make(map[netip.Addr]*tokenBucket),
	}
}

// allow reports whether an event from ip at now is within the rates, and
// counts it if so.
func (l *rateLimiter) allow(ip netip.Addr, now time.Time) bool {
	if l.total.last.IsZero() {
		l.total.last = now
	}
	l.total.refill(now, l.totalRate, l.totalBurst)
	if l.total.tokens < 1 {
		return false
	}
	b := l.ips[ip]
	if b == nil {
		if len(l.ips) >= l.maxIPs && !l.sweep(now) {
			return false
		}
		b = &tokenBucket{tokens: l.ipBurst, last: now}
		l.ips[ip] = b
	}
	b.refill(now, l.ipRate, l.ipBurst)
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	l.total.tokens--
	return true
}

// sweep forgets the IPs whose buckets are full again, and reports whether
// there is room now.
func (l *rateLimiter) sweep(now time.Time) bool {
	for ip, b := range l.ips {
		b.refill(now, l.ipRate, l.ipBurst)
		if b.tokens >= l.ipBurst {
			delete(l.ips, ip)
		}
	}
	return len(l.ips) < l.maxIPs
}
