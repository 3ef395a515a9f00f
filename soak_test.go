package p2p

import (
	"crypto/ecdsa"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/rlpx"
)

// The soak: many peers churn against one node for a while. make test runs
// it for a minute (TestNoRaceSoak, without the race detector); make soak
// for ten, with the flags below.
var (
	soakDuration   = flag.Duration("soak", time.Minute, "how long TestNoRaceSoak runs")
	soakIdentities = flag.Int("soak.peers", 1000, "node identities that take turns connecting in TestNoRaceSoak")
	soakConcurrent = flag.Int("soak.concurrent", 100, "connections at once in TestNoRaceSoak")
)

// seqProtocol is the hub's side of the soak: it checks that each peer's
// messages arrive numbered 0, 1, 2, ... and echoes each.
func seqProtocol(gaps *atomic.Uint64) Protocol {
	return Protocol{Name: "seq", Version: 1, Length: 1, Run: func(p *Peer, rw MsgReadWriter) error {
		var next uint64
		for {
			msg, err := rw.ReadMsg()
			if err != nil {
				return err
			}
			var n uint64
			if err := msg.Decode(&n); err != nil {
				return err
			}
			if n != next {
				gaps.Add(1)
				return fmt.Errorf("message %d after %d", n, next-1)
			}
			next++
			if err := SendItems(rw, 0, n); err != nil {
				return err
			}
		}
	}}
}

// soakClient is a raw RLPx peer that sends numbered messages and checks
// the echoes.
type soakClient struct {
	key  *ecdsa.PrivateKey
	hub  *Server
	addr string
}

// errSetup marks a session that failed before it became a peer: the
// node refused or timed out the handshakes (under load, or because it
// still had the identity's previous connection). No message was at stake.
var errSetup = errors.New("setup")

// session connects, exchanges msgs numbered messages (each echoed before
// the next is sent, with some sent in bursts), and disconnects, cleanly or
// by closing the socket. It returns the messages exchanged.
func (c *soakClient) session(rng *rand.Rand, msgs int) (int, error) {
	fd, err := net.DialTimeout("tcp", c.addr, 5*time.Second)
	if err != nil {
		return 0, err
	}
	defer fd.Close()
	conn := rlpx.NewConn(fd, c.hub.Self().Pubkey())
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := conn.Handshake(c.key); err != nil {
		return 0, fmt.Errorf("%w: handshake: %w", errSetup, err)
	}
	hello, err := encodeHello("soak", []Cap{{"seq", 1}}, 0, c.key)
	if err != nil {
		return 0, err
	}
	if _, err := exchangeHello(conn, hello, c.hub.Self().Pubkey(), new(trafficCounters)); err != nil {
		return 0, fmt.Errorf("%w: hello: %w", errSetup, err)
	}
	conn.SetSnappy(true)
	sent, echoed := uint64(0), uint64(0)
	var buf [9]byte
	for int(echoed) < msgs {
		// A burst of up to 8 messages, then their echoes.
		burst := 1 + rng.IntN(8)
		for i := 0; i < burst && int(sent) < msgs; i++ {
			if _, err := conn.Write(baseProtocolLength, encodeUint(buf[:0], sent)); err != nil {
				return int(echoed), notYet(echoed, fmt.Errorf("write: %w", err))
			}
			sent++
		}
		for echoed < sent {
			code, data, _, err := conn.Read()
			if err != nil {
				return int(echoed), notYet(echoed, fmt.Errorf("read: %w", err))
			}
			if code < baseProtocolLength {
				if code == pingMsg {
					conn.Write(pongMsg, emptyList)
				}
				continue
			}
			n, ok := decodeUint(data)
			if !ok || n != echoed {
				return int(echoed), fmt.Errorf("echo %d (ok %v), want %d", n, ok, echoed)
			}
			echoed++
		}
	}
	if rng.IntN(2) == 0 {
		conn.Write(discMsg, encodeDisconnect(DiscRequested))
	}
	return int(echoed), nil
}

// notYet marks a connection error before the first echo as a setup
// failure: our Hello exchange can succeed while the node's side of it
// fails (its handshake deadline passed under load), and the node then
// closes a connection that never became its peer. Messages lost on a live
// connection show as gaps the node counts, or as echoes out of order.
func notYet(echoed uint64, err error) error {
	if echoed == 0 {
		return fmt.Errorf("%w: before the first echo: %w", errSetup, err)
	}
	return err
}

// encodeUint appends n as an RLP list of one integer (what Send(rw, 0, n)
// sends).
func encodeUint(b []byte, n uint64) []byte {
	var v [8]byte
	binary.BigEndian.PutUint64(v[:], n)
	i := 0
	for i < 7 && v[i] == 0 {
		i++
	}
	num := v[i:]
	switch {
	case n == 0:
		return append(b, 0xc1, 0x80)
	case n < 0x80:
		return append(b, 0xc1, byte(n))
	}
	b = append(b, 0xc0+byte(1+len(num)), 0x80+byte(len(num)))
	return append(b, num...)
}

// decodeUint reads what encodeUint writes.
func decodeUint(data []byte) (uint64, bool) {
	if len(data) < 2 || data[0] < 0xc1 || int(data[0]-0xc0) != len(data)-1 {
		return 0, false
	}
	data = data[1:]
	switch {
	case data[0] == 0x80:
		return 0, len(data) == 1
	case data[0] < 0x80:
		return uint64(data[0]), len(data) == 1
	}
	size := int(data[0] - 0x80)
	if size > 8 || len(data) != 1+size {
		return 0, false
	}
	var v [8]byte
	copy(v[8-size:], data[1:])
	return binary.BigEndian.Uint64(v[:]), true
}

// TestNoRaceSoak: identities take turns connecting to one node, exchanging
// numbered messages and leaving, some cleanly, some by dropping the
// connection, for -soak. No message may be lost or reordered on a live
// connection, the node's heap must be back within 5% of where it started
// and its goroutines back to the baseline when the peers are gone, and
// fewer than 1% of sessions may fail in the handshakes.
func TestNoRaceSoak(t *testing.T) {
	if raceEnabled {
		t.Skip("a soak under the race detector measures the detector")
	}
	var gaps atomic.Uint64
	hub := startServer(t, &Server{MaxPeers: *soakConcurrent + 10, NoDiscovery: true, NoDial: true,
		Logger: discardLogger, Protocols: []Protocol{seqProtocol(&gaps)}})
	keys := make([]*ecdsa.PrivateKey, *soakIdentities)
	for i := range keys {
		keys[i], _ = crypto.GenerateKey()
	}
	// Two collections: the second empties what sync.Pools keep from the
	// first.
	runtime.GC()
	runtime.GC()
	baseGoroutines := runtime.NumGoroutine()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	baseHeap := ms.HeapAlloc
	var (
		sessions, failed, exchanged atomic.Uint64
		setupFailed                 atomic.Uint64
		mu                          sync.Mutex
		firstErr                    error
		wg                          sync.WaitGroup
		inUse                       = make([]atomic.Bool, len(keys))
		deadline                    = time.Now().Add(*soakDuration)
	)
	for w := range *soakConcurrent {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			for time.Now().Before(deadline) {
				i := rng.IntN(len(keys))
				if !inUse[i].CompareAndSwap(false, true) {
					continue // another worker has this identity connected
				}
				c := &soakClient{key: keys[i], hub: hub, addr: hub.ListenAddr}
				n, err := c.session(rng, 10+rng.IntN(200))
				inUse[i].Store(false)
				sessions.Add(1)
				exchanged.Add(uint64(n))
				// A session that failed before it became a peer lost no
				// message: it is counted apart (and must stay rare).
				if errors.Is(err, errSetup) {
					setupFailed.Add(1)
					continue
				}
				if err != nil {
					failed.Add(1)
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		})
	}

	// Heap samples: after a forced GC, every tenth of the run.
	var heap []uint64
	for tick := time.NewTicker(*soakDuration / 10); ; {
		done := false
		select {
		case <-tick.C:
		case <-time.After(time.Until(deadline)):
			done = true
		}
		runtime.GC()
		runtime.ReadMemStats(&ms)
		heap = append(heap, ms.HeapAlloc)
		if done {
			tick.Stop()
			break
		}
	}
	wg.Wait()
	eventually(t, "peers gone", func() bool { return hub.PeerCount() == 0 })

	st := hub.Stats()
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	endHeap := ms.HeapAlloc
	t.Logf("%d sessions by %d identities, %d at once: %d messages echoed, %d sessions failed on a live connection, %d before (refused or timed out in the handshakes); hub: %d peers added, %d dropped, rejected %v",
		sessions.Load(), len(keys), *soakConcurrent, exchanged.Load(), failed.Load(), setupFailed.Load(), st.PeersAdded, st.PeersDropped, st.Rejected)
	t.Logf("heap after GC (KiB): %d at the start, %v each tenth of the run with %d connections, %d at the end with none", baseHeap>>10, kib(heap), *soakConcurrent, endHeap>>10)
	if n := setupFailed.Load(); n*100 > sessions.Load() {
		t.Errorf("%d of %d sessions failed in the handshakes", n, sessions.Load())
	}
	if failed.Load() > 0 {
		t.Errorf("%d sessions failed; the first: %v", failed.Load(), firstErr)
	}
	if gaps.Load() > 0 {
		t.Errorf("%d peers' messages arrived out of order or with gaps", gaps.Load())
	}
	// Flat: once the peers are gone, the heap is within 5% of what it was
	// before they came (plus 256 KiB for the runtime's noise). During the
	// run it moves with what the 100 connections hold at the moment.
	if float64(endHeap) > 1.05*float64(baseHeap)+256<<10 {
		t.Errorf("heap grew from %d KiB to %d KiB", baseHeap>>10, endHeap>>10)
	}
	eventually(t, "goroutines back to the baseline", func() bool {
		return runtime.NumGoroutine() <= baseGoroutines+2
	})
}

func kib(v []uint64) []uint64 {
	out := make([]uint64, len(v))
	for i, x := range v {
		out[i] = x >> 10
	}
	return out
}
