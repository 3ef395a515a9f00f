package p2ptest

import (
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/seednet/p2p"
)

// TB is the part of testing.TB that the harness uses. *testing.T,
// *testing.B and *testing.F satisfy it, as does any type with these
// methods (the package's examples use one that prints failures).
//
// Fatalf must stop the calling goroutine, as testing's does (with
// runtime.Goexit). The harness calls Fatalf only from the goroutine that
// called it, and Errorf and Logf only from that goroutine and from the
// functions given to Cleanup.
type TB interface {
	Helper()
	Cleanup(f func())
	Logf(format string, args ...any)
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// DefaultTimeout is how long an expectation waits when the Timeout option
// is not given.
const DefaultTimeout = 5 * time.Second

// config holds what the options set.
type config struct {
	peers   int
	timeout time.Duration
}

// An Option changes a harness's settings; New takes them.
type Option func(*config)

// Peers sets the number of scripted peers, each with its own run of the
// protocol. The default is 1.
func Peers(n int) Option { return func(c *config) { c.peers = n } }

// Timeout sets how long each expectation waits for the protocol, how long
// Send waits for Run to take the message, and how long Close waits for the
// runs to return.
// ExpectNone waits for the duration it is given instead. The default is
// DefaultTimeout.
func Timeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// Harness runs a protocol against scripted peers: one run of the protocol's
// Run function per peer, each with a *p2p.Peer of its own and an in-memory
// connection to the script. Make one with New.
type Harness struct {
	t       TB
	proto   p2p.Protocol
	timeout time.Duration
	conns   []*conn
	peers   []*Peer // the handles Peer returns, reporting to t

	closeOnce sync.Once
}

// New starts proto.Run for each scripted peer (one unless the Peers option
// says otherwise) and returns the harness that drives them. It registers
// Close with t.Cleanup, so the runs end with the test; a failure to set up
// (a protocol without Run, a peer count below 1) fails the test.
func New(t TB, proto p2p.Protocol, opts ...Option) *Harness {
	t.Helper()
	cfg := config{peers: 1, timeout: DefaultTimeout}
	for _, o := range opts {
		o(&cfg)
	}
	switch {
	case proto.Run == nil:
		t.Fatalf("p2ptest: protocol %s/%d has no Run function", proto.Name, proto.Version)
	case cfg.peers < 1:
		t.Fatalf("p2ptest: Peers(%d): need at least one peer", cfg.peers)
	case cfg.timeout <= 0:
		t.Fatalf("p2ptest: Timeout(%v): must be positive", cfg.timeout)
	}
	h := &Harness{t: t, proto: proto, timeout: cfg.timeout}
	for i := range cfg.peers {
		c := startConn(i, &h.proto, cfg.timeout)
		h.conns = append(h.conns, c)
		h.peers = append(h.peers, &Peer{c: c, t: t})
	}
	t.Cleanup(h.Close)
	return h
}

// Peer returns scripted peer i, counting from 0. Its methods report
// failures to the harness's t, so call them from the test's goroutine.
func (h *Harness) Peer(i int) *Peer {
	h.t.Helper()
	if i < 0 || i >= len(h.peers) {
		h.t.Fatalf("p2ptest: no peer %d: the harness has %d (see the Peers option)", i, len(h.peers))
	}
	return h.peers[i]
}

// Peers returns the scripted peers in order.
func (h *Harness) Peers() []*Peer {
	return append([]*Peer(nil), h.peers...)
}

// Run runs the steps of a script in order. The first step that fails
// fails the test (with t.Fatalf), naming the step by its number, counting
// from 1, and its label.
func (h *Harness) Run(s Script) {
	h.t.Helper()
	for i, step := range s {
		prefix := fmt.Sprintf("step %d of %d", i+1, len(s))
		if step.Label != "" {
			prefix += " (" + step.Label + ")"
		}
		switch {
		case step.Do == nil:
			h.t.Fatalf("%s: the step has no action", prefix)
		case step.Peer < 0 || step.Peer >= len(h.conns):
			h.t.Fatalf("%s: no peer %d: the harness has %d (see the Peers option)", prefix, step.Peer, len(h.conns))
		}
		step.Do.do(&Peer{c: h.conns[step.Peer], t: h.t, prefix: prefix + ": "})
	}
}

// Parallel calls f once for each scripted peer, each call in a goroutine
// of its own, and waits for them all. f must use only the peer it is
// given: that peer's methods record a failure and end f's goroutine,
// where the handles of Harness.Peer would call t.Fatalf from the wrong
// goroutine. Once every call has returned, Parallel reports the failures
// with t.Errorf, in peer order, and fails the test with t.Fatalf if there
// were any.
func (h *Harness) Parallel(f func(p *Peer)) {
	h.t.Helper()
	failures := make([]string, len(h.conns))
	var wg sync.WaitGroup
	for i, c := range h.conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(&Peer{c: c, t: &goroutineT{failure: &failures[i]}})
		}()
	}
	wg.Wait()
	failed := 0
	for _, msg := range failures {
		if msg != "" {
			h.t.Errorf("%s", msg)
			failed++
		}
	}
	if failed > 0 {
		h.t.Fatalf("p2ptest: Parallel: %d of %d peers failed", failed, len(h.conns))
	}
}

// goroutineT is the reporter of a peer that Parallel gives to f: it keeps
// the first failure and ends the goroutine.
type goroutineT struct {
	failure *string // written by this goroutine only; read after wg.Wait
}

func (g *goroutineT) Helper() {}

func (g *goroutineT) Fatalf(format string, args ...any) {
	*g.failure = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// Close ends the connection to every scripted peer that is still
// connected and waits, at most the timeout, for each run of the protocol
// to return. It reports a run that does not return (its goroutine would
// leak) and one that panicked with t.Errorf, and logs the messages the
// protocol sent that no expectation took. New registers Close with
// t.Cleanup; calling it earlier is allowed, and later calls do nothing.
func (h *Harness) Close() {
	h.closeOnce.Do(func() {
		for _, c := range h.conns {
			c.hangUp()
		}
		timer := time.NewTimer(h.timeout)
		defer timer.Stop()
		expired := false
		for _, c := range h.conns {
			if !expired {
				select {
				case <-c.done:
				case <-timer.C:
					expired = true
				}
			}
			if !isClosed(c.done) {
				h.t.Errorf("p2ptest: peer %d: Run did not return within %v of the connection closing; "+
					"its goroutine is left running (a Run must return once ReadMsg fails)", c.index, h.timeout)
				continue
			}
			c.writers.Wait() // they return once the pipe is closed
			switch {
			case c.end.panic != "":
				h.t.Errorf("p2ptest: peer %d: Run panicked: %s", c.index, c.end.panic)
			case c.end.goexit:
				h.t.Errorf("p2ptest: peer %d: Run's goroutine exited through runtime.Goexit "+
					"(t.FailNow or t.Fatal called inside Run? they must be called from the test's goroutine)", c.index)
			}
			if msgs := c.unread(); len(msgs) > 0 {
				h.t.Logf("p2ptest: peer %d: %d messages from the protocol were not expected:", c.index, len(msgs))
				for _, m := range msgs {
					h.t.Logf("\t%v", m)
				}
			}
		}
	})
}

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
