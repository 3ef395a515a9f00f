package p2ptest

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seednet/p2p"
)

func TestScript(t *testing.T) {
	runCases(t, []harnessCase{
		{
			name: "passes",
			run:  echo,
			opts: []Option{Peers(2)},
			test: func(h *Harness) {
				h.Run(Script{
					{Peer: 0, Do: Send(1, "a")},
					{Peer: 1, Do: SendItems(2, "b", uint(3))},
					{Peer: 1, Do: Expect(2, []any{[]byte("b"), []byte{3}})},
					{Peer: 0, Do: Expect(1, "a")},
					{Peer: 0, Do: ExpectNone(time.Second)},
					{Peer: 1, Do: SendRaw(3, []byte{0x01})},
					{Peer: 1, Do: ExpectMatch(3, func(msg p2p.Msg) error { return nil })},
					{Peer: 0, Do: CloseConn()},
					{Peer: 0, Do: ExpectRunReturns(func(err error) bool { return errors.Is(err, io.EOF) })},
					{Peer: 1, Do: Call("check the peer", func(p *Peer) {
						if p.Index() != 1 {
							p.Fatalf("index %d", p.Index())
						}
					})},
				})
			},
		},
		{
			name: "step number and label",
			run:  echo,
			opts: []Option{Peers(2)},
			test: func(h *Harness) {
				h.Run(Script{
					{Peer: 0, Do: Send(1, "a")},
					{Peer: 1, Do: Send(1, "b")},
					{Peer: 1, Do: Expect(1, "c"), Label: "the answer"},
					{Peer: 0, Do: Expect(1, "a")},
				})
			},
			want: []string{`step 3 of 4 (the answer): peer 1: Expect(code 1, "c"): the payload differs (decoded into string)
	got:      "b"`},
		},
		{
			name: "step without a label",
			run:  returns(nil),
			test: func(h *Harness) {
				h.Run(Script{{Peer: 0, Do: ExpectDisconnect(p2p.DiscTooManyPeers)}})
			},
			want: []string{"step 1 of 1: peer 0: ExpectDisconnect(too many peers (0x04)): Run returned nil (disconnect reason: client quitting (0x08))"},
		},
		{
			name: "stops at the first failure",
			run:  silent,
			test: func(h *Harness) {
				h.Run(Script{
					{Peer: 0, Do: Send(9, "a")},
					{Peer: 0, Do: Call("unreachable", func(p *Peer) { p.Fatalf("step 2 ran") })},
				})
			},
			want: []string{"step 1 of 2: peer 0: Send(code 9, \"a\"): code 9 is outside"},
		},
		{
			name: "no such peer",
			run:  silent,
			test: func(h *Harness) { h.Run(Script{{Peer: 1, Do: ExpectNone(0)}}) },
			want: []string{"step 1 of 1: no peer 1: the harness has 1 (see the Peers option)"},
		},
		{
			name: "no action",
			run:  silent,
			test: func(h *Harness) { h.Run(Script{{Peer: 0, Label: "empty"}}) },
			want: []string{"step 1 of 1 (empty): the step has no action"},
		},
		{
			name: "Call fails",
			run:  silent,
			test: func(h *Harness) {
				h.Run(Script{{Peer: 0, Do: Call("my check", func(p *Peer) { p.Fatalf("state is %d", 3) })}})
			},
			want: []string{"step 1 of 1: peer 0: state is 3"},
		},
		{
			name: "a peer method inside Call names the step",
			run:  silent,
			test: func(h *Harness) {
				h.Run(Script{{Peer: 0, Do: Call("my check", func(p *Peer) { p.Expect(0, nil) })}})
			},
			want: []string{"step 1 of 1: peer 0: Expect(code 0, any payload): no message within 5s"},
		},
	})
}

func TestActionStrings(t *testing.T) {
	for _, tt := range []struct {
		a    Action
		want string
	}{
		{Send(1, "foo"), `Send(code 1, "foo")`},
		{Send(1, []byte{1, 2}), `Send(code 1, 0x0102)`},
		{SendItems(0, "foo", uint(42), []string{"x"}), `SendItems(code 0, "foo", 42, [x])`},
		{SendRaw(2, nil), `SendRaw(code 2, 0x (empty))`},
		{Expect(3, nil), `Expect(code 3, any payload)`},
		{Expect(3, uint(7)), `Expect(code 3, 7)`},
		{ExpectMatch(3, nil), `ExpectMatch(code 3)`},
		{ExpectNone(1500 * time.Millisecond), `ExpectNone(1.5s)`},
		{ExpectDisconnect(p2p.DiscSubprotocolError), `ExpectDisconnect(subprotocol error (0x10))`},
		{ExpectRunReturns(nil), `ExpectRunReturns`},
		{CloseConn(), `Close()`},
		{Call("check", nil), `check`},
	} {
		if got := tt.a.String(); got != tt.want {
			t.Errorf("got %s, want %s", got, tt.want)
		}
	}
}

func TestNew(t *testing.T) {
	runCases(t, []harnessCase{
		{
			name: "no Run",
			test: func(*Harness) {},
			want: []string{"p2ptest: protocol test/1 has no Run function"},
		},
		{
			name: "no peers",
			run:  silent,
			opts: []Option{Peers(0)},
			test: func(*Harness) {},
			want: []string{"p2ptest: Peers(0): need at least one peer"},
		},
		{
			name: "bad timeout",
			run:  silent,
			opts: []Option{Timeout(0)},
			test: func(*Harness) {},
			want: []string{"p2ptest: Timeout(0s): must be positive"},
		},
		{
			name: "no such peer",
			run:  silent,
			opts: []Option{Peers(3)},
			test: func(h *Harness) { h.Peer(3) },
			want: []string{"p2ptest: no peer 3: the harness has 3 (see the Peers option)"},
		},
		{
			name: "peers",
			run: func(p *p2p.Peer, rw p2p.MsgReadWriter) error {
				// Each run sees its own peer, which runs the protocol.
				if err := p2p.SendItems(rw, 0, p.ID(), p.Name(), p.RunningCap("test", []uint{1})); err != nil {
					return err
				}
				return silent(p, rw)
			},
			opts: []Option{Peers(3)},
			test: func(h *Harness) {
				peers := h.Peers()
				if len(peers) != 3 {
					h.t.Fatalf("%d peers", len(peers))
				}
				for i, p := range peers {
					if p.Index() != i || p.P2P().ID() != p.ID() || h.Peer(i) != p {
						h.t.Errorf("peer %d: index %d, ids %v and %v", i, p.Index(), p.P2P().ID(), p.ID())
					}
					type hello struct {
						ID      [32]byte
						Name    string
						Running bool
					}
					p.Expect(0, hello{p.ID(), fmt.Sprintf("p2ptest peer %d", i), true})
				}
				if peers[0].ID() == peers[1].ID() {
					h.t.Errorf("peers 0 and 1 have the same ID")
				}
			},
		},
	})
}

// Three peers at once, each with its own run: what one says reaches its
// own run only.
func TestPeersAreSeparate(t *testing.T) {
	var runs atomic.Int32
	run := func(p *p2p.Peer, rw p2p.MsgReadWriter) error {
		runs.Add(1)
		return echo(p, rw)
	}
	f := runFake(func(tb TB) {
		h := New(tb, testProto(run), Peers(3))
		for i, p := range h.Peers() {
			p.Send(0, uint(i))
		}
		for i, p := range slices.Backward(h.Peers()) {
			p.Expect(0, uint(i))
			p.ExpectNone(10 * time.Millisecond)
		}
	})
	f.check(t)
	if n := runs.Load(); n != 3 {
		t.Errorf("Run ran %d times, want 3", n)
	}
}

// Parallel peers on real goroutines, under the race detector when it is
// on: each runs many exchanges while the others do.
func TestParallel(t *testing.T) {
	const peers, rounds = 8, 100
	f := runFake(func(tb TB) {
		h := New(tb, testProto(echo), Peers(peers))
		h.Parallel(func(p *Peer) {
			for i := range rounds {
				p.SendItems(1, uint(p.Index()), uint(i))
				p.Expect(1, []uint{uint(p.Index()), uint(i)})
			}
		})
	})
	f.check(t)
}

func TestParallelFailures(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := runFake(func(tb TB) {
			h := New(tb, testProto(echo), Peers(4))
			h.Parallel(func(p *Peer) {
				p.Send(0, uint(p.Index()))
				switch p.Index() {
				case 1:
					p.Expect(0, uint(7))
				case 3:
					p.Fatalf("custom failure")
				default:
					p.Expect(0, uint(p.Index()))
				}
			})
			tb.Errorf("not reached")
		})
		f.check(t, "peer 1: Expect(code 0, 7): the payload differs (decoded into uint)\n\tgot:      1",
			"peer 3: custom failure",
			"p2ptest: Parallel: 2 of 4 peers failed")
		if !f.fatal || strings.Contains(f.text(), "not reached") {
			t.Errorf("Parallel did not stop the test")
		}
	})
}

func TestClose(t *testing.T) {
	t.Run("reports a Run that does not return", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			release := make(chan struct{})
			stuck := func(*p2p.Peer, p2p.MsgReadWriter) error {
				<-release
				return nil
			}
			var h *Harness
			start := time.Now()
			f := runFake(func(tb TB) { h = New(tb, testProto(stuck), Peers(2), Timeout(time.Second)) })
			// One timeout for all peers, not one each.
			if d := time.Since(start); d != time.Second {
				t.Errorf("Close took %v, want 1s", d)
			}
			f.check(t, "p2ptest: peer 0: Run did not return within 1s of the connection closing; its goroutine is left running (a Run must return once ReadMsg fails)",
				"p2ptest: peer 1: Run did not return within 1s")
			close(release)
			for _, c := range h.conns {
				<-c.done
			}
		})
	})
	t.Run("logs unread messages", func(t *testing.T) {
		f := runFake(func(tb TB) {
			h := New(tb, testProto(sends(2, "left", "over")))
			h.conns[0].inbox.waitLen(1)
		})
		f.check(t)
		want := []string{"p2ptest: peer 0: 1 messages from the protocol were not expected:", "\tcode 2, payload 0xca846c656674846f766572 [\"left\", \"over\"]"}
		if !slices.Equal(f.logs, want) {
			t.Errorf("logs %q, want %q", f.logs, want)
		}
	})
	t.Run("idempotent", func(t *testing.T) {
		f := runFake(func(tb TB) {
			h := New(tb, testProto(silent))
			h.Close()
			h.Close()
			h.Peer(0).ExpectRunReturns(func(err error) bool { return errors.Is(err, io.EOF) })
		})
		f.check(t)
	})
}

// waitLen waits until the inbox holds n messages.
func (b *inbox) waitLen(n int) {
	for {
		b.mu.Lock()
		l := len(b.msgs)
		b.mu.Unlock()
		if l >= n {
			return
		}
		<-b.notify
	}
}

// *testing.T is a TB, and the harness works in a synctest bubble with
// one: a protocol that announces itself every 10 s is tested in no time.
func TestTestingTInBubble(t *testing.T) {
	var _ TB = testing.TB(nil)
	ticker := func(p *p2p.Peer, rw p2p.MsgReadWriter) error {
		readErr := make(chan error, 1)
		go func() { readErr <- silent(p, rw) }()
		tick := time.NewTicker(10 * time.Second)
		defer tick.Stop()
		for n := uint(1); ; n++ {
			select {
			case <-tick.C:
			case err := <-readErr:
				return err
			}
			if err := p2p.Send(rw, 0, n); err != nil {
				return err
			}
		}
	}
	synctest.Test(t, func(t *testing.T) {
		h := New(t, testProto(ticker), Peers(2))
		start := time.Now()
		for n := range uint(3) {
			h.Peer(0).ExpectNone(9 * time.Second)
			for _, p := range h.Peers() {
				p.Expect(0, n+1)
			}
		}
		if d := time.Since(start); d != 30*time.Second {
			t.Errorf("took %v of fake time", d)
		}
		h.Close()
		for _, p := range h.Peers() {
			p.ExpectRunReturns(func(err error) bool { return errors.Is(err, io.EOF) })
		}
	})
}
