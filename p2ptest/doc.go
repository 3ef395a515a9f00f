// Package p2ptest tests a sub-protocol (a p2p.Protocol) without a network:
// it runs the protocol's Run function against scripted peers, and a test
// says what each peer sends and what it expects back, down to the
// disconnect reason.
//
//	h := p2ptest.New(t, MyProtocol())
//	p := h.Peer(0)
//	p.SendItems(0, "foo")
//	p.Expect(0, "bar")
//	p.SendRaw(0, []byte{0xc1}) // not RLP
//	p.ExpectDisconnect(p2p.DiscProtocolError)
//
// The same exchange can be written as data, a Script of steps that
// Harness.Run runs in order:
//
//	h.Run(p2ptest.Script{
//		{Peer: 0, Do: p2ptest.SendItems(0, "foo")},
//		{Peer: 0, Do: p2ptest.Expect(0, "bar")},
//		{Peer: 0, Do: p2ptest.SendRaw(0, []byte{0xc1}), Label: "not RLP"},
//		{Peer: 0, Do: p2ptest.ExpectDisconnect(p2p.DiscProtocolError)},
//	})
//
// # How it runs the protocol
//
// New starts one run of the protocol per scripted peer (Peers(n) for more
// than one), each given a *p2p.Peer from p2p.NewPeerPipe and one end of a
// p2p.MsgPipe; the harness holds the other end. It behaves as a server's
// connection does where a Run function can tell:
//
//   - WriteMsg refuses a code outside the protocol's Length with an error
//     wrapping p2p.ErrInvalidMsgCode, and a payload larger than a frame or
//     shorter than the message's Size with an error. It reads the whole
//     payload and does not wait for the script: the harness keeps each
//     message until an expectation takes it, as a network buffers.
//   - ReadMsg returns a message whose payload is all there; Run need not
//     read it.
//   - ReadMsg and WriteMsg return io.EOF once the connection is closed.
//   - When Run returns, the connection closes; what Run returned says
//     which disconnect reason a server would send, by the table in
//     p2p.Protocol.Run's doc.
//
// Sending works the other way: Send returns once Run has taken the message
// with ReadMsg, so that a test knows its message arrived before it expects
// an answer, and a Run that stops reading fails the Send at the timeout. A
// code outside the protocol's range fails Send, since a server would drop
// the peer without passing the message on.
//
// # Expectations and failures
//
// Each peer's messages are expected in the order the protocol sent them.
// Expect decodes a message with Msg.Decode into a value of the expected
// value's type and compares the two by their RLP encoding; ExpectMatch
// hands the message to a function instead. ExpectNone waits a given time
// for silence; ExpectDisconnect and ExpectRunReturns wait for Run to
// return.
//
// Every wait has a timeout: DefaultTimeout, or the Timeout option. A
// failure calls t.Fatalf with a message that names the peer, the script
// step when there is one, what was expected and what happened instead: the
// message that came (its code, its payload as a Go value, in hex and as an
// RLP structure), or where Run stood (still running, returned what and
// with which reason, panicked). For example:
//
//	step 2 of 4: peer 0: Expect(code 0, "bar"): the payload differs (decoded into string)
//		got:      "baz"
//		got RLP:  0xc48362617a ["baz"]
//		want:     "bar"
//		want RLP: 0x83626172 "bar"
//
// Since t.Fatalf must be called from the test's goroutine, so must the
// methods of the peers that Harness.Peer returns. Harness.Parallel runs a
// function per peer in goroutines of their own, with peers that record
// failures instead, and reports them from the test's goroutine. The
// harness takes a TB, the few methods of testing.TB it uses, so that its
// own tests and the examples can pass something other than a *testing.T.
//
// # Goroutines
//
// Each scripted peer costs three goroutines while it runs: the protocol's
// Run, a reader that takes Run's messages off the pipe, and (during a Send)
// a writer. Harness.Close, which New registers with t.Cleanup, closes every
// connection and waits for all of them; a Run that does not return once
// its reads fail is reported, as is one that panicked (the harness
// recovers the panic, so that the test binary survives to say so). Close
// logs the messages the protocol sent that no expectation took.
//
// The harness's waits use timers and channels only, so a test can run it
// inside a testing/synctest bubble, where a five-second timeout passes
// at once.
//
// A protocol that ends a connection by calling Peer.Disconnect(reason)
// gives that reason, which ExpectDisconnect reads with
// Peer.DisconnectReason; ExpectRunReturns checks what Run returned after.
//
// # Compared with go-ethereum's p2p/testing
//
// go-ethereum had a protocol tester (since deleted) built on its network
// simulation: exchanges of triggers and expects, matched against a whole
// simulated node. This package needs no simulation, runs the Run function
// itself, and checks disconnect reasons by the library's own rules rather
// than by the error a peer ended with.
package p2ptest
