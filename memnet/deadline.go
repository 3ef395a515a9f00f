// Copyright the seednet/p2p authors. Licensed under the Apache License 2.0.

package memnet

import (
	"sync"
	"time"
)

// deadline is a read or write deadline: a channel that is closed when it
// passes. The zero value has no deadline.
type deadline struct {
	mu    sync.Mutex
	gen   uint64 // counts set calls, so that a stale timer does nothing
	timer *time.Timer
	c     chan struct{}
}

// set moves the deadline to t; the zero t removes it.
func (d *deadline) set(t time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.gen++
	if d.timer != nil {
		d.timer.Stop()
		d.timer = nil
	}
	if d.c == nil || isClosed(d.c) {
		d.c = make(chan struct{})
	}
	if t.IsZero() {
		return
	}
	dur := time.Until(t)
	if dur <= 0 {
		close(d.c)
		return
	}
	gen, c := d.gen, d.c
	d.timer = time.AfterFunc(dur, func() {
		d.mu.Lock()
		if d.gen == gen {
			close(c)
			d.timer = nil
		}
		d.mu.Unlock()
	})
}

// wait returns a channel that is closed once the deadline has passed.
func (d *deadline) wait() <-chan struct{} {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.c == nil {
		d.c = make(chan struct{})
	}
	return d.c
}

// stop stops the timer, for Close.
func (d *deadline) stop() {
	d.mu.Lock()
	d.gen++
	if d.timer != nil {
		d.timer.Stop()
		d.timer = nil
	}
	d.mu.Unlock()
}

func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// notifier wakes the goroutines waiting for a change of state. The
// channel is made when someone waits and closed by broadcast.
type notifier struct{ c chan struct{} }

// waitChan returns the channel to wait on; call it with the state's lock held.
func (n *notifier) waitChan() <-chan struct{} {
	if n.c == nil {
		n.c = make(chan struct{})
	}
	return n.c
}

// broadcast wakes every waiter; call it with the state's lock held.
func (n *notifier) broadcast() {
	if n.c != nil {
		close(n.c)
		n.c = nil
	}
}

// sleepUntil returns a channel that fires at t, and a function that stops
// its timer. A zero t never fires.
func sleepUntil(t time.Time) (<-chan time.Time, func() bool) {
	if t.IsZero() {
		return nil, func() bool { return false }
	}
	tm := time.NewTimer(time.Until(t))
	return tm.C, tm.Stop
}
