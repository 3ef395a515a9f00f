package p2ptest

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seednet/p2p"
	"github.com/seednet/p2p/rlp"
)

// harnessCase drives a harness through a fake TB and says what it must
// report.
type harnessCase struct {
	name string
	run  func(*p2p.Peer, p2p.MsgReadWriter) error
	opts []Option
	test func(h *Harness)
	want []string // parts of the failures, in order; none: the test passes
}

// runCases runs each case in a synctest bubble, where timeouts pass at
// once.
func runCases(t *testing.T, cases []harnessCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var h *Harness
				f := runFake(func(tb TB) {
					h = New(tb, testProto(c.run), c.opts...)
					c.test(h)
				})
				f.check(t, c.want...)
				// A Run that outlived Close must end before the bubble.
				if h != nil {
					for _, c := range h.conns {
						<-c.done
					}
				}
			})
		})
	}
}

func TestSend(t *testing.T) {
	runCases(t, []harnessCase{
		{
			name: "Send",
			run:  echo,
			test: func(h *Harness) {
				h.Peer(0).Send(1, "foo")
				h.Peer(0).Expect(1, "foo")
			},
		},
		{
			name: "SendItems",
			run:  echo,
			test: func(h *Harness) {
				h.Peer(0).SendItems(2, "foo", uint(42))
				h.Peer(0).Expect(2, rlp.RawValue{0xc5, 0x83, 'f', 'o', 'o', 42})
			},
		},
		{
			name: "SendRaw",
			run:  echo,
			test: func(h *Harness) {
				h.Peer(0).SendRaw(3, []byte{0xff, 0x00})
				h.Peer(0).ExpectMatch(3, func(msg p2p.Msg) error {
					b, _ := io.ReadAll(msg.Payload)
					if string(b) != "\xff\x00" {
						return fmt.Errorf("payload %x", b)
					}
					return nil
				})
			},
		},
		{
			name: "Run takes the message without reading its payload",
			run:  silent,
			test: func(h *Harness) {
				start := time.Now()
				h.Peer(0).SendItems(0, "a", "b", "c")
				h.Peer(0).Send(1, []byte("payload"))
				if d := time.Since(start); d != 0 {
					h.t.Errorf("the sends took %v", d)
				}
			},
		},
		{
			name: "code outside the protocol's range",
			run:  echo,
			test: func(h *Harness) { h.Peer(0).Send(4, "foo") },
			want: []string{`peer 0: Send(code 4, "foo"): code 4 is outside protocol test/1's range (Length 4); ` +
				`a server disconnects a peer that sends it with breach of protocol (0x02) before the protocol sees it`},
		},
		{
			name: "payload that does not encode",
			run:  echo,
			test: func(h *Harness) { h.Peer(0).Send(0, -1) },
			want: []string{"peer 0: Send(code 0, -1): cannot RLP-encode the payload: rlp: type is not RLP-serializable: int"},
		},
		{
			name: "Run does not read",
			run: func(*p2p.Peer, p2p.MsgReadWriter) error {
				time.Sleep(time.Minute)
				return nil
			},
			test: func(h *Harness) {
				start := time.Now()
				defer func() {
					if d := time.Since(start); d != DefaultTimeout {
						h.t.Errorf("Send failed after %v, want %v", d, DefaultTimeout)
					}
				}()
				h.Peer(0).SendItems(0, "foo")
			},
			want: []string{`peer 0: SendItems(code 0, "foo"): Run did not take the message (ReadMsg) within 5s; Run is still running`,
				"p2ptest: peer 0: Run did not return within 5s of the connection closing; its goroutine is left running"},
		},
		{
			name: "after Run returned",
			run:  returns(nil),
			test: func(h *Harness) {
				h.conns[0].waitEnd(time.Second)
				h.Peer(0).SendRaw(0, []byte{0x80})
			},
			want: []string{"peer 0: SendRaw(code 0, 0x80): the connection is closed: Run returned nil (disconnect reason: client quitting (0x08))"},
		},
		{
			name: "after Close",
			run:  echo,
			test: func(h *Harness) {
				h.Peer(0).Close()
				h.Peer(0).Send(0, uint(1))
			},
			want: []string{"peer 0: Send(code 0, 1): the script closed the connection"},
		},
	})
}

func TestExpect(t *testing.T) {
	runCases(t, []harnessCase{
		{
			name: "one item decodes into a value",
			run:  sends(0, "bar"),
			test: func(h *Harness) { h.Peer(0).Expect(0, "bar") },
		},
		{
			name: "and into a list",
			run:  sends(0, "bar"),
			test: func(h *Harness) { h.Peer(0).Expect(0, []string{"bar"}) },
		},
		{
			name: "struct",
			run:  sends(1, uint(7), "x", []byte{1, 2}),
			test: func(h *Harness) {
				type status struct {
					Version uint
					Name    string
					Hash    []byte
				}
				h.Peer(0).Expect(1, status{7, "x", []byte{1, 2}})
			},
		},
		{
			name: "pointer",
			run:  sends(1, uint(7)),
			test: func(h *Harness) {
				type ping struct{ N uint }
				h.Peer(0).Expect(1, &ping{7})
			},
		},
		{
			name: "nil slice equals an empty list",
			run:  sendsValue(0, []uint{}),
			test: func(h *Harness) { h.Peer(0).Expect(0, []uint(nil)) },
		},
		{
			name: "nil checks the code only",
			run:  sends(2, "anything", uint(1)),
			test: func(h *Harness) { h.Peer(0).Expect(2, nil) },
		},
		{
			name: "payload differs",
			run:  sends(0, "bar"),
			test: func(h *Harness) { h.Peer(0).Expect(0, "baz") },
			want: []string{`peer 0: Expect(code 0, "baz"): the payload differs (decoded into string)
	got:      "bar"
	got RLP:  0xc483626172 ["bar"]
	want:     "baz"
	want RLP: 0x8362617a "baz"`},
		},
		{
			name: "struct differs",
			run:  sends(1, uint(7), "x"),
			test: func(h *Harness) {
				type status struct {
					Version uint
					Name    string
				}
				h.Peer(0).Expect(1, status{8, "x"})
			},
			want: []string{"the payload differs (decoded into p2ptest.status)",
				"got:      {Version:7 Name:x}", "got RLP:  0xc20778 [0x07, 0x78]",
				"want:     {Version:8 Name:x}", "want RLP: 0xc20878 [0x08, 0x78]"},
		},
		{
			name: "raw value compares bytes",
			run:  sends(0, "bar"),
			test: func(h *Harness) { h.Peer(0).Expect(0, rlp.RawValue{0x83, 'b', 'a', 'r'}) },
			want: []string{"the payload differs (decoded into rlp.RawValue)",
				"got:      rlp.RawValue(0xc483626172)", `want RLP: 0x83626172 "bar"`},
		},
		{
			name: "does not decode",
			run:  sends(0, "a", "b"),
			test: func(h *Harness) { h.Peer(0).Expect(0, "a") },
			want: []string{`peer 0: Expect(code 0, "a"): the payload does not decode into string: `,
				"payload is a list of 2 items",
				`got RLP:  0xc26162 [0x61, 0x62]`, `want:     "a"`, "want RLP: 0x61"},
		},
		{
			name: "wrong code",
			run:  sends(1, "bar"),
			test: func(h *Harness) { h.Peer(0).Expect(0, "bar") },
			want: []string{`peer 0: Expect(code 0, "bar"): got code 1 instead, payload 0xc483626172 ["bar"]`},
		},
		{
			name: "Run returned",
			run:  returns(errors.New("boom")),
			test: func(h *Harness) { h.Peer(0).Expect(0, "bar") },
			want: []string{`peer 0: Expect(code 0, "bar"): no message: Run returned "boom" (disconnect reason: subprotocol error (0x10))`},
		},
		{
			name: "messages sent before Run returned",
			run: func(_ *p2p.Peer, rw p2p.MsgReadWriter) error {
				p2p.SendItems(rw, 0, "a")
				p2p.SendItems(rw, 1, "b")
				return nil
			},
			test: func(h *Harness) {
				h.conns[0].waitEnd(time.Second)
				h.Peer(0).Expect(0, "a")
				h.Peer(0).Expect(1, "b")
				h.Peer(0).ExpectDisconnect(p2p.DiscQuitting)
			},
		},
		{
			name: "timeout",
			run:  silent,
			test: func(h *Harness) {
				start := time.Now()
				defer func() {
					if d := time.Since(start); d != DefaultTimeout {
						h.t.Errorf("Expect failed after %v, want %v", d, DefaultTimeout)
					}
				}()
				h.Peer(0).Expect(0, nil)
			},
			want: []string{"peer 0: Expect(code 0, any payload): no message within 5s; Run is still running"},
		},
		{
			name: "Timeout option",
			run:  silent,
			opts: []Option{Timeout(300 * time.Millisecond)},
			test: func(h *Harness) { h.Peer(0).Expect(0, nil) },
			want: []string{"no message within 300ms; Run is still running"},
		},
		{
			name: "expected value that does not encode",
			run:  sends(0, "bar"),
			test: func(h *Harness) { h.Peer(0).Expect(0, -1) },
			want: []string{"peer 0: Expect(code 0, -1): the payload does not decode into int: ",
				"want:     -1\n\twant RLP: cannot encode it: rlp: type is not RLP-serializable: int"},
		},
		{
			name: "after Close, Run still running",
			run: func(*p2p.Peer, p2p.MsgReadWriter) error {
				time.Sleep(time.Minute)
				return nil
			},
			test: func(h *Harness) {
				h.Peer(0).Close()
				h.Peer(0).Expect(0, nil)
			},
			want: []string{"peer 0: Expect(code 0, any payload): no message within 5s; the script closed the connection; Run has not returned yet",
				"p2ptest: peer 0: Run did not return within 5s of the connection closing"},
		},
		{
			name: "payload shorter than its size",
			run: func(p *p2p.Peer, rw p2p.MsgReadWriter) error {
				return rw.WriteMsg(p2p.Msg{Code: 0, Size: 10, Payload: io.LimitReader(eternalZeros{}, 3)})
			},
			test: func(h *Harness) {
				h.Peer(0).ExpectRunReturns(func(err error) bool {
					return err.Error() == "p2p: reading message payload: unexpected EOF"
				})
				h.Peer(0).ExpectNone(time.Second)
			},
			want: []string{"peer 0: ExpectNone(1s): the connection ended: Run returned \"p2p: reading message payload: unexpected EOF\" (disconnect reason: subprotocol error (0x10))"},
		},
		{
			name: "payload over the frame limit",
			run: func(p *p2p.Peer, rw p2p.MsgReadWriter) error {
				return rw.WriteMsg(p2p.Msg{Code: 0, Size: 1 << 24, Payload: eternalZeros{}})
			},
			test: func(h *Harness) {
				h.Peer(0).ExpectRunReturns(func(err error) bool {
					return err.Error() == "p2p: message of 16777216 bytes is over the limit"
				})
			},
		},
		{
			name: "nil payload",
			run: func(p *p2p.Peer, rw p2p.MsgReadWriter) error {
				rw.WriteMsg(p2p.Msg{Code: 2, Size: 5})
				return silent(p, rw)
			},
			test: func(h *Harness) {
				h.Peer(0).ExpectMatch(2, func(msg p2p.Msg) error {
					if msg.Size != 0 {
						return fmt.Errorf("size %d", msg.Size)
					}
					return nil
				})
			},
		},
	})
}

type eternalZeros struct{}

func (eternalZeros) Read(b []byte) (int, error) {
	clear(b)
	return len(b), nil
}

func TestExpectMatch(t *testing.T) {
	runCases(t, []harnessCase{
		{
			name: "match",
			run:  sends(3, "a", "b"),
			test: func(h *Harness) {
				h.Peer(0).ExpectMatch(3, func(msg p2p.Msg) error {
					var got []string
					if err := msg.Decode(&got); err != nil {
						return err
					}
					if len(got) != 2 {
						return fmt.Errorf("%d items, want 2", len(got))
					}
					if msg.ReceivedAt.IsZero() {
						return errors.New("no ReceivedAt")
					}
					return nil
				})
			},
		},
		{
			name: "nil function checks the code",
			run:  sends(3, "a"),
			test: func(h *Harness) { h.Peer(0).ExpectMatch(3, nil) },
		},
		{
			name: "error",
			run:  sends(3, "a"),
			test: func(h *Harness) {
				h.Peer(0).ExpectMatch(3, func(p2p.Msg) error { return errors.New("want two items") })
			},
			want: []string{"peer 0: ExpectMatch(code 3): want two items\n\tgot RLP: 0xc161 [0x61]"},
		},
		{
			name: "wrong code",
			run:  sends(2, "a"),
			test: func(h *Harness) {
				h.Peer(0).ExpectMatch(3, func(p2p.Msg) error { panic("not called") })
			},
			want: []string{"peer 0: ExpectMatch(code 3): got code 2 instead, payload 0xc161 [0x61]"},
		},
	})
}

func TestExpectNone(t *testing.T) {
	runCases(t, []harnessCase{
		{
			name: "silence",
			run:  silent,
			test: func(h *Harness) {
				start := time.Now()
				h.Peer(0).ExpectNone(2 * time.Second)
				if d := time.Since(start); d != 2*time.Second {
					h.t.Errorf("ExpectNone returned after %v, want 2s", d)
				}
			},
		},
		{
			name: "a message",
			run: func(p *p2p.Peer, rw p2p.MsgReadWriter) error {
				time.Sleep(time.Second)
				return sends(1, uint(5))(p, rw)
			},
			test: func(h *Harness) { h.Peer(0).ExpectNone(2 * time.Second) },
			want: []string{"peer 0: ExpectNone(2s): the protocol sent code 1, payload 0xc105 [0x05]"},
		},
		{
			name: "a message already there",
			run:  sends(1, uint(5)),
			test: func(h *Harness) {
				time.Sleep(time.Second)
				h.Peer(0).ExpectNone(time.Millisecond)
			},
			want: []string{"the protocol sent code 1"},
		},
		{
			name: "Run returned",
			run:  returns(nil),
			test: func(h *Harness) { h.Peer(0).ExpectNone(time.Second) },
			want: []string{"peer 0: ExpectNone(1s): the connection ended: Run returned nil (disconnect reason: client quitting (0x08))"},
		},
	})
}

// A protocol that ends with each kind of error, and the reason a server
// would give: the table of p2p.Protocol.Run's doc.
func TestExpectDisconnect(t *testing.T) {
	reasons := []struct {
		name string
		run  func(*p2p.Peer, p2p.MsgReadWriter) error
		send []byte // sent first, if not nil
		want p2p.DiscReason
	}{
		{"reason", returns(p2p.DiscUselessPeer), nil, p2p.DiscUselessPeer},
		{"wrapped reason", returns(fmt.Errorf("full: %w", p2p.DiscTooManyPeers)), nil, p2p.DiscTooManyPeers},
		{"remote disconnect", returns(&p2p.RemoteDisconnectError{Reason: p2p.DiscRequested}), nil, p2p.DiscRequested},
		{"decode error", decoder, []byte{0xc1}, p2p.DiscProtocolError},
		{"ErrInvalidMsg", returns(fmt.Errorf("bad: %w", p2p.ErrInvalidMsg)), nil, p2p.DiscProtocolError},
		{"WriteMsg code out of range", func(_ *p2p.Peer, rw p2p.MsgReadWriter) error {
			return p2p.SendItems(rw, 4, "x")
		}, nil, p2p.DiscProtocolError},
		{"nil", returns(nil), nil, p2p.DiscQuitting},
		{"ErrProtocolReturned", returns(p2p.ErrProtocolReturned), nil, p2p.DiscQuitting},
		{"other error", returns(errors.New("boom")), nil, p2p.DiscSubprotocolError},
	}
	var cases []harnessCase
	for _, r := range reasons {
		test := func(h *Harness) {
			if r.send != nil {
				h.Peer(0).SendRaw(0, r.send)
			}
			h.Peer(0).ExpectDisconnect(r.want)
		}
		cases = append(cases, harnessCase{name: r.name, run: r.run, test: test})
		// The same run expected to give another reason fails, naming both.
		other := p2p.DiscAlreadyConnected
		cases = append(cases, harnessCase{
			name: r.name + "/wrong reason",
			run:  r.run,
			test: func(h *Harness) {
				if r.send != nil {
					h.Peer(0).SendRaw(0, r.send)
				}
				h.Peer(0).ExpectDisconnect(other)
			},
			want: []string{"peer 0: ExpectDisconnect(already connected (0x05)): Run returned ",
				fmt.Sprintf("(disconnect reason: %s)", describeReason(r.want))},
		})
	}
	cases = append(cases, []harnessCase{
		{
			name: "wrong reason, whole message",
			run:  returns(nil),
			test: func(h *Harness) { h.Peer(0).ExpectDisconnect(p2p.DiscProtocolError) },
			want: []string{"peer 0: ExpectDisconnect(breach of protocol (0x02)): Run returned nil (disconnect reason: client quitting (0x08))"},
		},
		{
			name: "timeout",
			run:  sends(0, "hello"),
			test: func(h *Harness) { h.Peer(0).ExpectDisconnect(p2p.DiscQuitting) },
			want: []string{"peer 0: ExpectDisconnect(client quitting (0x08)): Run did not return within 5s; Run is still running; " +
				"meanwhile the protocol sent 1 messages:\n\tcode 0, payload 0xc68568656c6c6f [\"hello\"]"},
		},
		{
			name: "Peer.Disconnect",
			run: func(p *p2p.Peer, rw p2p.MsgReadWriter) error {
				p.Disconnect(p2p.DiscUselessPeer)
				return nil
			},
			test: func(h *Harness) { h.Peer(0).ExpectDisconnect(p2p.DiscUselessPeer) },
		},
		{
			name: "Peer.Disconnect, another reason",
			run: func(p *p2p.Peer, rw p2p.MsgReadWriter) error {
				p.Disconnect(p2p.DiscTooManyPeers)
				return nil
			},
			test: func(h *Harness) { h.Peer(0).ExpectDisconnect(p2p.DiscUselessPeer) },
			want: []string{"peer 0: ExpectDisconnect(useless peer (0x03)): the protocol called Peer.Disconnect, then Run returned nil; " +
				"the protocol called Peer.Disconnect with too many peers (0x04)"},
		},
		{
			name: "Peer.Disconnect, Run still running",
			run: func(p *p2p.Peer, rw p2p.MsgReadWriter) error {
				p.Disconnect(p2p.DiscUselessPeer)
				time.Sleep(time.Minute)
				return nil
			},
			test: func(h *Harness) { h.Peer(0).ExpectDisconnect(p2p.DiscUselessPeer) },
			want: []string{"peer 0: ExpectDisconnect(useless peer (0x03)): Run did not return within 5s; " +
				"the protocol called Peer.Disconnect; Run has not returned yet",
				"p2ptest: peer 0: Run did not return within 5s of the connection closing"},
		},
		{
			name: "timeout, many messages",
			run: func(p *p2p.Peer, rw p2p.MsgReadWriter) error {
				for i := range 5 {
					p2p.Send(rw, 1, uint(i))
				}
				return silent(p, rw)
			},
			test: func(h *Harness) { h.Peer(0).ExpectRunReturns(nil) },
			want: []string{"peer 0: ExpectRunReturns: Run did not return within 5s; Run is still running; " +
				"meanwhile the protocol sent 5 messages:\n\tcode 1, payload 0x80 \"\"\n\tcode 1, payload 0x01\n\tcode 1, payload 0x02\n\t..."},
		},
		{
			name: "script closed first",
			run:  silent,
			test: func(h *Harness) {
				h.Peer(0).Close()
				h.Peer(0).ExpectDisconnect(p2p.DiscQuitting)
			},
			want: []string{`peer 0: ExpectDisconnect(client quitting (0x08)): the script closed the connection, then Run returned "EOF": the protocol did not end the connection`},
		},
		{
			name: "panic",
			run:  func(*p2p.Peer, p2p.MsgReadWriter) error { panic("oops") },
			test: func(h *Harness) { h.Peer(0).ExpectDisconnect(p2p.DiscQuitting) },
			want: []string{"peer 0: ExpectDisconnect(client quitting (0x08)): Run panicked: oops\ngoroutine ",
				"p2ptest: peer 0: Run panicked: oops"},
		},
	}...)
	runCases(t, cases)
}

func TestExpectRunReturns(t *testing.T) {
	isEOF := func(err error) bool { return errors.Is(err, io.EOF) }
	runCases(t, []harnessCase{
		{
			name: "EOF after Close",
			run:  silent,
			test: func(h *Harness) {
				h.Peer(0).Close()
				h.Peer(0).ExpectRunReturns(isEOF)
			},
		},
		{
			name: "WriteMsg after Close",
			run: func(p *p2p.Peer, rw p2p.MsgReadWriter) error {
				time.Sleep(time.Second)
				return p2p.SendItems(rw, 0, "late")
			},
			test: func(h *Harness) {
				h.Peer(0).Close()
				h.Peer(0).ExpectRunReturns(isEOF)
			},
		},
		{
			name: "WriteMsg code out of range",
			run: func(_ *p2p.Peer, rw p2p.MsgReadWriter) error {
				return p2p.SendItems(rw, 9, "x")
			},
			test: func(h *Harness) {
				h.Peer(0).ExpectRunReturns(func(err error) bool {
					return errors.Is(err, p2p.ErrInvalidMsgCode) && err.Error() == "p2p: invalid message code: code 9, protocol test has 4"
				})
			},
		},
		{
			name: "nil check",
			run:  returns(errors.New("anything")),
			test: func(h *Harness) { h.Peer(0).ExpectRunReturns(nil) },
		},
		{
			name: "refused",
			run:  returns(errors.New("boom")),
			test: func(h *Harness) { h.Peer(0).ExpectRunReturns(isEOF) },
			want: []string{`peer 0: ExpectRunReturns: the check refused what Run returned: Run returned "boom" (disconnect reason: subprotocol error (0x10))`},
		},
		{
			name: "timeout",
			run:  silent,
			test: func(h *Harness) { h.Peer(0).ExpectRunReturns(nil) },
			want: []string{"peer 0: ExpectRunReturns: Run did not return within 5s; Run is still running"},
		},
		{
			name: "Goexit",
			run: func(*p2p.Peer, p2p.MsgReadWriter) error {
				runtime.Goexit()
				return nil
			},
			test: func(h *Harness) { h.Peer(0).ExpectRunReturns(nil) },
			want: []string{"peer 0: ExpectRunReturns: Run's goroutine exited through runtime.Goexit (t.FailNow or t.Fatal called inside Run?)",
				"p2ptest: peer 0: Run's goroutine exited through runtime.Goexit"},
		},
	})
}
