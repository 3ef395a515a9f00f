package p2p

import (
	"sync"
	"sync/atomic"

	"github.com/seednet/p2p/enode"
)

// PeerEventType is the kind of a PeerEvent.
type PeerEventType string

// The kinds of peer events.
const (
	PeerEventTypeAdd     PeerEventType = "add"     // a peer was added
	PeerEventTypeDrop    PeerEventType = "drop"    // a peer went away
	PeerEventTypeMsgSend PeerEventType = "msgsend" // a message was sent (EnableMsgEvents)
	PeerEventTypeMsgRecv PeerEventType = "msgrecv" // a message was received (EnableMsgEvents)
)

// PeerEvent is what SubscribeEvents delivers.
type PeerEvent struct {
	Type  PeerEventType `json:"type"`
	Peer  enode.ID      `json:"peer"`
	Error string        `json:"error,omitempty"` // why a dropped peer ended, as text
	// Err is why a dropped peer ended. It is a *RemoteDisconnectError when
	// the peer disconnected us, and otherwise says why we ended it (a
	// DiscReason, or an error that wraps one or a protocol's error).
	Err           error   `json:"-"`
	Protocol      string  `json:"protocol,omitempty"`
	MsgCode       *uint64 `json:"msg_code,omitempty"`
	MsgSize       *uint32 `json:"msg_size,omitempty"`
	LocalAddress  string  `json:"local,omitempty"`
	RemoteAddress string  `json:"remote,omitempty"`
}

// Subscription is a subscription to server events.
type Subscription interface {
	// Unsubscribe ends the subscription; no event is sent after it returns.
	// It may be called more than once, from any goroutine.
	Unsubscribe()
	// Err returns a channel that is closed when the subscription ends. No
	// error is ever sent on it (a server's feed does not fail); it has
	// go-ethereum's event.Subscription shape so that select loops written
	// for it work.
	Err() <-chan error
}

// maxEventBacklog is how many events a subscriber may have waiting.
const maxEventBacklog = 4096

// SubscribeEvents delivers peer events to ch until the subscription ends.
//
// Events are never sent while the server waits: each subscriber has a
// backlog of up to 4096 events, delivered to ch in order by a goroutine
// that exists while the backlog is not empty. So a slow subscriber, or one
// that calls Stop or RemovePeer from its loop, holds up no peer and no
// Stop. A subscriber that falls further behind loses the newest events
// until it catches up; Stats.EventsDropped counts them.
func (srv *Server) SubscribeEvents(ch chan *PeerEvent) Subscription {
	return srv.feed.subscribe(ch, &srv.stats.eventsDropped)
}

// eventFeed is a list of subscribers. The zero value is ready to use.
type eventFeed struct {
	mu   sync.RWMutex
	subs map[*feedSub]struct{}
}

// feedSub is one subscriber: its backlog and its delivery goroutine.
type feedSub struct {
	feed    *eventFeed
	ch      chan *PeerEvent
	dropped *atomic.Uint64 // the server's count of undelivered events
	quit    chan struct{}  // closed by Unsubscribe
	errc    chan error     // closed by Unsubscribe, for Err
	once    sync.Once
	done    sync.WaitGroup // the delivery goroutine

	mu         sync.Mutex // guards the fields below
	backlog    []*PeerEvent
	delivering bool // the delivery goroutine runs
	closed     bool
}

func (f *eventFeed) subscribe(ch chan *PeerEvent, dropped *atomic.Uint64) Subscription {
	s := &feedSub{feed: f, ch: ch, dropped: dropped, quit: make(chan struct{}), errc: make(chan error)}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.subs == nil {
		f.subs = make(map[*feedSub]struct{})
	}
	f.subs[s] = struct{}{}
	return s
}

func (s *feedSub) Err() <-chan error { return s.errc }

func (s *feedSub) Unsubscribe() {
	s.once.Do(func() {
		s.feed.mu.Lock()
		delete(s.feed.subs, s)
		s.feed.mu.Unlock()
		s.mu.Lock()
		s.closed = true
		s.backlog = nil
		s.mu.Unlock()
		close(s.quit)
		s.done.Wait() // a send in flight ends at quit
		close(s.errc)
	})
}

// push adds ev to the backlog and makes sure it is being delivered. It
// never blocks on the subscriber.
func (s *feedSub) push(ev *PeerEvent) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return
	case len(s.backlog) >= maxEventBacklog:
		s.dropped.Add(1)
		return
	}
	s.backlog = append(s.backlog, ev)
	if !s.delivering {
		s.delivering = true
		s.done.Add(1)
		go s.deliver()
	}
}

// deliver sends the backlog to the subscriber's channel, then ends.
func (s *feedSub) deliver() {
	defer s.done.Done()
	for {
		s.mu.Lock()
		if s.closed || len(s.backlog) == 0 {
			s.delivering = false
			s.backlog = nil // a drained backlog gives its array back
			s.mu.Unlock()
			return
		}
		ev := s.backlog[0]
		s.backlog[0] = nil
		s.backlog = s.backlog[1:]
		s.mu.Unlock()
		select {
		case s.ch <- ev:
		case <-s.quit:
			return
		}
	}
}

// send hands ev to every subscriber.
func (f *eventFeed) send(ev *PeerEvent) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	for s := range f.subs {
		s.push(ev)
	}
}

// msgEventer reports the messages of a protocol to the feed.
type msgEventer struct {
	MsgReadWriter
	peer  *Peer
	proto string
}

func (e *msgEventer) ReadMsg() (Msg, error) {
	msg, err := e.MsgReadWriter.ReadMsg()
	if err != nil {
		return msg, err
	}
	code, size := msg.Code, msg.Size
	e.peer.srv.feed.send(&PeerEvent{Type: PeerEventTypeMsgRecv, Peer: e.peer.ID(), Protocol: e.proto,
		MsgCode: &code, MsgSize: &size, LocalAddress: e.peer.local.String(), RemoteAddress: e.peer.remote.String()})
	return msg, nil
}

func (e *msgEventer) WriteMsg(msg Msg) error {
	if err := e.MsgReadWriter.WriteMsg(msg); err != nil {
		return err
	}
	code, size := msg.Code, msg.Size
	e.peer.srv.feed.send(&PeerEvent{Type: PeerEventTypeMsgSend, Peer: e.peer.ID(), Protocol: e.proto,
		MsgCode: &code, MsgSize: &size, LocalAddress: e.peer.local.String(), RemoteAddress: e.peer.remote.String()})
	return nil
}
