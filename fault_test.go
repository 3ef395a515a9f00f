package p2p

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/faultnet"
)

// faultDialer is a NodeDialer whose connections go through faultnet; it
// keeps them so that a test can change their faults once the peer runs.
type faultDialer struct {
	d     faultnet.Dialer
	mu    sync.Mutex
	conns []*faultnet.Conn
}

func (fd *faultDialer) Dial(ctx context.Context, n *enode.Node) (net.Conn, error) {
	ep, ok := n.TCPEndpoint()
	if !ok {
		return nil, errors.New("node has no TCP endpoint")
	}
	c, err := fd.d.DialContext(ctx, "tcp", ep.String())
	if err != nil {
		return nil, err
	}
	fd.mu.Lock()
	fd.conns = append(fd.conns, c.(*faultnet.Conn))
	fd.mu.Unlock()
	return c, nil
}

func (fd *faultDialer) last() *faultnet.Conn {
	fd.mu.Lock()
	defer fd.mu.Unlock()
	return fd.conns[len(fd.conns)-1]
}

// TestServerFaults runs two Servers over a connection whose dialing side
// goes through faultnet. Delay only slows the exchange down; a corrupted,
// truncated or reset stream, before or after Hello, drops the peer (or
// refuses the connection) with a network reason on both sides, and the
// listening server goes on serving an honest peer. Goroutines go back to
// where they were.
func TestServerFaults(t *testing.T) {
	tests := []struct {
		name string
		dial faultnet.Config // faults of the dialer's connections from the start
		// mid, if set, are applied to the dialer's connection once the
		// peers exchanged foo and bar: write faults, or read faults with
		// midRead.
		mid     *faultnet.Faults
		midRead bool
		// What the listening server (srv1) and the dialer (srv2) count
		// for the broken connection: Dropped reasons, or Rejected ones for
		// a connection broken before it became a peer.
		hello       bool
		wantReason1 string
		wantReason2 []string // any of them
	}{
		{name: "delay-jitter", dial: faultnet.Config{
			Write: faultnet.Faults{Delay: 5 * time.Millisecond, Jitter: 15 * time.Millisecond},
			Read:  faultnet.Faults{Delay: 5 * time.Millisecond, Jitter: 15 * time.Millisecond}}},
		{name: "slow-link", dial: faultnet.Config{
			Write: faultnet.Faults{BytesPerSecond: 20_000}, Read: faultnet.Faults{BytesPerSecond: 20_000}}},
		{name: "corrupt-sent", mid: &faultnet.Faults{CorruptAt: []int64{0}},
			wantReason1: "network error", wantReason2: []string{"network error"}},
		{name: "corrupt-received", mid: &faultnet.Faults{CorruptAt: []int64{40}}, midRead: true,
			wantReason1: "network error", wantReason2: []string{"network error"}},
		{name: "truncate", mid: &faultnet.Faults{TruncateAfter: 10},
			wantReason1: "network error", wantReason2: []string{"network error"}},
		{name: "reset", mid: &faultnet.Faults{ResetAfter: 10},
			wantReason1: "network error", wantReason2: []string{"network error"}},
		// The auth is the dialer's first write, Hello its second.
		{name: "corrupt-hello", hello: true, dial: faultnet.Config{Write: faultnet.Faults{Skip: 1, CorruptAt: []int64{3}}},
			wantReason1: "hello failed", wantReason2: []string{"hello failed", "network error"}},
		{name: "reset-in-hello", hello: true, dial: faultnet.Config{Write: faultnet.Faults{Skip: 1, ResetAfter: 20}},
			wantReason1: "hello failed", wantReason2: []string{"hello failed", "network error"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			baseline := goleak.IgnoreCurrent()
			got1, got2, got3 := make(chan string, 100), make(chan string, 100), make(chan string, 100)
			fd := &faultDialer{d: faultnet.Dialer{Config: tt.dial}}
			srv1 := startServer(t, &Server{Name: "one", NoDiscovery: true, Protocols: []Protocol{echoProtocol(got1), tickProtocol()}})
			srv2 := startServer(t, &Server{Name: "two", NoDiscovery: true, Dialer: fd, Protocols: []Protocol{echoProtocol(got2), tickProtocol()}})
			srv2.AddPeer(srv1.Self())

			if tt.hello {
				waitFor(t, "srv1 refuses the connection", func() bool { return srv1.Stats().Rejected[tt.wantReason1] > 0 })
				waitFor(t, "srv2 sees the connection fail", func() bool {
					s := srv2.Stats()
					return anyCounted(s.Rejected, tt.wantReason2) || anyCounted(s.Dropped, tt.wantReason2)
				})
				t.Logf("srv1 rejected %v; srv2 rejected %v dropped %v; faults %+v", srv1.Stats().Rejected, srv2.Stats().Rejected, srv2.Stats().Dropped, fd.d.Stats())
				srv2.Stop()
			} else {
				waitPeers(t, srv1, 1)
				waitPeers(t, srv2, 1)
				for _, got := range [][]string{recvN(t, got1, 2), recvN(t, got2, 2)} {
					if !(contains(got, "0:foo") && contains(got, "1:bar")) {
						t.Fatalf("received %v, want foo and bar", got)
					}
				}
				if tt.mid == nil {
					if fd.d.Stats().Delayed == 0 {
						t.Fatalf("no delay injected: %+v", fd.d.Stats())
					}
					return
				}
				c := fd.last()
				if tt.midRead {
					c.SetReadFaults(*tt.mid)
				} else {
					c.SetWriteFaults(*tt.mid)
				}
				// The tick protocol's messages cross the faults.
				waitFor(t, "srv1 drops the peer", func() bool { return srv1.Stats().PeersDropped > 0 })
				waitFor(t, "srv2 drops the peer", func() bool { return srv2.Stats().PeersDropped > 0 })
				t.Logf("srv1 dropped %v; srv2 dropped %v; faults %+v", srv1.Stats().Dropped, srv2.Stats().Dropped, fd.d.Stats())
				srv2.Stop()
			}

			// An honest peer still gets in and talks.
			srv3 := startServer(t, &Server{Name: "three", NoDiscovery: true, Protocols: []Protocol{echoProtocol(got3)}})
			srv3.AddPeer(srv1.Self())
			waitFor(t, "the honest peer exchanges foo and bar", func() bool {
				return srv3.PeerCount() == 1 && len(got3) >= 2
			})
			r1, d1 := srv1.Stats().Rejected, srv1.Stats().Dropped
			r2, d2 := srv2.Stats().Rejected, srv2.Stats().Dropped
			srv3.Stop()
			srv1.Stop()
			if err := goleak.Find(baseline); err != nil {
				t.Fatalf("goroutines left: %v", err)
			}

			if tt.hello {
				if r1[tt.wantReason1] == 0 || !anyCounted(r2, tt.wantReason2) && !anyCounted(d2, tt.wantReason2) {
					t.Fatalf("srv1 rejected %v; srv2 rejected %v dropped %v; want %q and %q", r1, r2, d2, tt.wantReason1, tt.wantReason2)
				}
				if r2["remote: "+DiscSubprotocolError.String()] > 0 || d2["remote: "+DiscSubprotocolError.String()] > 0 {
					t.Fatalf("srv1 told srv2 %q for a broken Hello: srv2 rejected %v dropped %v", DiscSubprotocolError, r2, d2)
				}
				return
			}
			ok1, ok2 := d1[tt.wantReason1] > 0, anyCounted(d2, tt.wantReason2)
			if ok1 && ok2 {
				return
			}
			t.Errorf("srv1 dropped %v, want %q; srv2 dropped %v, want one of %q", d1, tt.wantReason1, d2, tt.wantReason2)
		})
	}
}

// tickProtocol sends a message every 20 ms and reads what comes: traffic
// for faults to break.
func tickProtocol() Protocol {
	return Protocol{Name: "tick", Version: 1, Length: 1, Run: func(p *Peer, rw MsgReadWriter) error {
		errc := make(chan error, 1)
		go func() {
			for {
				msg, err := rw.ReadMsg()
				if err != nil {
					errc <- err
					return
				}
				msg.Discard()
			}
		}()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case err := <-errc:
				return err
			case <-tick.C:
				if err := SendItems(rw, 0, "tick"); err != nil {
					return err
				}
			}
		}
	}}
}

func anyCounted(m map[string]uint64, keys []string) bool {
	for _, k := range keys {
		if m[k] > 0 {
			return true
		}
	}
	return false
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
