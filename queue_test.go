package p2p

import (
	"io"
	"testing"
)

func TestMsgQueueOrderAndTrim(t *testing.T) {
	q := newMsgQueue()
	abort := make(chan struct{})
	for i := range 200 {
		if !q.push(Msg{Code: uint64(i), Size: 10}, abort) {
			t.Fatal("push failed on an open queue")
		}
	}
	var m Msg
	for i := range 200 {
		if err := q.pop(&m); err != nil || m.Code != uint64(i) {
			t.Fatalf("pop %d: code %d, err %v", i, m.Code, err)
		}
	}
	if cap(q.items) < 200 {
		t.Fatalf("a drained queue dropped its array (cap %d): the next burst would grow it again", cap(q.items))
	}
	q.trim()
	if q.items != nil {
		t.Fatalf("trim kept an array of %d on an empty queue", cap(q.items))
	}
	// A small array survives trim, and trim leaves queued messages alone.
	q.push(Msg{Code: 7}, abort)
	q.trim()
	if err := q.pop(&m); err != nil || m.Code != 7 {
		t.Fatalf("after trim: code %d, err %v", m.Code, err)
	}
	q.close()
	if err := q.pop(&m); err != io.EOF {
		t.Fatalf("pop after close: %v, want io.EOF", err)
	}
	if q.push(Msg{}, abort) {
		t.Fatal("push after close succeeded")
	}
}
