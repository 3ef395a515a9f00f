package chunk

import (
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seednet/p2p"
	"github.com/seednet/p2p/crypto"
)

// TestServers sends 40 MiB from one p2p.Server to another over loopback
// and checks that it arrives intact, and that the memory in use stays far
// below the payload's size.
func TestServers(t *testing.T) {
	const size = 40 << 20
	type result struct {
		n   int64
		sum []byte
		err error
	}
	received := make(chan result, 1)
	var sentSum []byte
	sent := make(chan error, 1)

	sender := p2p.Protocol{Name: "blob", Version: 1, Length: 3, Run: func(_ *p2p.Peer, rw p2p.MsgReadWriter) error {
		h := sha256.New()
		src := io.TeeReader(rand.NewChaCha8([32]byte{1}), h)
		err := Send(context.Background(), rw, codeBlob, src, size, nil)
		sentSum = h.Sum(nil)
		sent <- err
		for { // until the peer goes
			msg, err := rw.ReadMsg()
			if err != nil {
				return err
			}
			msg.Discard()
		}
	}}
	receiver := p2p.Protocol{Name: "blob", Version: 1, Length: 3, Run: func(_ *p2p.Peer, rw p2p.MsgReadWriter) error {
		first, err := rw.ReadMsg()
		if err != nil {
			return err
		}
		h := sha256.New()
		n, err := Receive(context.Background(), rw, first, h, size, nil)
		received <- result{n, h.Sum(nil), err}
		if err != nil {
			return err
		}
		_, err = rw.ReadMsg()
		return err
	}}
	srvA := startServer(t, sender)
	srvB := startServer(t, receiver)

	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	peak, stop := sampleHeap()
	start := time.Now()
	srvB.AddPeer(srvA.Self())

	var res result
	select {
	case res = <-received:
	case <-time.After(60 * time.Second):
		t.Fatal("no transfer after 60s")
	}
	elapsed := time.Since(start)
	stop()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if err := <-sent; err != nil {
		t.Fatalf("Send: %v", err)
	}
	if res.err != nil {
		t.Fatalf("Receive: %v", res.err)
	}
	if res.n != size || string(res.sum) != string(sentSum) {
		t.Fatalf("received %d bytes, sha256 %x; sent %d, %x", res.n, res.sum, size, sentSum)
	}
	peakInuse := int64(peak.Load()) - int64(base.HeapInuse)
	allocated := after.TotalAlloc - base.TotalAlloc
	t.Logf("40 MiB in %v (%.0f MiB/s); heap in use: %.1f MiB before, peak %+.1f MiB (both servers); allocated %.1f MiB",
		elapsed.Round(time.Millisecond), float64(size)/(1<<20)/elapsed.Seconds(),
		mib(base.HeapInuse), float64(peakInuse)/(1<<20), mib(allocated))
	if peakInuse > 16<<20 {
		t.Errorf("heap in use rose by %.1f MiB, want at most 16 (the payload is 40)", float64(peakInuse)/(1<<20))
	}
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }

// sampleHeap samples HeapInuse every millisecond until stop is called and
// keeps the largest value.
func sampleHeap() (peak *atomic.Uint64, stop func()) {
	peak = new(atomic.Uint64)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return peak, func() { close(done); wg.Wait() }
}

// startServer starts a server on 127.0.0.1 without discovery, running proto,
// and stops it when the test ends.
func startServer(t *testing.T, proto p2p.Protocol) *p2p.Server {
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	srv := &p2p.Server{PrivateKey: key, MaxPeers: 1, ListenAddr: "127.0.0.1:0", NoDiscovery: true, Protocols: []p2p.Protocol{proto}}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Stop(); err != nil && !errors.Is(err, p2p.ErrServerStopped) {
			t.Error(err)
		}
	})
	return srv
}
