package discover

import (
	"net"
	"net/netip"
	"sync"

	"github.com/seednet/p2p/discover/v5wire"
	"github.com/seednet/p2p/enode"
)

// TalkRequestHandler answers a TALKREQ of the protocol it was registered
// for: it gets the requesting node (its record as of the handshake), the
// address the request came from and the request's message, and returns the
// message of the TALKRESP. It runs in its own goroutine, but should return
// within about 200 ms, or the requester will have timed out; Close waits
// for running handlers. The signature is go-ethereum's.
type TalkRequestHandler func(n *enode.Node, addr *net.UDPAddr, msg []byte) []byte

// talkSystem runs TALKREQ handlers: at most maxActiveTalk at once, of them
// at most maxActiveTalkPerIP for requests from one IP. A request that finds
// no free slot is dropped.
type talkSystem struct {
	t *UDPv5

	// mu guards the fields below.
	mu       sync.Mutex
	handlers map[string]TalkRequestHandler
	active   int
	perIP    map[netip.Addr]int
}

func newTalkSystem(t *UDPv5) *talkSystem {
	return &talkSystem{t: t, handlers: make(map[string]TalkRequestHandler), perIP: make(map[netip.Addr]int)}
}

// RegisterTalkHandler sets the handler of TALKREQs of the given protocol,
// replacing any earlier one. TALKREQs of protocols without a handler are
// answered with an empty TALKRESP.
func (t *UDPv5) RegisterTalkHandler(protocol string, handler TalkRequestHandler) {
	t.talk.mu.Lock()
	defer t.talk.mu.Unlock()
	t.talk.handlers[protocol] = handler
}

// handle answers p from node id at from: at once for an unknown protocol,
// from a handler goroutine otherwise. It runs in the read loop with
// UDPv5.mu held.
func (ts *talkSystem) handle(p *v5wire.TalkRequest, id enode.ID, from netip.AddrPort) {
	t := ts.t
	ts.mu.Lock()
	h := ts.handlers[p.Protocol]
	if h != nil && (ts.active >= maxActiveTalk || ts.perIP[from.Addr()] >= maxActiveTalkPerIP) {
		ts.mu.Unlock()
		t.stats.talkOverload.Add(1)
		t.log.Debug("discv5 TALKREQ dropped: handlers busy", "id", id, "addr", from, "proto", p.Protocol)
		return
	}
	if h != nil {
		ts.active++
		ts.perIP[from.Addr()]++
	}
	ts.mu.Unlock()

	t.stats.handled.Add(1)
	if h == nil {
		t.sendLocked(id, from, &v5wire.TalkResponse{ReqID: p.ReqID}, nil)
		return
	}
	n := t.codec.SessionNode(id, from)
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		defer ts.release(from.Addr())
		addr := &net.UDPAddr{IP: from.Addr().AsSlice(), Port: int(from.Port())}
		resp := h(n, addr, p.Message)
		t.sendResponse(id, from, &v5wire.TalkResponse{ReqID: p.ReqID, Message: resp})
	}()
}

func (ts *talkSystem) release(ip netip.Addr) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.active--
	if ts.perIP[ip]--; ts.perIP[ip] <= 0 {
		delete(ts.perIP, ip)
	}
}
