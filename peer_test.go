package p2p

import (
	"errors"
	"net"
	"runtime"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/internal/testutil"
	"github.com/seednet/p2p/rlpx"
)

// pipePeer runs the RLPx handshake over net.Pipe and returns a Peer on one
// end, running proto, and the raw connection of the other end (Hello done,
// snappy on). For tests inside synctest bubbles.
func pipePeer(t *testing.T, proto *Protocol) (*Peer, *rlpx.Conn) {
	t.Helper()
	fd1, fd2 := net.Pipe()
	k1, k2 := testutil.NewKey(t), testutil.NewKey(t)
	c1, c2 := rlpx.NewConn(fd1, nil), rlpx.NewConn(fd2, &k1.PublicKey)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if _, err := c1.Handshake(k1); err != nil {
			t.Error(err)
		}
	}()
	if _, err := c2.Handshake(k2); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	c1.SetSnappy(true)
	c2.SetSnappy(true)
	srv := &Server{Logger: testutil.Logger(t)}
	var protos []*protoRW
	caps := []Cap{}
	if proto != nil {
		protos = matchProtocols([]Protocol{*proto}, []Cap{proto.cap()})
		caps = append(caps, proto.cap())
	}
	node := enode.NewV4(&k2.PublicKey, net.IPv4(127, 0, 0, 1), 1, 1)
	p := newPeer(srv, c1, node.ID(), node, &helloMsg{Name: "remote", Caps: caps}, protos, InboundConn)
	return p, c2
}

// TestSilentPeerTimesOut: a peer that sends nothing is dropped after the
// read timeout with DiscReadTimeout, and is told so. It is pinged while it
// is silent.
func TestSilentPeerTimesOut(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, remote := pipePeer(t, nil)
		start := time.Now()
		type result struct {
			pings  int
			reason DiscReason
		}
		got := make(chan result, 1)
		go func() {
			var r result
			for {
				code, data, _, err := remote.Read()
				if err != nil {
					got <- r
					return
				}
				switch code {
				case pingMsg:
					r.pings++
				case discMsg:
					r.reason = decodeDisconnect(data)
				}
			}
		}()
		err, remoteRequested := p.run()
		if !errors.Is(err, DiscReadTimeout) || remoteRequested {
			t.Fatalf("peer ended with %v (remote requested %v)", err, remoteRequested)
		}
		if d := time.Since(start); d < frameReadTimeout || d > frameReadTimeout+2*time.Second {
			t.Errorf("dropped after %v", d)
		}
		r := <-got
		if r.reason != DiscReadTimeout || r.pings < 1 {
			t.Errorf("remote saw %d pings and disconnect reason %v", r.pings, r.reason)
		}
	})
}

// TestPeerThatNeverReads: our writes to a peer that never reads time out
// after the write timeout and the peer is dropped; the protocol's writes
// return errors instead of blocking forever.
func TestPeerThatNeverReads(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		writeErr := make(chan error, 1)
		proto := &Protocol{Name: "flood", Version: 1, Length: 1, Run: func(p *Peer, rw MsgReadWriter) error {
			payload := make([]byte, 1024)
			for {
				if err := SendItems(rw, 0, payload); err != nil {
					writeErr <- err
					return err
				}
			}
		}}
		p, remote := pipePeer(t, proto)
		defer remote.Close()
		start := time.Now()
		err, _ := p.run()
		if !errors.Is(err, DiscNetworkError) {
			t.Fatalf("peer ended with %v", err)
		}
		if d := time.Since(start); d < frameWriteTimeout || d > frameWriteTimeout+2*time.Second {
			t.Errorf("dropped after %v", d)
		}
		if err := <-writeErr; err == nil {
			t.Error("protocol write did not fail")
		}
	})
}

// TestSlowProtocolDoesNotStallOthers: one protocol that does not read its
// messages does not hold up another protocol of the same peer until its
// queue is full.
func TestSlowProtocolDoesNotStallOthers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		fastGot := make(chan int, 100)
		slow := Protocol{Name: "aslow", Version: 1, Length: 1, Run: func(p *Peer, rw MsgReadWriter) error {
			<-release
			for {
				if _, err := rw.ReadMsg(); err != nil {
					return err
				}
			}
		}}
		fast := Protocol{Name: "bfast", Version: 1, Length: 1, Run: func(p *Peer, rw MsgReadWriter) error {
			for {
				msg, err := rw.ReadMsg()
				if err != nil {
					return err
				}
				fastGot <- int(msg.Size)
				msg.Discard()
			}
		}}
		fd1, fd2 := net.Pipe()
		k1, k2 := testutil.NewKey(t), testutil.NewKey(t)
		c1, c2 := rlpx.NewConn(fd1, nil), rlpx.NewConn(fd2, &k1.PublicKey)
		hs := make(chan error, 1)
		go func() { _, err := c1.Handshake(k1); hs <- err }()
		if _, err := c2.Handshake(k2); err != nil {
			t.Fatal(err)
		}
		if err := <-hs; err != nil {
			t.Fatal(err)
		}
		srv := &Server{Logger: testutil.Logger(t)}
		caps := []Cap{slow.cap(), fast.cap()}
		protos := matchProtocols([]Protocol{slow, fast}, caps)
		n := enode.NewV4(&k2.PublicKey, net.IPv4(127, 0, 0, 1), 1, 1)
		p := newPeer(srv, c1, n.ID(), n, &helloMsg{Caps: caps}, protos, InboundConn)
		done := make(chan error, 1)
		go func() { err, _ := p.run(); done <- err }()
		go func() { // the remote reads whatever we send
			for {
				if _, _, _, err := c2.Read(); err != nil {
					return
				}
			}
		}()
		// 100 messages of 10 KiB to the slow protocol (offset 16), then 10
		// to the fast one (offset 17).
		for range 100 {
			c2.Write(16, make([]byte, 10<<10))
		}
		for range 10 {
			c2.Write(17, []byte{0xC0})
		}
		for range 10 {
			<-fastGot
		}
		close(release)
		p.Disconnect(DiscRequested)
		if err := <-done; !errors.Is(err, DiscRequested) {
			t.Fatal(err)
		}
	})
}

// TestManyDroppedHandshakes opens 10,000 connections to a server and drops
// each in the middle of the RLPx handshake, while a good peer keeps
// exchanging messages. Afterwards no goroutine of those connections is
// left.
func TestManyDroppedHandshakes(t *testing.T) {
	got := make(chan string, 1000)
	hub := startServer(t, &Server{MaxPeers: 10, Protocols: []Protocol{echoProtocol(got)}, Logger: discardLogger})
	good := startServer(t, &Server{Protocols: []Protocol{echoProtocol(nil)}, Logger: discardLogger})
	good.AddPeer(hub.Self())
	waitPeers(t, hub, 1)
	recvN(t, got, 2)
	before := runtime.NumGoroutine()

	addr := hub.NodeInfo().ListenAddr
	const total, workers = 10000, 8
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			junk := make([]byte, 100)
			for i := w; i < total; i += workers {
				fd, err := net.Dial("tcp", addr)
				if err != nil {
					t.Error(err)
					return
				}
				if i%2 == 0 {
					junk[0] = 0x01 // an EIP-8 size prefix, then not enough bytes
					fd.Write(junk)
				}
				fd.(*net.TCPConn).SetLinger(0)
				fd.Close()
			}
		}()
	}
	wg.Wait()
	if hub.PeerCount() != 1 {
		t.Fatalf("hub has %d peers", hub.PeerCount())
	}
	// The good peer still talks: reconnecting it runs a new exchange.
	good.Peers()[0].Disconnect(DiscRequested)
	recvN(t, got, 2)
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before+2 {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines, %d before", runtime.NumGoroutine(), before)
		}
		time.Sleep(10 * time.Millisecond)
	}
	st := hub.Stats()
	t.Logf("accepted %d, rejected %v", st.InboundAccepted, st.Rejected)
	// Each is counted once: as a failed handshake, or refused at once
	// when the handshake slots were all taken.
	if n := st.Rejected[rejectHandshakeFailed] + st.Rejected[rejectTooManyPending]; n < total {
		t.Errorf("%d failed handshakes and refusals counted, want %d", n, total)
	}
}

// TestPeerRTTAndTraffic: the round trip of a ping is measured when its
// pong arrives, and every message with the peer is counted in its Traffic.
func TestPeerRTTAndTraffic(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, remote := pipePeer(t, nil)
		defer remote.Close()
		done := make(chan struct{})
		go func() {
			defer close(done)
			p.run()
		}()
		if p.RTT() != 0 {
			t.Fatal("RTT before any ping")
		}
		// The first ping goes out pingInterval after the start.
		code, _, _, err := remote.Read()
		if err != nil || code != pingMsg {
			t.Fatalf("read %d, %v; want a ping", code, err)
		}
		time.Sleep(42 * time.Millisecond)
		if _, err := remote.Write(pongMsg, emptyList); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if rtt := p.RTT(); rtt != 42*time.Millisecond {
			t.Errorf("RTT %v, want 42ms", rtt)
		}
		tr := p.Traffic()
		if tr.MsgsSent != 1 || tr.MsgsReceived != 1 || tr.BytesSent == 0 || tr.BytesReceived == 0 {
			t.Errorf("traffic %+v, want one message each way", tr)
		}
		info := p.Info()
		if info.RTT != Duration(42*time.Millisecond) || info.Traffic != tr || info.Connected.IsZero() {
			t.Errorf("Info: RTT %v, traffic %+v, connected %v", info.RTT, info.Traffic, info.Connected)
		}
		p.Disconnect(DiscRequested)
		remote.Close()
		<-done
	})
}
