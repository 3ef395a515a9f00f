package p2p

import (
	"sync"

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
	Type          PeerEventType `json:"type"`
	Peer          enode.ID      `json:"peer"`
	Error         string        `json:"error,omitempty"`
	Protocol      string        `json:"protocol,omitempty"`
	MsgCode       *uint64       `json:"msg_code,omitempty"`
	MsgSize       *uint32       `json:"msg_size,omitempty"`
	LocalAddress  string        `json:"local,omitempty"`
	RemoteAddress string        `json:"remote,omitempty"`
}

// Subscription is a subscription to server events.
type Subscription interface {
	// Unsubscribe ends the subscription; no event is sent after it returns.
	Unsubscribe()
}

// SubscribeEvents delivers peer events to ch until the subscription ends.
// Events are sent with blocking sends, so a subscriber must keep reading:
// a subscriber that stops holds up the peers whose events it is sent.
func (srv *Server) SubscribeEvents(ch chan *PeerEvent) Subscription {
	return srv.feed.subscribe(ch)
}

// eventFeed is a list of subscribers. The zero value is ready to use.
type eventFeed struct {
	mu   sync.RWMutex
	subs map[*feedSub]struct{}
}

type feedSub struct {
	feed *eventFeed
	ch   chan *PeerEvent
	once sync.Once
	quit chan struct{}
	busy sync.RWMutex // held for reading while sending to ch
}

func (f *eventFeed) subscribe(ch chan *PeerEvent) Subscription {
	s := &feedSub{feed: f, ch: ch, quit: make(chan struct{})}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.subs == nil {
		f.subs = make(map[*feedSub]struct{})
	}
	f.subs[s] = struct{}{}
	return s
}

func (s *feedSub) Unsubscribe() {
	s.once.Do(func() {
		s.feed.mu.Lock()
		delete(s.feed.subs, s)
		s.feed.mu.Unlock()
		close(s.quit)
		s.busy.Lock() // wait for sends in flight
		s.busy.Unlock()
	})
}

// send delivers ev to every subscriber.
func (f *eventFeed) send(ev *PeerEvent) {
	f.mu.RLock()
	if len(f.subs) == 0 {
		f.mu.RUnlock()
		return
	}
	subs := make([]*feedSub, 0, len(f.subs))
	for s := range f.subs {
		subs = append(subs, s)
	}
	f.mu.RUnlock()
	for _, s := range subs {
		s.busy.RLock()
		select {
		case <-s.quit:
		default:
			select {
			case s.ch <- ev:
			case <-s.quit:
			}
		}
		s.busy.RUnlock()
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
