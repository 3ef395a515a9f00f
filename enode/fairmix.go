package enode

import (
	"sync"
	"time"
)

// FairMix is an Iterator that merges several source iterators, such as
// discovery's random walk and each protocol's dial candidates, taking nodes
// from them in turn so that no source crowds out the others.
//
// Next waits for the source whose turn it is for up to the mixer's timeout.
// If that source has produced nothing by then, Next takes the first node any
// source produces instead, and the late source's timeout is halved for its
// following turns, down to 1/1024 of the timeout, so that a stuck source
// costs about twice the timeout plus that floor per turn. (The floor gives a
// source that comes back a real chance at its turns: a wait of zero would
// lose every race to a source that is always ready.) A source's timeout goes
// back to the full value when it delivers, on its turn or otherwise. A source that ends is dropped
// from the mix; the mixer itself ends only when closed, and until then Next
// waits for nodes even if it has no sources.
//
// Each source is read by a goroutine of the mixer, which holds at most one
// node that Next has not yet taken. Close closes every source, which must
// interrupt a blocked Next as the Iterator contract requires, and waits for
// these goroutines to finish.
//
// Next and Node must be called from one goroutine at a time; AddSource and
// Close may be called from any goroutine, also while Next blocks.
type FairMix struct {
	timeout time.Duration
	fromAny chan anyNode  // nodes of any source, for when the fair one is late
	closing chan struct{} // closed by Close
	wg      sync.WaitGroup
	cur     *Node // the current node, owned by the caller of Next

	mu      sync.Mutex // guards the fields below
	sources []*mixSource
	last    int // index in sources of the last source asked
	closed  bool
}

type mixSource struct {
	it      Iterator
	next    chan *Node    // this source's next node; closed when it ends
	timeout time.Duration // wait on its next turn; owned by the caller of Next
}

// NewFairMix makes a mixer that waits up to timeout for the source whose turn
// it is. A negative timeout waits without limit, making the mix strictly
// round-robin (and as slow as its slowest source).
func NewFairMix(timeout time.Duration) *FairMix {
	return &FairMix{
		timeout: timeout,
		fromAny: make(chan anyNode),
		closing: make(chan struct{}),
	}
}

// AddSource adds a source iterator; the mixer now owns it and closes it. A
// source added after Close is closed at once.
func (m *FairMix) AddSource(it Iterator) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		it.Close()
		return
	}
	s := &mixSource{it: it, next: make(chan *Node), timeout: m.timeout}
	m.sources = append(m.sources, s)
	m.wg.Add(1)
	go m.runSource(s)
}

// Close closes the mixer and all its sources, and waits for the mixer's
// goroutines to end. A blocked Next returns false. Close may be called more
// than once.
func (m *FairMix) Close() {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return
	}
	m.closed = true
	close(m.closing)
	sources := m.sources
	m.sources = nil
	m.mu.Unlock()

	for _, s := range sources {
		s.it.Close()
	}
	m.wg.Wait()
	close(m.fromAny)
}

// Next moves to the next node, blocking until one is available. It returns
// false once the mixer is closed.
func (m *FairMix) Next() bool {
	m.cur = nil
	for {
		s := m.pickSource()
		if s == nil {
			return m.nextFromAny()
		}
		var timer *time.Timer
		var expired <-chan time.Time
		if s.timeout >= 0 {
			timer = time.NewTimer(s.timeout)
			expired = timer.C
		}
		select {
		case n, ok := <-s.next:
			if timer != nil {
				timer.Stop()
			}
			if !ok {
				m.removeSource(s)
				continue
			}
			s.timeout = m.timeout
			m.cur = n
			return true
		case <-expired:
			s.timeout = max(s.timeout/2, m.timeout/minWaitDivisor)
			return m.nextFromAny()
		}
	}
}

// Node returns the current node.
func (m *FairMix) Node() *Node { return m.cur }

// minWaitDivisor sets the floor of a late source's wait: the mixer's
// timeout divided by it.
const minWaitDivisor = 1024

// anyNode is a node offered to whoever waits for any source.
type anyNode struct {
	n   *Node
	src *mixSource
}

func (m *FairMix) nextFromAny() bool {
	a, ok := <-m.fromAny
	if ok {
		m.cur = a.n
		// The source delivered: whatever its turns cost before, it is
		// alive, so it gets the full wait on its next turn again. Without
		// this, a source whose wait was halved to nothing could never win
		// a turn back.
		a.src.timeout = m.timeout
	}
	return ok
}

// pickSource returns the source whose turn it is, nil if there is none.
func (m *FairMix) pickSource() *mixSource {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.sources) == 0 {
		return nil
	}
	m.last = (m.last + 1) % len(m.sources)
	return m.sources[m.last]
}

func (m *FairMix) removeSource(s *mixSource) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, x := range m.sources {
		if x == s {
			m.sources = append(m.sources[:i:i], m.sources[i+1:]...)
			if m.last >= i {
				m.last--
			}
			return
		}
	}
}

// runSource feeds the nodes of one source to Next, on the source's turn or
// to whoever is waiting for any node.
func (m *FairMix) runSource(s *mixSource) {
	defer m.wg.Done()
	defer close(s.next)
	for s.it.Next() {
		n := s.it.Node()
		if n == nil {
			continue
		}
		select {
		case s.next <- n:
		case m.fromAny <- anyNode{n, s}:
		case <-m.closing:
			return
		}
	}
}
