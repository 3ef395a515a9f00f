package enode

import (
	"testing"
	"testing/synctest"
	"time"
)

// countSources reads n nodes from m and counts them by the first byte of
// their IDs divided by 100, which the tests use as the source number.
func countSources(t *testing.T, m *FairMix, n int) map[int]int {
	t.Helper()
	counts := make(map[int]int)
	for range n {
		if !m.Next() {
			t.Fatal("mixer ended")
		}
		counts[int(m.Node().ID()[0])/100]++
	}
	return counts
}

func TestFairMixFairness(t *testing.T) {
	tests := []struct {
		name    string
		timeout time.Duration
	}{
		{"strict", -1},
		{"with timeout", time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				m := NewFairMix(tt.timeout)
				defer m.Close()
				m.AddSource(CycleNodes(testNodes(0, 3)))     // source 0
				m.AddSource(CycleNodes(testNodes(100, 110))) // source 1
				m.AddSource(CycleNodes(testNodes(200, 201))) // source 2
				counts := countSources(t, m, 3000)
				for s := range 3 {
					// Strict turns give exactly 1000 each; with a
					// timeout the busy sources can also win the race
					// for "any node" only when a turn times out, which
					// never happens with instant sources.
					if c := counts[s]; c < 900 || c > 1100 {
						t.Errorf("source %d: %d of 3000 nodes (%v)", s, c, counts)
					}
				}
			})
		})
	}
}

func TestFairMixTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const timeout = 100 * time.Millisecond
		m := NewFairMix(timeout)
		defer m.Close()
		fast := CycleNodes(testNodes(0, 10))
		slow := newChanIter()
		m.AddSource(fast)
		m.AddSource(slow)

		// The slow source produces nothing: every node comes from the fast
		// one, and the waits on the slow source's turns shrink, so that
		// all of them together cost about twice the timeout, plus the
		// floor of the wait for each of the (at most 100) turns.
		start := time.Now()
		counts := countSources(t, m, 100)
		if counts[0] != 100 {
			t.Fatalf("counts %v", counts)
		}
		limit := 2*timeout + 100*(timeout/minWaitDivisor)
		if d := time.Since(start); d < timeout || d >= limit {
			t.Fatalf("100 nodes took %v, want [%v, %v)", d, timeout, limit)
		}

		// The slow source recovers: it gets its turns again, and since it
		// now delivers on them, its timeout is back to the full value.
		go func() {
			for i := range 1000 {
				select {
				case slow.ch <- testNode(100+byte(i%50), 1):
				case <-slow.closing:
					return
				}
			}
		}()
		counts = countSources(t, m, 200)
		if counts[1] < 80 {
			t.Fatalf("recovered source got %d of 200 nodes (%v)", counts[1], counts)
		}
	})
}

func TestFairMixSourceEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := NewFairMix(-1)
		defer m.Close()
		m.AddSource(IterNodes(testNodes(0, 3)))
		m.AddSource(CycleNodes(testNodes(100, 101)))
		counts := countSources(t, m, 100)
		if counts[0] != 3 || counts[1] != 97 {
			t.Fatalf("counts %v", counts)
		}
	})
}

func TestFairMixNoSources(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := NewFairMix(time.Second)
		got := make(chan *Node)
		go func() {
			for m.Next() {
				got <- m.Node()
			}
			close(got)
		}()
		// Next waits for a source to be added.
		time.Sleep(time.Minute)
		m.AddSource(IterNodes(testNodes(7, 8)))
		if n := <-got; n.ID()[0] != 7 {
			t.Fatalf("got node %v", n.ID())
		}
		m.Close()
		if _, ok := <-got; ok {
			t.Fatal("Next returned a node after Close")
		}
	})
}

func TestFairMixClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := NewFairMix(time.Second)
		src1, src2 := newChanIter(), newChanIter()
		m.AddSource(src1)
		m.AddSource(src2)
		done := make(chan bool)
		go func() { done <- m.Next() }()
		time.Sleep(10 * time.Second) // Next is stuck waiting for any node
		m.Close()
		if <-done {
			t.Fatal("Next returned true after Close")
		}
		// Sources are closed, later sources closed at once, Close is
		// idempotent, Next stays false.
		for i, it := range []*chanIter{src1, src2} {
			select {
			case <-it.closing:
			default:
				t.Errorf("source %d not closed", i)
			}
		}
		late := newChanIter()
		m.AddSource(late)
		select {
		case <-late.closing:
		default:
			t.Error("source added after Close not closed")
		}
		m.Close()
		if m.Next() {
			t.Error("Next after Close")
		}
	})
}
