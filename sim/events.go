// Copyright the seednet/p2p authors. Licensed under the Apache License 2.0.

package sim

import (
	"sync"
	"time"

	"github.com/seednet/p2p/enode"
)

// EventType is the kind of an Event.
type EventType string

// Kinds of Event.
const (
	PeerAdded   EventType = "peer-added"
	PeerDropped EventType = "peer-dropped"
	NodeAdded   EventType = "node-added"   // AddNode started it (Peer is -1)
	NodeRemoved EventType = "node-removed" // RemoveNode stopped it (Peer is -1)
	Partitioned EventType = "partitioned"  // Partition split the network (Node and Peer are -1)
	Healed      EventType = "healed"       // Heal ended the partition (Node and Peer are -1)
	LinkChanged EventType = "link-changed" // SetLink changed the link between Node and Peer
)

// Event is something that happened: a node joined or left the
// simulation, or added or dropped a peer; or the scenario split or healed
// the network or changed a link.
type Event struct {
	Time time.Time `json:"time"`
	Type EventType `json:"type"`
	Node int       `json:"node"` // the node's index
	// Peer is the peer's index, -1 when it is not a node of the
	// simulation (or was removed).
	Peer   int      `json:"peer"`
	PeerID enode.ID `json:"peerID"`
	Error  string   `json:"error,omitempty"` // why a dropped peer ended
}

// eventFeed fans events out to subscribers without blocking: a subscriber
// whose channel is full loses the event and its count of lost events grows.
type eventFeed struct {
	mu     sync.Mutex
	subs   map[*Subscription]struct{}
	closed bool
}

// Subscription is a subscriber to a simulation's events.
type Subscription struct {
	feed *eventFeed
	ch   chan Event
	mu   sync.Mutex
	lost int
}

// Events returns the channel the events arrive on. It is closed by
// Unsubscribe and by the simulation's Stop.
func (sub *Subscription) Events() <-chan Event { return sub.ch }

// Lost returns how many events did not fit in the channel.
func (sub *Subscription) Lost() int {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	return sub.lost
}

// Unsubscribe ends the subscription and closes its channel. It is
// idempotent.
func (sub *Subscription) Unsubscribe() {
	f := sub.feed
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.subs[sub]; ok {
		delete(f.subs, sub)
		close(sub.ch)
	}
}

// Subscribe delivers the simulation's events, from now on, on a channel
// that holds buffer events (at least 1). A subscriber that falls behind
// loses events rather than hold up the nodes.
func (s *Sim) Subscribe(buffer int) *Subscription {
	sub := &Subscription{feed: &s.ev, ch: make(chan Event, max(buffer, 1))}
	s.ev.mu.Lock()
	defer s.ev.mu.Unlock()
	if s.ev.closed {
		close(sub.ch)
		return sub
	}
	if s.ev.subs == nil {
		s.ev.subs = make(map[*Subscription]struct{})
	}
	s.ev.subs[sub] = struct{}{}
	return sub
}

func (f *eventFeed) send(ev Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for sub := range f.subs {
		select {
		case sub.ch <- ev:
		default:
			sub.mu.Lock()
			sub.lost++
			sub.mu.Unlock()
		}
	}
}

func (f *eventFeed) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	for sub := range f.subs {
		close(sub.ch)
	}
	f.subs = nil
}
