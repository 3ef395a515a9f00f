package v5wire

import (
	"crypto/cipher"
	"encoding/binary"
	"math"
	"net/netip"
	"time"

	"github.com/seednet/p2p/enode"
)

// sessionID names a session or a challenge: a node at one UDP endpoint.
// Tying keys to the endpoint stops a spoofer from using them from
// elsewhere.
type sessionID struct {
	id   enode.ID
	addr netip.AddrPort
}

// newSessionID normalizes the address: an IPv4-mapped IPv6 address counts
// as the IPv4 address.
func newSessionID(id enode.ID, addr netip.AddrPort) sessionID {
	return sessionID{id, netip.AddrPortFrom(addr.Addr().Unmap(), addr.Port())}
}

// session holds the keys agreed with a node, their ciphers and the count of
// messages sent under them.
type session struct {
	writeKey, readKey   [aesKeySize]byte
	writeAEAD, readAEAD cipher.AEAD
	// mask is the masking cipher of packets to this node.
	mask cipher.Block
	// nonceCounter is the number of messages sent; it is the first four
	// bytes of their nonces, so it must not wrap.
	nonceCounter uint32
	// node is the node's record as of the handshake.
	node *enode.Node
	// recent holds the nonces of the last replayWindow messages received,
	// next is where the next goes: a message whose nonce is among them is
	// a replay.
	recent [replayWindow]Nonce
	next   int
	// prev is the session this one replaced, kept to open messages
	// with; see sessionCache.storeSession.
	prev *session
}

// replayWindow is the number of received nonces a session remembers. A
// replayed packet older than that many messages of the session decrypts
// again; the request it carries is answered again, to its sender's
// endpoint, which the session ties it to.
const replayWindow = 64

// seen reports whether a message with nonce n was received already, and
// remembers n otherwise.
func (s *session) seen(n *Nonce) bool {
	for i := range s.recent {
		if s.recent[i] == *n {
			return true
		}
	}
	s.recent[s.next] = *n
	s.next = (s.next + 1) % replayWindow
	return false
}

// newSession makes the session with node id from the keys of a handshake.
func newSession(id enode.ID, writeKey, readKey [aesKeySize]byte, node *enode.Node) *session {
	return &session{
		writeKey:  writeKey,
		readKey:   readKey,
		writeAEAD: newGCM(&writeKey),
		readAEAD:  newGCM(&readKey),
		mask:      maskingBlock(id),
		node:      node,
	}
}

// nextNonce returns the nonce of the next message: the message count as four
// big-endian bytes, then eight random bytes from rnd (the layout the
// specification recommends). ok is false when the count is used up; the
// session must then be replaced by a new handshake.
func (s *session) nextNonce(rnd [8]byte) (n Nonce, ok bool) {
	if s.nonceCounter == math.MaxUint32 {
		return n, false
	}
	s.nonceCounter++
	binary.BigEndian.PutUint32(n[:4], s.nonceCounter)
	copy(n[4:], rnd[:])
	return n, true
}

// challenge is a WHOAREYOU we sent, and when.
type challenge struct {
	w    *Whoareyou
	sent time.Time
}

// sessionCache holds the sessions and the WHOAREYOU challenges we sent,
// each in a bounded LRU cache. Challenges also expire after a timeout.
// It is not safe for concurrent use; the Codec owns it.
type sessionCache struct {
	sessions   lru[sessionID, *session]
	challenges lru[sessionID, challenge]
	timeout    time.Duration
	clock      func() time.Time
	// maxPerIP bounds the sessions with one IP; perIP counts them.
	maxPerIP int
	perIP    map[netip.Addr]int
}

func newSessionCache(maxSessions, maxChallenges int, timeout time.Duration, clock func() time.Time) *sessionCache {
	return &sessionCache{
		sessions:   newLRU[sessionID, *session](maxSessions),
		challenges: newLRU[sessionID, challenge](maxChallenges),
		timeout:    timeout,
		clock:      clock,
		maxPerIP:   maxSessions,
		perIP:      make(map[netip.Addr]int),
	}
}

// session returns the session with id at addr, nil if there is none, and
// marks it as recently used.
func (sc *sessionCache) session(k sessionID) *session {
	s, _ := sc.sessions.get(k)
	return s
}

// storeSession stores a new session, replacing any other with the node at
// that address, and evicting the least recently used if the cache is full.
//
// The session replaced stays with the new one as its prev, for opening
// messages (one level: its own prev goes). When two nodes send each other
// a request at the same time without a session, each answers the other's
// with WHOAREYOU and both handshakes cross: each node ends with the
// session of the handshake it received last, and the two differ. A
// message that the current session cannot open but prev can shows which
// one the sender uses, and prev becomes current again (promote).
func (sc *sessionCache) storeSession(k sessionID, s *session) {
	if old, ok := sc.sessions.peek(k); ok {
		if old != s {
			old.prev = nil
			s.prev = old
		}
		sc.sessions.add(k, s)
		return
	}
	ip := k.addr.Addr()
	if sc.perIP[ip] >= sc.maxPerIP {
		// The IP is at its limit: its least recently used session goes.
		if ok, found := sc.sessions.oldestWhere(func(o sessionID) bool { return o.addr.Addr() == ip }); found {
			sc.deleteSession(ok)
		}
	}
	if ev, ok := sc.sessions.add(k, s); ok {
		sc.uncount(ev)
	}
	sc.perIP[ip]++
}

// uncount takes a session that left the cache off its IP's count.
func (sc *sessionCache) uncount(k sessionID) {
	ip := k.addr.Addr()
	if sc.perIP[ip]--; sc.perIP[ip] <= 0 {
		delete(sc.perIP, ip)
	}
}

// promote makes the previous session of k, s.prev, current again, with s
// as its prev.
func (sc *sessionCache) promote(k sessionID, s *session) *session {
	p := s.prev
	s.prev = nil
	p.prev = s
	sc.sessions.add(k, p)
	return p
}

func (sc *sessionCache) deleteSession(k sessionID) {
	if sc.sessions.remove(k) {
		sc.uncount(k)
	}
}

// challenge returns the unexpired challenge we sent to id at addr, or nil.
func (sc *sessionCache) challenge(k sessionID) *Whoareyou {
	c, ok := sc.challenges.peek(k)
	if !ok {
		return nil
	}
	if sc.expired(c, sc.clock()) {
		sc.challenges.remove(k)
		return nil
	}
	return c.w
}

// storeChallenge stores a challenge we sent, replacing any earlier one to
// the same node and address. Expired challenges go first, then, if the
// store is still full, the oldest.
func (sc *sessionCache) storeChallenge(k sessionID, w *Whoareyou) {
	now := sc.clock()
	for {
		_, c, ok := sc.challenges.oldest()
		if !ok || !sc.expired(c, now) {
			break
		}
		sc.challenges.removeOldest()
	}
	sc.challenges.add(k, challenge{w: w, sent: now})
}

func (sc *sessionCache) deleteChallenge(k sessionID) {
	sc.challenges.remove(k)
}

func (sc *sessionCache) expired(c challenge, now time.Time) bool {
	return now.Sub(c.sent) > sc.timeout
}
