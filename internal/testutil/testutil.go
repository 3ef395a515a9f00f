// Package testutil holds helpers that the tests of this module share: keys
// and loggers. It is internal, so only packages of this module can import
// it, and only their tests should: the architecture test (internal/archtest)
// fails if a non-test file imports it. It imports nothing of the module but
// package crypto, so that any package's tests can use it without a cycle
// (crypto's own tests, inside package crypto, cannot).
package testutil

import (
	"bytes"
	"crypto/ecdsa"
	"log/slog"
	"sync"
	"testing"

	"github.com/seednet/p2p/crypto"
)

// NewKey returns a new secp256k1 key, failing the test if none can be made.
func NewKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// Logger returns a logger that writes debug-level text logs to t.Log, so
// they show for failing tests and with -v.
//
// Goroutines may outlive the test that started them (a read loop that is
// still draining when the test returns, say), and testing panics when t.Log
// is called after the test has completed. So once the test's cleanup has
// run, the logger drops its records instead. Records logged during cleanup
// (while a component is being closed) still show, if Logger was called
// before the component's cleanup was registered, as it usually is.
func Logger(t testing.TB) *slog.Logger {
	w := &tWriter{t: t}
	t.Cleanup(w.stop)
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// tWriter passes each record (one Write per record) to t.Log until stop.
type tWriter struct {
	t testing.TB

	// mu is held across t.Log, so that stop waits for a Write in progress
	// and no Write calls t.Log after stop.
	mu      sync.Mutex
	stopped bool
}

func (w *tWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.stopped {
		w.t.Log(string(bytes.TrimRight(b, "\n")))
	}
	return len(b), nil
}

func (w *tWriter) stop() {
	w.mu.Lock()
	w.stopped = true
	w.mu.Unlock()
}
