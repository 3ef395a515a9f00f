package discover

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/faultnet"
	"github.com/seednet/p2p/internal/testutil"
)

// faultCases are the networks of the discovery fault tests: each node's
// packets go out through faultnet with these write faults. ok says that
// requests must get through within their tries; otherwise every request
// must fail with ErrTimeout and the receiver must count the bad packets.
var faultCases = []struct {
	name string
	f    faultnet.Faults
	ok   bool
}{
	{"lossy", faultnet.Faults{Drop: 0.3, Reorder: 0.2, Duplicate: 0.2, Delay: 2 * time.Millisecond, Jitter: 20 * time.Millisecond}, true},
	{"duplicate-all", faultnet.Faults{Duplicate: 1}, true},
	{"reorder", faultnet.Faults{Reorder: 0.5, Jitter: 10 * time.Millisecond}, true},
	{"corrupt-all", faultnet.Faults{Corrupt: 1}, false},
	{"truncate-all", faultnet.Faults{Truncate: 1}, false},
}

// faultyConn opens a loopback socket whose packets go out with f.
func faultyConn(t *testing.T, seed uint64, f faultnet.Faults) *faultnet.PacketConn {
	return faultnet.WrapPacket(listenUDP(t, "127.0.0.1"), faultnet.Config{Seed: seed, Write: f})
}

// tries runs op up to n times until it succeeds; every failure must be
// ErrTimeout. It returns the last error.
func tries(t *testing.T, n int, op func() error) error {
	t.Helper()
	var err error
	for range n {
		if err = op(); err == nil {
			return nil
		}
		if !errors.Is(err, ErrTimeout) {
			t.Fatalf("request failed with %v, want nil or ErrTimeout", err)
		}
	}
	return err
}

// TestV4Faults runs discovery v4 between two nodes whose packets are
// lost, reordered, duplicated, delayed, corrupted or cut short.
func TestV4Faults(t *testing.T) {
	for i, tt := range faultCases {
		t.Run(tt.name, func(t *testing.T) {
			start := func(seed uint64) (*UDPv4, *faultnet.PacketConn) {
				key := testutil.NewKey(t)
				conn := faultyConn(t, seed, tt.f)
				udp, err := ListenV4(conn, enode.NewLocalNode(nil, key), Config{PrivateKey: key, Log: testLogger(t), PingInterval: time.Hour, RefreshInterval: time.Hour})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { udp.Close() })
				return udp, conn
			}
			a, connA := start(uint64(10 * i))
			b, connB := start(uint64(10*i + 1))
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()

			n := 4
			if !tt.ok {
				n = 1
			}
			pingErr := tries(t, n, func() error { return a.Ping(ctx, b.Self()) })
			var enrErr error
			if tt.ok {
				enrErr = tries(t, n, func() error {
					// A FINDNODE-like request that needs the endpoint proof:
					// the record of b, which a must have bonded with.
					rec, err := a.RequestENR(ctx, b.Self())
					if err == nil && rec.ID() != b.Self().ID() {
						t.Fatalf("record of %v, want %v", rec.ID(), b.Self().ID())
					}
					return err
				})
			}
			sa, sb := a.Stats(), b.Stats()
			t.Logf("ping %v, enr %v; a %+v; b %+v; faults a %+v b %+v", pingErr, enrErr, sa, sb, connA.Stats(), connB.Stats())
			if tt.ok {
				if pingErr != nil || enrErr != nil {
					t.Fatalf("requests failed through %s: ping %v, enr %v", tt.name, pingErr, enrErr)
				}
				return
			}
			if pingErr == nil {
				t.Fatal("ping got through")
			}
			if sb.Handled != 0 || sb.Dropped() == 0 {
				t.Fatalf("b handled %d and dropped %d of the bad packets: %+v", sb.Handled, sb.Dropped(), sb)
			}
		})
	}
}

// TestV5Faults does the same for discovery v5: handshakes, PING, and
// FINDNODE for our own record.
func TestV5Faults(t *testing.T) {
	for i, tt := range faultCases {
		t.Run(tt.name, func(t *testing.T) {
			start := func(seed uint64) (*UDPv5, *faultnet.PacketConn) {
				key := testutil.NewKey(t)
				conn := faultyConn(t, seed, tt.f)
				// A request that starts a handshake needs 4 packets through,
				// so at 30% loss a try succeeds 1 time in 4 or so. A short
				// response timeout makes retries come while the first
				// try's challenge is pending: each retry must get a
				// challenge of its own (it used to get the pending one,
				// naming the timed-out packet, and fail for 1 s).
				udp, err := ListenV5(conn, enode.NewLocalNode(nil, key), Config{PrivateKey: key, Log: testLogger(t),
					PingInterval: time.Hour, RefreshInterval: time.Hour, V5RespTimeout: 250 * time.Millisecond})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(udp.Close)
				return udp, conn
			}
			a, connA := start(uint64(10*i + 100))
			b, connB := start(uint64(10*i + 101))

			n := 10
			if !tt.ok {
				n = 1
			}
			pingErr := tries(t, n, func() error {
				_, err := a.Ping(b.Self())
				return v5Timeout(err)
			})
			var findErr error
			if tt.ok {
				findErr = tries(t, n, func() error {
					nodes, err := a.Findnode(b.Self(), []uint{0})
					if err == nil && (len(nodes) != 1 || nodes[0].ID() != b.Self().ID()) {
						t.Fatalf("FINDNODE 0 gave %v", nodes)
					}
					return v5Timeout(err)
				})
			}
			sa, sb := a.Stats(), b.Stats()
			t.Logf("ping %v, findnode %v; a %+v; b %+v; faults a %+v b %+v", pingErr, findErr, sa, sb, connA.Stats(), connB.Stats())
			if tt.ok {
				if pingErr != nil || findErr != nil {
					t.Fatalf("requests failed through %s: ping %v, findnode %v", tt.name, pingErr, findErr)
				}
				return
			}
			if pingErr == nil {
				t.Fatal("ping got through")
			}
			// A corrupted message packet may still pass the header checks
			// and fail to decrypt, which is answered with WHOAREYOU (and
			// counted as handled); nothing else may be handled.
			if sb.Dropped() == 0 && sb.DecryptFailed == 0 && sb.UnknownSession == 0 {
				t.Fatalf("b counted none of the bad packets: %+v", sb)
			}
		})
	}
}

// v5Timeout turns the v5 failures that a lossy network causes into
// ErrTimeout: a WHOAREYOU that answers a lost handshake's packet comes
// for a call that then fails with ErrSecondWhoareyou.
func v5Timeout(err error) error {
	if errors.Is(err, ErrSecondWhoareyou) {
		return ErrTimeout
	}
	return err
}
