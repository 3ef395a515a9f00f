package p2ptest

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/seednet/p2p"
)

// fakeT is a TB that records what the harness reports, so that a test can
// check the failure messages of a harness it drives wrongly on purpose.
type fakeT struct {
	mu       sync.Mutex
	failures []string // Errorf's and Fatalf's messages, in order
	fatal    bool     // Fatalf was called
	logs     []string
	cleanups []func()
	wrongG   bool // Fatalf was called from a goroutine other than the test's
	testG    uint64
}

func (f *fakeT) Helper() {}

func (f *fakeT) Cleanup(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cleanups = append(f.cleanups, fn)
}

func (f *fakeT) Logf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.logs = append(f.logs, fmt.Sprintf(format, args...))
}

func (f *fakeT) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures = append(f.failures, fmt.Sprintf(format, args...))
}

func (f *fakeT) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.failures = append(f.failures, fmt.Sprintf(format, args...))
	f.fatal = true
	if goid() != f.testG {
		f.wrongG = true
	}
	f.mu.Unlock()
	runtime.Goexit()
}

// runFake runs body as package testing runs a test: in a goroutine of its
// own, which Fatalf ends, then the cleanups, last registered first, in a
// goroutine of their own too.
func runFake(body func(t TB)) *fakeT {
	f := new(fakeT)
	done := make(chan struct{})
	go func() {
		defer close(done)
		f.testG = goid()
		body(f)
	}()
	<-done
	done = make(chan struct{})
	go func() {
		defer close(done)
		for i := len(f.cleanups) - 1; i >= 0; i-- {
			f.cleanups[i]()
		}
	}()
	<-done
	return f
}

// goid returns the ID of the calling goroutine, from its stack trace's
// first line ("goroutine 7 [running]:"). The fake uses it only to check
// that Fatalf is called from the test's goroutine.
func goid() uint64 {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	var id uint64
	fmt.Sscanf(string(buf), "goroutine %d ", &id)
	return id
}

func (f *fakeT) text() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.failures, "\n")
}

// check fails t unless the fake recorded no failure (want empty) or
// failures that contain each of want, in order.
func (f *fakeT) check(t *testing.T, want ...string) {
	t.Helper()
	got := f.text()
	if f.wrongG {
		t.Errorf("Fatalf was called from a goroutine other than the test's")
	}
	if len(want) == 0 {
		if got != "" {
			t.Errorf("unexpected failure:\n%s", got)
		}
		return
	}
	if got == "" {
		t.Errorf("no failure; want one with %q", want)
		return
	}
	rest := got
	for _, w := range want {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Errorf("failure does not contain %q (after the earlier parts):\n%s", w, got)
			return
		}
		rest = rest[i+len(w):]
	}
}

func testProto(run func(*p2p.Peer, p2p.MsgReadWriter) error) p2p.Protocol {
	return p2p.Protocol{Name: "test", Version: 1, Length: 4, Run: run}
}

// echo sends every message back as it came until its reads fail, and
// returns that error.
func echo(_ *p2p.Peer, rw p2p.MsgReadWriter) error {
	for {
		msg, err := rw.ReadMsg()
		if err != nil {
			return err
		}
		if err := rw.WriteMsg(msg); err != nil {
			return err
		}
	}
}

// silent reads messages, without reading their payloads, until its reads
// fail.
func silent(_ *p2p.Peer, rw p2p.MsgReadWriter) error {
	for {
		if _, err := rw.ReadMsg(); err != nil {
			return err
		}
	}
}

// sends returns a protocol that sends one message, then reads until its
// reads fail.
func sends(code uint64, items ...any) func(*p2p.Peer, p2p.MsgReadWriter) error {
	return func(p *p2p.Peer, rw p2p.MsgReadWriter) error {
		if err := p2p.SendItems(rw, code, items...); err != nil {
			return err
		}
		return silent(p, rw)
	}
}

// sendsValue is sends with a payload that is the encoding of v itself.
func sendsValue(code uint64, v any) func(*p2p.Peer, p2p.MsgReadWriter) error {
	return func(p *p2p.Peer, rw p2p.MsgReadWriter) error {
		if err := p2p.Send(rw, code, v); err != nil {
			return err
		}
		return silent(p, rw)
	}
}

// returns returns a protocol that returns err at once.
func returns(err error) func(*p2p.Peer, p2p.MsgReadWriter) error {
	return func(*p2p.Peer, p2p.MsgReadWriter) error { return err }
}

// decoder reads messages and returns the first decode error, as a
// protocol that checks its input does.
func decoder(_ *p2p.Peer, rw p2p.MsgReadWriter) error {
	for {
		msg, err := rw.ReadMsg()
		if err != nil {
			return err
		}
		var s string
		if err := msg.Decode(&s); err != nil {
			return err
		}
	}
}
