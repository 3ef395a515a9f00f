package enode

import (
	"slices"
	"sync"
	"testing"

	"github.com/seednet/p2p/enr"
)

// testNode makes a node with ID {id, 0, ...} and the given seq, cheaply.
func testNode(id byte, seq uint64) *Node {
	var r enr.Record
	r.SetSeq(seq)
	return SignNull(&r, ID{id})
}

func testNodes(from, to byte) []*Node {
	var nodes []*Node
	for i := from; i < to; i++ {
		nodes = append(nodes, testNode(i, 1))
	}
	return nodes
}

func ids(nodes []*Node) []byte {
	var b []byte
	for _, n := range nodes {
		b = append(b, n.ID()[0])
	}
	return b
}

func TestIterNodes(t *testing.T) {
	nodes := testNodes(0, 5)
	it := IterNodes(nodes)
	if it.Node() != nil {
		t.Fatal("Node before Next")
	}
	var got []*Node
	for it.Next() {
		got = append(got, it.Node())
	}
	if !slices.Equal(got, nodes) {
		t.Fatalf("got %v", ids(got))
	}
	if it.Next() || it.Node() != nil {
		t.Fatal("iterator continues after the end")
	}
	it.Close()

	if IterNodes(nil).Next() || CycleNodes(nil).Next() {
		t.Fatal("empty iterator has a node")
	}
}

func TestCycleNodes(t *testing.T) {
	it := CycleNodes(testNodes(0, 3))
	var got []byte
	for range 7 {
		if !it.Next() {
			t.Fatal("cycle ended")
		}
		got = append(got, it.Node().ID()[0])
	}
	if want := []byte{0, 1, 2, 0, 1, 2, 0}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	it.Close()
	if it.Next() {
		t.Fatal("Next after Close")
	}
}

func TestReadNodes(t *testing.T) {
	nodes := []*Node{testNode(1, 1), testNode(2, 5), testNode(1, 3), testNode(2, 4), testNode(3, 1)}
	tests := []struct {
		name string
		it   Iterator
		n    int
		want []uint64 // seq of each result, in ID order 1, 2, 3
		ids  []byte
	}{
		{"dedup keeps highest seq", IterNodes(nodes), 10, []uint64{3, 5, 1}, []byte{1, 2, 3}},
		{"limit", IterNodes(nodes), 2, []uint64{1, 5}, []byte{1, 2}},
		{"cycle bounded by n", CycleNodes(testNodes(1, 3)), 100, []uint64{1, 1}, []byte{1, 2}},
		{"empty", IterNodes(nil), 5, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ReadNodes(tt.it, tt.n)
			var seqs []uint64
			for _, n := range got {
				seqs = append(seqs, n.Seq())
			}
			if !slices.Equal(ids(got), tt.ids) || !slices.Equal(seqs, tt.want) {
				t.Fatalf("ids %v seqs %v, want %v %v", ids(got), seqs, tt.ids, tt.want)
			}
		})
	}
}

func TestFilter(t *testing.T) {
	it := Filter(IterNodes(testNodes(0, 10)), func(n *Node) bool { return n.ID()[0]%3 == 0 })
	if got := ids(ReadNodes(it, 100)); !slices.Equal(got, []byte{0, 3, 6, 9}) {
		t.Fatalf("got %v", got)
	}
	src := CycleNodes(testNodes(0, 3))
	f := Filter(src, func(*Node) bool { return true })
	f.Close()
	if src.Next() {
		t.Fatal("closing the filter did not close its source")
	}
}

// chanIter is an iterator fed through a channel; Next blocks until a node
// arrives, the channel is closed or the iterator is closed.
type chanIter struct {
	ch      chan *Node
	closing chan struct{}
	once    sync.Once
	cur     *Node
}

func newChanIter() *chanIter {
	return &chanIter{ch: make(chan *Node), closing: make(chan struct{})}
}

func (it *chanIter) Next() bool {
	select {
	case n, ok := <-it.ch:
		it.cur = n
		return ok
	case <-it.closing:
		it.cur = nil
		return false
	}
}

func (it *chanIter) Node() *Node { return it.cur }
func (it *chanIter) Close()      { it.once.Do(func() { close(it.closing) }) }
