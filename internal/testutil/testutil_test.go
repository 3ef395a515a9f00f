package testutil

import (
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/seednet/p2p/crypto"
)

func TestNewKey(t *testing.T) {
	a, b := NewKey(t), NewKey(t)
	if a.Equal(b) {
		t.Fatal("two calls gave the same key")
	}
	if a.Curve != crypto.S256() {
		t.Fatal("key is not on secp256k1")
	}
}

// recorder is a testing.TB that records what is logged, and fails the test
// if Log is called after its cleanup ran, as testing would panic.
type recorder struct {
	testing.TB
	mu       sync.Mutex
	lines    []string
	cleanups []func()
	done     bool
}

func (r *recorder) Log(args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.done {
		r.TB.Errorf("Log after the test completed: %v", args)
		return
	}
	r.lines = append(r.lines, args[0].(string))
}

func (r *recorder) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }

func (r *recorder) finish() {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
	r.mu.Lock()
	r.done = true
	r.mu.Unlock()
}

func TestLogger(t *testing.T) {
	rec := &recorder{TB: t}
	log := Logger(rec)
	log.Debug("debug record", "k", 1)
	log.Info("info record")
	rec.finish()
	log.Info("after the end") // dropped, not passed to Log
	if len(rec.lines) != 2 {
		t.Fatalf("logged %q, want 2 records", rec.lines)
	}
	for _, want := range []string{"level=DEBUG msg=\"debug record\" k=1", "level=INFO msg=\"info record\""} {
		found := false
		for _, l := range rec.lines {
			found = found || strings.Contains(l, want)
		}
		if !found {
			t.Errorf("no record with %q in %q", want, rec.lines)
		}
	}
}

// TestLoggerAfterSubtest logs through the logger of a real subtest after
// it has completed, from the test's goroutine and another: testing would
// panic if the record reached t.Log.
func TestLoggerAfterSubtest(t *testing.T) {
	var log *slog.Logger
	t.Run("sub", func(t *testing.T) {
		log = Logger(t)
		log.Info("during the subtest")
	})
	log.Info("after the subtest")
	var wg sync.WaitGroup
	wg.Go(func() { log.Info("from another goroutine") })
	wg.Wait()
}
