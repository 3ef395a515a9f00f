package dnsdisc

import (
	"context"
	"math"
	"sync"
	"time"
)

// limiter is a token bucket: it holds up to burst tokens and gains rate
// tokens per second; wait takes one, waiting for it if need be. Waiters
// reserve their token at once (the count may go negative), so they are
// served in the order they came.
type limiter struct {
	rate  float64 // tokens per second; +Inf: no limit
	burst float64

	mu     sync.Mutex // guards the fields below
	tokens float64
	last   time.Time // when tokens was last brought up to date
}

func newLimiter(rate float64, burst int) *limiter {
	return &limiter{rate: rate, burst: float64(burst), tokens: float64(burst)}
}

// wait takes a token, returning early with ctx's error if ctx ends first.
func (l *limiter) wait(ctx context.Context) error {
	if math.IsInf(l.rate, 1) {
		return ctx.Err()
	}
	l.mu.Lock()
	now := time.Now()
	if !l.last.IsZero() {
		l.tokens = min(l.burst, l.tokens+now.Sub(l.last).Seconds()*l.rate)
	}
	l.last = now
	l.tokens--
	deficit := -l.tokens
	l.mu.Unlock()
	if deficit <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(time.Duration(deficit / l.rate * float64(time.Second)))
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		l.mu.Lock()
		l.tokens++ // the reservation is not used
		l.mu.Unlock()
		return ctx.Err()
	}
}
