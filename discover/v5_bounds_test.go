package discover

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/seednet/p2p/discover/v5wire"
	"github.com/seednet/p2p/enode"
)

// TestV5TalkFlood: TALKREQs beyond the handler slots of an IP, and of all
// IPs, are dropped and counted; the others are answered once the handlers
// return.
func TestV5TalkFlood(t *testing.T) {
	node := startV5(t, "127.0.0.1", quiet)
	release := make(chan struct{})
	var running, most int
	var mu sync.Mutex
	node.RegisterTalkHandler("slow", func(n *enode.Node, addr *net.UDPAddr, msg []byte) []byte {
		mu.Lock()
		running++
		most = max(most, running)
		mu.Unlock()
		<-release
		mu.Lock()
		running--
		mu.Unlock()
		return msg
	})
	// Nine IPs: eight fill the total, the ninth finds no slot.
	const extra = 5
	var testers []*v5tester
	for i := range maxActiveTalk/maxActiveTalkPerIP + 1 {
		te := newV5Tester(t, fmt.Sprintf("127.0.0.%d", i+2), node)
		te.handshake()
		testers = append(testers, te)
	}
	sent := 0
	for i, te := range testers {
		n := maxActiveTalkPerIP
		if i == 0 {
			n += extra // over the limit of its IP
		}
		for j := range n {
			te.write(&v5wire.TalkRequest{ReqID: []byte{byte(j)}, Protocol: "slow", Message: []byte{byte(j)}}, nil)
			sent++
		}
	}
	wantDropped := uint64(extra + maxActiveTalkPerIP) // the first tester's extra, the last tester's all
	waitV5Stats(t, node, func(s V5Stats) bool { return s.TalkOverload == wantDropped })
	close(release)
	// The first tester's requests that got a slot are answered.
	for range maxActiveTalkPerIP {
		testers[0].expect(v5wire.TalkResponseMsg)
	}
	testers[len(testers)-1].expectNone()
	mu.Lock()
	defer mu.Unlock()
	if most > maxActiveTalk {
		t.Fatalf("%d handlers ran at once, limit %d", most, maxActiveTalk)
	}
}

// TestV5WhoareyouRateLimit: a source that keeps sending packets without a
// session gets at most a burst of WHOAREYOUs, then a trickle.
func TestV5WhoareyouRateLimit(t *testing.T) {
	node := startV5(t, "127.0.0.1", quiet)
	te := newV5Tester(t, "127.0.0.2", node)
	const n = 2 * whoareyouIPBurst
	for i := range n {
		te.write(&v5wire.Ping{ReqID: []byte{byte(i)}}, nil)
	}
	s := waitV5Stats(t, node, func(s V5Stats) bool { return s.UnknownSession == n && s.RateLimited+s.WhoareyouSent == n })
	got := 0
	for {
		if _, _, err := te.read(200 * time.Millisecond); err != nil {
			break
		}
		got++
	}
	// The burst, plus what refilled while the packets came in.
	if got < whoareyouIPBurst || got > whoareyouIPBurst+whoareyouIPRate {
		t.Fatalf("got %d WHOAREYOUs for %d packets; stats %+v", got, n, s)
	}
	if s.RateLimited != uint64(n-got) {
		t.Fatalf("RateLimited %d, want %d", s.RateLimited, n-got)
	}
}

// TestRateLimiter checks the limiter on a fake clock.
func TestRateLimiter(t *testing.T) {
	t0 := time.Unix(1000, 0)
	ip := func(i int) netip.Addr { return netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)}) }
	tests := []struct {
		name string
		run  func(l *rateLimiter) (allowed int)
		want int
	}{
		{"burst of one IP", func(l *rateLimiter) int {
			n := 0
			for range 100 {
				if l.allow(ip(1), t0) {
					n++
				}
			}
			return n
		}, 10},
		{"refill of one IP", func(l *rateLimiter) int {
			n := 0
			for i := range 100 {
				if l.allow(ip(1), t0.Add(time.Duration(i)*100*time.Millisecond)) {
					n++
				}
			}
			return n // 10 at once, then 2 per second for 9.9 s
		}, 10 + 19},
		{"total over many IPs", func(l *rateLimiter) int {
			n := 0
			for i := range 50 {
				if l.allow(ip(i), t0) {
					n++
				}
			}
			return n
		}, 40},
		{"tracked IPs are bounded", func(l *rateLimiter) int {
			n := 0
			for i := range 8 {
				if l.allow(ip(i), t0) {
					n++
				}
			}
			if len(l.ips) != 4 {
				return -len(l.ips)
			}
			// Once the first have refilled, new IPs get in.
			if l.allow(ip(100), t0.Add(time.Minute)) {
				n++
			}
			return n
		}, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			maxIPs := 1000
			if tt.name == "tracked IPs are bounded" {
				maxIPs = 4
			}
			l := newRateLimiter(2, 10, 5, 40, maxIPs)
			if got := tt.run(l); got != tt.want {
				t.Fatalf("allowed %d, want %d", got, tt.want)
			}
		})
	}
}

// TestV5CallBounds: calls to one node beyond maxCallsPerNode are refused.
func TestV5CallBounds(t *testing.T) {
	node := startV5(t, "127.0.0.1", func(c *Config) {
		quiet(c)
		c.V5RespTimeout = 50 * time.Millisecond
	})
	dead := newV5Tester(t, "127.0.0.2", node).self() // never answers
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		refused int
	)
	for range maxCallsPerNode + 3 {
		wg.Go(func() {
			_, err := node.Ping(dead)
			if errors.Is(err, ErrTooManyCalls) {
				mu.Lock()
				refused++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if refused < 3 {
		t.Fatalf("%d calls refused, want at least 3", refused)
	}
	node.mu.Lock()
	defer node.mu.Unlock()
	if c := node.calls; c.count != 0 || len(c.byNode)+len(c.byNonce)+len(c.queue)+len(c.perNode)+len(c.perIP) != 0 {
		t.Fatalf("call table not empty after all calls ended: %+v", c)
	}
}
