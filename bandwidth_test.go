package p2p

import (
	"crypto/rand"
	"testing"
	"time"
)

func TestBucket(t *testing.T) {
	now := time.Unix(1000, 0)
	b := newBucket(100 << 10) // 100 KiB/s, burst 100 KiB
	if d := b.take(100<<10, now); d != 0 {
		t.Fatalf("the burst waited %v", d)
	}
	if d := b.take(50<<10, now); d != 500*time.Millisecond {
		t.Fatalf("50 KiB in debt: wait %v, want 500ms", d)
	}
	// A second taker queues behind the first.
	if d := b.take(50<<10, now); d != time.Second {
		t.Fatalf("next 50 KiB: wait %v, want 1s", d)
	}
	// Time pays the debt back.
	if d := b.take(0, now.Add(time.Second)); d != 0 {
		t.Fatalf("after a second: wait %v", d)
	}
	if newBucket(0) != nil {
		t.Fatal("a bucket of rate 0")
	}
	var none *bucket
	if none.take(1<<30, now) != 0 {
		t.Fatal("the nil bucket waits")
	}
	if small := newBucket(1000); small.burst != minBurst {
		t.Fatalf("burst %v, want %v", small.burst, minBurst)
	}
}

// floodNamed floods 1 KiB messages under the given protocol name.
func floodNamed(name string) Protocol {
	return Protocol{Name: name, Version: 1, Length: 1, Run: func(p *Peer, rw MsgReadWriter) error {
		payload := make([]byte, 1024)
		rand.Read(payload)
		for {
			if err := SendItems(rw, 0, payload); err != nil {
				return err
			}
		}
	}}
}

// sinkNamed reads and discards under the given protocol name.
func sinkNamed(name string) Protocol {
	return Protocol{Name: name, Version: 1, Length: 1, Run: func(p *Peer, rw MsgReadWriter) error {
		for {
			msg, err := rw.ReadMsg()
			if err != nil {
				return err
			}
			msg.Discard()
		}
	}}
}

// measure returns the payload bytes srv received per protocol during d.
func measure(srv *Server, d time.Duration, protos ...string) map[string]float64 {
	before := srv.Stats().Traffic
	time.Sleep(d)
	after := srv.Stats().Traffic
	rates := make(map[string]float64)
	for _, p := range protos {
		rates[p] = float64(after[p].BytesReceived-before[p].BytesReceived) / d.Seconds()
	}
	return rates
}

// TestBandwidth checks each budget with flooding protocols over loopback:
// the rate received comes to the budget, protocols that share one get
// even shares, and the waits are counted.
func TestBandwidth(t *testing.T) {
	const rate = 200 << 10 // bytes per second
	window := time.Second
	tests := []struct {
		name      string
		senderBW  Bandwidth
		recvBW    Bandwidth
		protos    []string
		want      map[string]float64 // bytes per second received, per protocol
		fairShare bool
	}{
		{"peer out", Bandwidth{Peer: Rate{Out: rate}}, Bandwidth{}, []string{"a"}, map[string]float64{"a": rate}, false},
		{"total out", Bandwidth{Total: Rate{Out: rate}}, Bandwidth{}, []string{"a"}, map[string]float64{"a": rate}, false},
		{"peer in", Bandwidth{}, Bandwidth{Peer: Rate{In: rate}}, []string{"a"}, map[string]float64{"a": rate}, false},
		{"protocol out", Bandwidth{Protocol: map[string]Rate{"a": {Out: rate}}}, Bandwidth{}, []string{"a"}, map[string]float64{"a": rate}, false},
		{"two protocols share the peer's", Bandwidth{Peer: Rate{Out: rate}}, Bandwidth{}, []string{"a", "b"}, map[string]float64{"a": rate / 2, "b": rate / 2}, true},
		{"one protocol limited, the other free", Bandwidth{Protocol: map[string]Rate{"a": {Out: rate}}}, Bandwidth{}, []string{"a", "b"}, map[string]float64{"a": rate}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var send, recv []Protocol
			for _, p := range tc.protos {
				send = append(send, floodNamed(p))
				recv = append(recv, sinkNamed(p))
			}
			receiver := startServer(t, &Server{NoDiscovery: true, Bandwidth: tc.recvBW, Protocols: recv})
			sender := startServer(t, &Server{NoDiscovery: true, Bandwidth: tc.senderBW, Protocols: send})
			sender.AddPeer(receiver.Self())
			waitPeers(t, receiver, 1)
			time.Sleep(300 * time.Millisecond) // the flood spends the burst at once
			// A budget must never be exceeded; that it is reached is
			// checked over up to three windows, since a loaded machine
			// (make test runs packages in parallel) can starve a window.
			var got map[string]float64
			for try := 0; ; try++ {
				got = measure(receiver, window, tc.protos...)
				t.Logf("received: %v", got)
				low := false
				for p, want := range tc.want {
					if got[p] > 1.4*want {
						t.Fatalf("protocol %s: %.0f B/s, over its budget of %.0f", p, got[p], want)
					}
					low = low || got[p] < 0.6*want
				}
				if !low {
					break
				}
				if try == 2 {
					t.Fatalf("budgets %v not reached in three windows: %v", tc.want, got)
				}
			}
			if tc.fairShare {
				if a, b := got["a"], got["b"]; a < 0.7*b || b < 0.7*a {
					t.Errorf("unfair shares: a %.0f, b %.0f", a, b)
				}
			}
			if len(tc.want) < len(tc.protos) && got["b"] < 4*got["a"] {
				t.Errorf("the free protocol got %.0f B/s, not much more than the limited one's %.0f", got["b"], got["a"])
			}
			st, rst := sender.Stats(), receiver.Stats()
			if st.BandwidthWaitsOut+rst.BandwidthWaitsIn == 0 {
				t.Error("no bandwidth wait counted")
			}
		})
	}
}

// TestBandwidthOff: without budgets, nothing is set up per peer.
func TestBandwidthOff(t *testing.T) {
	if newBandwidth(Bandwidth{}, nil) != nil || newBandwidth(Bandwidth{Protocol: map[string]Rate{"x": {}}}, nil) != nil {
		t.Fatal("budgets without rates")
	}
}
