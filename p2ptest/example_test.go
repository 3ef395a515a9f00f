package p2ptest_test

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/seednet/p2p"
	"github.com/seednet/p2p/p2ptest"
)

// The protocol of the developers' guide (examples/guide): it answers "foo"
// with "bar" and prints anything else. The guide's handler drops decode
// errors ("handle decode error"); this one returns them, so that a peer
// sending garbage is disconnected, and it quits (returns nil) on "bye".

const messageId = 0

type Message string

func MyProtocol() p2p.Protocol {
	return p2p.Protocol{Name: "MyProtocol", Version: 1, Length: 1, Run: msgHandler}
}

func msgHandler(peer *p2p.Peer, ws p2p.MsgReadWriter) error {
	for {
		msg, err := ws.ReadMsg()
		if err != nil {
			return err
		}
		var myMessage Message
		if err := msg.Decode(&myMessage); err != nil {
			return err
		}
		switch myMessage {
		case "foo":
			if err := p2p.SendItems(ws, messageId, "bar"); err != nil {
				return err
			}
		case "bye":
			return nil
		default:
			fmt.Println("recv:", myMessage)
		}
	}
}

// One peer says "foo" and gets "bar"; what else it says, the protocol
// prints.
func Example() {
	asTest(func(t p2ptest.TB) { // in a test: func TestFooBar(t *testing.T) {
		h := p2ptest.New(t, MyProtocol())
		p := h.Peer(0)
		p.SendItems(messageId, "hello")
		p.SendItems(messageId, "foo")
		p.Expect(messageId, Message("bar"))
		fmt.Println("peer 0 got bar")
	})
	// Output:
	// recv: hello
	// peer 0 got bar
}

// Three peers at once, each with its own run of the protocol; the script
// interleaves them.
func Example_threePeers() {
	asTest(func(t p2ptest.TB) {
		h := p2ptest.New(t, MyProtocol(), p2ptest.Peers(3))
		for _, p := range h.Peers() {
			p.SendItems(messageId, "foo")
		}
		for _, p := range h.Peers() {
			p.Expect(messageId, Message("bar"))
			fmt.Printf("peer %d (%s) got bar\n", p.Index(), p.ID().TerminalString())
		}
	})
	// Output:
	// peer 0 (0000000100000000) got bar
	// peer 1 (0000000200000000) got bar
	// peer 2 (0000000300000000) got bar
}

// A payload that is not RLP: Msg.Decode fails, the protocol returns its
// error, and a server would disconnect the peer for a breach of protocol.
func Example_undecodable() {
	asTest(func(t p2ptest.TB) {
		h := p2ptest.New(t, MyProtocol())
		p := h.Peer(0)
		p.SendRaw(messageId, []byte{0xc1}) // a list header without its byte
		p.ExpectDisconnect(p2p.DiscProtocolError)
		fmt.Println("disconnected:", p2p.DiscProtocolError)
	})
	// Output:
	// disconnected: breach of protocol
}

// A protocol that returns nil ends the connection with DiscQuitting.
func Example_quitting() {
	asTest(func(t p2ptest.TB) {
		h := p2ptest.New(t, MyProtocol())
		p := h.Peer(0)
		p.SendItems(messageId, "bye")
		p.ExpectDisconnect(p2p.DiscQuitting)
		fmt.Println("disconnected:", p2p.DiscQuitting)
	})
	// Output:
	// disconnected: client quitting
}

// The exchanges above as one script; steps run in order.
func ExampleHarness_Run() {
	asTest(func(t p2ptest.TB) {
		h := p2ptest.New(t, MyProtocol(), p2ptest.Peers(2))
		h.Run(p2ptest.Script{
			{Peer: 0, Do: p2ptest.SendItems(messageId, "foo")},
			{Peer: 1, Do: p2ptest.SendItems(messageId, "foo")},
			{Peer: 1, Do: p2ptest.Expect(messageId, []string{"bar"})},
			{Peer: 0, Do: p2ptest.Expect(messageId, Message("bar"))},
			{Peer: 0, Do: p2ptest.ExpectNone(10 * time.Millisecond)},
			{Peer: 1, Do: p2ptest.SendRaw(messageId, []byte{0xc1}), Label: "garbage"},
			{Peer: 1, Do: p2ptest.ExpectDisconnect(p2p.DiscProtocolError)},
			{Peer: 0, Do: p2ptest.SendItems(messageId, "bye")},
			{Peer: 0, Do: p2ptest.ExpectDisconnect(p2p.DiscQuitting)},
		})
		fmt.Println("script passed")
	})
	// Output:
	// script passed
}

// Peers that talk at the same time, each in a goroutine of its own.
func ExampleHarness_Parallel() {
	asTest(func(t p2ptest.TB) {
		h := p2ptest.New(t, MyProtocol(), p2ptest.Peers(3))
		h.Parallel(func(p *p2ptest.Peer) {
			for range 10 {
				p.SendItems(messageId, "foo")
				p.Expect(messageId, Message("bar"))
			}
		})
		fmt.Println("30 answers")
	})
	// Output:
	// 30 answers
}

// What a failure says: here, the test expects "baz" where the protocol
// answers "bar".
func Example_failure() {
	asTest(func(t p2ptest.TB) {
		h := p2ptest.New(t, MyProtocol())
		h.Run(p2ptest.Script{
			{Peer: 0, Do: p2ptest.SendItems(messageId, "foo")},
			{Peer: 0, Do: p2ptest.Expect(messageId, Message("baz")), Label: "answer"},
		})
		fmt.Println("not reached")
	})
	// Output:
	// FAIL: step 2 of 2 (answer): peer 0: Expect(code 0, "baz"): the payload differs (decoded into p2ptest_test.Message)
	// 	got:      "bar"
	// 	got RLP:  0xc483626172 ["bar"]
	// 	want:     "baz"
	// 	want RLP: 0x8362617a "baz"
}

// asTest runs f as package testing runs a test function: in a goroutine
// of its own, which Fatalf ends, then the cleanups. It prints failures,
// prefixed with "FAIL: ". A test passes its *testing.T instead.
func asTest(f func(t p2ptest.TB)) {
	t := &printT{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(t)
	}()
	<-done
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
}

// printT is the p2ptest.TB of the examples.
type printT struct {
	mu       sync.Mutex
	cleanups []func()
}

func (t *printT) Helper()                           {}
func (t *printT) Logf(format string, args ...any)   {}
func (t *printT) Errorf(format string, args ...any) { t.print(format, args...) }

func (t *printT) Fatalf(format string, args ...any) {
	t.print(format, args...)
	runtime.Goexit()
}

func (t *printT) Cleanup(f func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cleanups = append(t.cleanups, f)
}

func (t *printT) print(format string, args ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Println("FAIL:", strings.TrimSpace(fmt.Sprintf(format, args...)))
}
