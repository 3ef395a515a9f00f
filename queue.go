package p2p

import (
	"io"
	"sync"
)

// maxQueuedBytes bounds the payload bytes waiting in one protocol's queue
// of one peer. When a protocol falls this far behind, the peer's read loop
// waits for it, and TCP flow control slows the sender; until then, the
// other protocols of the peer keep receiving. A message larger than the
// bound is still accepted into an empty queue.
const maxQueuedBytes = 4 << 20

// msgQueue is the bounded queue between a peer's read loop (the producer)
// and a protocol's ReadMsg (the consumer). It holds no memory while empty
// beyond the struct itself.
//
// A consumer waits on a plain channel receive rather than a select: the
// protocol's goroutine spends an idle peer's life parked in pop, and a
// shallow stack there lets that goroutine keep the smallest stack the
// runtime gives (see Peer).
type msgQueue struct {
	mu     sync.Mutex
	items  []Msg
	head   int
	bytes  int
	closed bool

	// Both channels hold one token and are closed by close; tokens are
	// sent only under mu while the queue is open.
	ready chan struct{} // items were added
	space chan struct{} // items were removed
}

func newMsgQueue() *msgQueue {
	return &msgQueue{
		ready: make(chan struct{}, 1),
		space: make(chan struct{}, 1),
	}
}

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// push adds msg, waiting while the queue is full. It gives up when abort
// is closed or the queue is closed, and reports whether msg was queued.
func (q *msgQueue) push(msg Msg, abort <-chan struct{}) bool {
	for {
		q.mu.Lock()
		if q.closed {
			q.mu.Unlock()
			return false
		}
		if q.head == len(q.items) || q.bytes+int(msg.Size) <= maxQueuedBytes {
			q.items = append(q.items, msg)
			q.bytes += int(msg.Size)
			signal(q.ready)
			q.mu.Unlock()
			return true
		}
		q.mu.Unlock()
		select {
		case <-q.space:
		case <-abort:
			return false
		}
	}
}

// pop removes the oldest message into *msg, waiting for one. After close
// it returns io.EOF: close drops whatever was still queued.
func (q *msgQueue) pop(msg *Msg) error {
	for {
		q.mu.Lock()
		if q.closed {
			q.mu.Unlock()
			return io.EOF
		}
		if q.head < len(q.items) {
			*msg = q.items[q.head]
			q.items[q.head] = Msg{}
			q.head++
			if q.head == len(q.items) {
				// Keep the array for the next burst; trim lets an idle
				// queue give a large one back.
				q.items, q.head = q.items[:0], 0
			}
			q.bytes -= int(msg.Size)
			signal(q.space)
			q.mu.Unlock()
			return nil
		}
		q.mu.Unlock()
		<-q.ready
	}
}

// trim drops the array of an empty queue that a burst grew beyond 64
// messages. The peer calls it every ping interval, so a busy queue keeps
// its array and an idle one holds no more than a few KiB for long.
func (q *msgQueue) trim() {
	q.mu.Lock()
	if q.head == len(q.items) && cap(q.items) > 64 {
		q.items, q.head = nil, 0
	}
	q.mu.Unlock()
}

// close wakes everyone up; later pushes fail and pops return io.EOF.
func (q *msgQueue) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.closed {
		q.closed = true
		q.items = nil
		close(q.ready)
		close(q.space)
	}
}
