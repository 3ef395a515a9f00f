package enode

import "sync"

// Iterator is a sequence of nodes, such as the results of discovery lookups.
// Next moves to the next node and returns false when the sequence has ended
// or the iterator was closed; Node returns the current node (nil before the
// first Next and after the end). Close ends the iterator and releases its
// resources; it may be called concurrently with Next, which it interrupts,
// and more than once.
//
// Next may block (a discovery iterator waits for the network), so consumers
// that must stay responsive call it from a goroutine of their own and Close
// the iterator to stop.
type Iterator interface {
	Next() bool
	Node() *Node
	Close()
}

// ReadNodes reads up to n nodes from it, calling Next at most n times so that
// it ends even on an endless repeating iterator. Duplicates (by ID) are
// dropped, keeping the node with the highest seq; the order is that in which
// the IDs first appeared. It does not close it.
func ReadNodes(it Iterator, n int) []*Node {
	index := make(map[ID]int, n)
	var nodes []*Node
	for i := 0; i < n && it.Next(); i++ {
		node := it.Node()
		if node == nil {
			continue
		}
		if j, ok := index[node.ID()]; ok {
			if node.Seq() > nodes[j].Seq() {
				nodes[j] = node
			}
			continue
		}
		index[node.ID()] = len(nodes)
		nodes = append(nodes, node)
	}
	return nodes
}

// IterNodes returns an iterator over nodes, once through.
func IterNodes(nodes []*Node) Iterator {
	return &sliceIter{nodes: nodes, index: -1}
}

// CycleNodes returns an iterator that goes through nodes again and again
// until closed. It ends at once if nodes is empty.
func CycleNodes(nodes []*Node) Iterator {
	return &sliceIter{nodes: nodes, index: -1, cycle: true}
}

type sliceIter struct {
	mu    sync.Mutex // guards the fields below; Close may race with Next
	nodes []*Node    // nil once ended or closed
	index int
	cycle bool
}

func (it *sliceIter) Next() bool {
	it.mu.Lock()
	defer it.mu.Unlock()
	if len(it.nodes) == 0 {
		return false
	}
	it.index++
	if it.index == len(it.nodes) {
		if !it.cycle {
			it.nodes = nil
			return false
		}
		it.index = 0
	}
	return true
}

func (it *sliceIter) Node() *Node {
	it.mu.Lock()
	defer it.mu.Unlock()
	if len(it.nodes) == 0 || it.index < 0 {
		return nil
	}
	return it.nodes[it.index]
}

func (it *sliceIter) Close() {
	it.mu.Lock()
	defer it.mu.Unlock()
	it.nodes = nil
}

// Filter returns an iterator over the nodes of it for which keep returns
// true. Closing it closes the underlying iterator.
func Filter(it Iterator, keep func(*Node) bool) Iterator {
	return &filterIter{Iterator: it, keep: keep}
}

type filterIter struct {
	Iterator
	keep func(*Node) bool
}

func (f *filterIter) Next() bool {
	for f.Iterator.Next() {
		if f.keep(f.Iterator.Node()) {
			return true
		}
	}
	return false
}
