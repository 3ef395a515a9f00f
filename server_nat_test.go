package p2p

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/internal/testutil"
)

// countingNAT records the calls of the natMapper. The real gateways are in
// the namespace tests (nat_test.go); this one lets the renewal schedule
// run on a fake clock.
type countingNAT struct {
	mu      sync.Mutex
	adds    []time.Time
	deletes int
	fail    bool
}

func (n *countingNAT) AddMapping(protocol string, extport, intport int, name string, lifetime time.Duration) (uint16, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.fail {
		return 0, errors.New("refused")
	}
	n.adds = append(n.adds, time.Now())
	return uint16(extport + 1), nil
}

func (n *countingNAT) DeleteMapping(string, int, int) error {
	n.mu.Lock()
	n.deletes++
	n.mu.Unlock()
	return nil
}

func (n *countingNAT) ExternalIP() (net.IP, error) { return net.IPv4(198, 51, 100, 7), nil }
func (n *countingNAT) String() string              { return "counting" }

// TestNATRenewal: the mappings are renewed every natRenew, a failure is
// retried after natRetry, and the mappings are deleted when the run ends.
func TestNATRenewal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		gw := &countingNAT{}
		ctx, cancel := context.WithCancel(context.Background())
		r := &serverRun{
			srv:   &Server{NAT: gw},
			local: enode.NewLocalNode(nil, testutil.NewKey(t)),
			ctx:   ctx,
		}
		r.startNAT(30303, 30303)
		synctest.Wait()
		count := func() int { gw.mu.Lock(); defer gw.mu.Unlock(); return len(gw.adds) }
		if count() != 2 {
			t.Fatalf("%d mappings at start, want 2 (TCP and UDP)", count())
		}
		if n := r.local.Node(); n.TCP() != 30304 || n.IPAddr().String() != "198.51.100.7" {
			t.Fatalf("record: %v", n)
		}
		time.Sleep(natRenew + time.Second)
		if count() != 4 {
			t.Fatalf("%d mappings after %v, want 4", count(), natRenew)
		}
		gw.mu.Lock()
		gw.fail = true
		gw.mu.Unlock()
		time.Sleep(natRenew + time.Second) // the renewal fails...
		if info := r.nat.snapshot(); info.LastError == "" {
			t.Fatal("no error recorded")
		}
		gw.mu.Lock()
		gw.fail = false
		gw.mu.Unlock()
		time.Sleep(natRetry + time.Second) // ...and is retried a minute later
		if count() != 6 || r.nat.snapshot().LastError != "" {
			t.Fatalf("%d mappings after the retry (want 6), last error %q", count(), r.nat.snapshot().LastError)
		}
		cancel()
		r.wg.Wait()
		if gw.deletes != 2 {
			t.Fatalf("%d mappings deleted, want 2", gw.deletes)
		}
	})
}
