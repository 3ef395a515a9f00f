package discover

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/seednet/p2p/discover/v5wire"
	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/metrics"
	"github.com/seednet/p2p/nodedb"
)

// UDPv5 runs discovery v5.1 on a UDP socket: it answers other nodes, keeps
// the Kademlia table (the one discovery v4 uses too) and performs lookups
// and requests: PING, FINDNODE and TALKREQ.
//
// Goroutines: readLoop reads and handles every packet in turn; the table
// runs its own loop (revalidation and refresh); each request method runs in
// its caller's goroutine and waits for its replies; TALKREQ handlers and
// fetches of newer records run in short-lived goroutines, bounded in
// number. Close stops them all.
//
// mu guards the codec, whose sessions and challenges every packet in or
// out touches, and the calls; the read loop holds it while it handles a
// packet, and a request holds it while it sends. Lock order: mu, then the
// table's lock.
type UDPv5 struct {
	conn        UDPConn
	priv        *ecdsa.PrivateKey
	localNode   *enode.LocalNode
	cfg         Config
	db          nodedb.DB
	lookupTime  metrics.Observer // lookup durations
	ownDB       nodedb.DB        // created by ListenV5, closed by Close
	log         *slog.Logger
	tab         *table
	talk        *talkSystem
	stats       v5stats
	respTimeout time.Duration

	ctx       context.Context // canceled by Close
	cancel    context.CancelFunc
	closeOnce sync.Once
	wg        sync.WaitGroup // readLoop, talk handlers, record updates
	updates   chan struct{}  // semaphore of record updates

	// mu guards the fields below.
	mu      sync.Mutex
	closed  bool
	codec   *v5wire.Codec
	calls   callTable
	limiter *rateLimiter // of WHOAREYOUs
}

// ListenV5 starts discovery v5 on conn, which it owns from then on (Close
// closes it), for the node of ln, whose key must be cfg.PrivateKey. If ln's
// record has no UDP port yet, ListenV5 sets its fallback UDP port (and its
// fallback IP, when conn is bound to a specific address) from
// conn.LocalAddr. To share a socket with discovery v4, see NewSharedConn.
func ListenV5(conn UDPConn, ln *enode.LocalNode, cfg Config) (*UDPv5, error) {
	cfg, own, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if ln.ID() != enode.PubkeyToIDV4(&cfg.PrivateKey.PublicKey) {
		if own != nil {
			own.Close()
		}
		return nil, errors.New("discover: LocalNode key differs from Config.PrivateKey")
	}
	setFallbackEndpoint(conn, ln)
	t := &UDPv5{
		conn:        conn,
		priv:        cfg.PrivateKey,
		localNode:   ln,
		cfg:         cfg,
		db:          cfg.DB,
		ownDB:       own,
		log:         cfg.Log,
		respTimeout: cfg.V5RespTimeout,
		updates:     make(chan struct{}, maxRecordUpdates),
		codec: v5wire.NewCodecWithConfig(ln, cfg.PrivateKey, v5wire.Config{
			ValidSchemes: cfg.ValidSchemes,
			Clock:        cfg.Clock,
			ProtocolID:   cfg.V5ProtocolID,
		}),
		calls:   newCallTable(),
		limiter: newRateLimiter(whoareyouIPRate, whoareyouIPBurst, whoareyouRate, whoareyouBurst, maxWhoareyouIPs),
	}
	t.talk = newTalkSystem(t)
	t.ctx, t.cancel = context.WithCancel(context.Background())
	t.tab = newTable(t, &t.cfg)
	t.tab.fastReval = true
	t.lookupTime = registerMetrics(cfg.Metrics, "v5", t.tab, func() (uint64, uint64, []reasonCount) {
		s := t.Stats()
		return s.Received, s.Sent, s.droppedByReason()
	})
	t.wg.Add(1)
	go t.readLoop()
	t.tab.start()
	return t, nil
}

// setFallbackEndpoint gives ln the endpoint of conn if its record has no
// UDP port yet.
func setFallbackEndpoint(conn UDPConn, ln *enode.LocalNode) {
	ua, ok := conn.LocalAddr().(*net.UDPAddr)
	if !ok || ln.Node().UDP() != 0 {
		return
	}
	ap := ua.AddrPort()
	ln.SetFallbackUDP(int(ap.Port()))
	if ip := ap.Addr().Unmap(); ip.IsValid() && !ip.IsUnspecified() && ln.Node().IP() == nil {
		ln.SetFallbackIP(ip)
	}
}

// Self returns our own node, as our current record describes it.
func (t *UDPv5) Self() *enode.Node { return t.localNode.Node() }

// self implements transport.
func (t *UDPv5) self() *enode.Node { return t.localNode.Node() }

// LocalNode returns the local node whose record we announce.
func (t *UDPv5) LocalNode() *enode.LocalNode { return t.localNode }

// Stats returns a snapshot of the packet counters.
func (t *UDPv5) Stats() V5Stats { return t.stats.snapshot() }

// AllNodes returns the nodes in the table, closest buckets first.
func (t *UDPv5) AllNodes() []*enode.Node { return t.tab.nodes() }

// Close stops discovery, closes the socket and waits for every goroutine,
// TALKREQ handlers included. Requests in progress fail with ErrClosed. It is
// idempotent.
func (t *UDPv5) Close() {
	t.closeOnce.Do(func() {
		t.cancel()
		t.conn.Close()
		t.mu.Lock()
		t.closed = true
		t.calls.failAll(ErrClosed)
		t.mu.Unlock()
		t.tab.close()
		t.wg.Wait()
		if t.ownDB != nil {
			t.ownDB.Close()
		}
	})
}

// readLoop reads packets until the socket is closed.
func (t *UDPv5) readLoop() {
	defer t.wg.Done()
	readPackets(t.ctx, t.conn, v5wire.MaxPacketSize, t.log, "discv5", t.handlePacket)
}

// writeLocked writes packet to addr. mu must be held: packet is usually
// the codec's buffer.
func (t *UDPv5) writeLocked(addr netip.AddrPort, packet []byte) error {
	if _, err := t.conn.WriteToUDPAddrPort(packet, addr); err != nil {
		if t.ctx.Err() != nil {
			return ErrClosed
		}
		return fmt.Errorf("discover: write to %v: %w", addr, err)
	}
	t.stats.sent.Add(1)
	return nil
}

// sendLocked encodes p to node id at addr, under the session if there is
// one, and writes it. mu must be held.
func (t *UDPv5) sendLocked(id enode.ID, addr netip.AddrPort, p v5wire.Packet, challenge *v5wire.Whoareyou) (v5wire.Nonce, error) {
	enc, nonce, err := t.codec.Encode(id, addr, p, challenge)
	if err != nil {
		t.log.Debug("discv5 encode failed", "id", id, "addr", addr, "packet", p.Name(), "err", err)
		return nonce, err
	}
	if t.log.Enabled(context.Background(), slog.LevelDebug) {
		t.log.Debug(">> "+p.Name(), "id", id, "addr", addr)
	}
	return nonce, t.writeLocked(addr, enc)
}

// sendResponse sends p to node id at addr from outside the read loop.
func (t *UDPv5) sendResponse(id enode.ID, addr netip.AddrPort, p v5wire.Packet) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.closed {
		t.sendLocked(id, addr, p, nil)
	}
}

// knownNode returns the record we have of node id: from the table, or
// else from the database.
func (t *UDPv5) knownNode(id enode.ID) *enode.Node {
	if n := t.tab.get(id); n != nil {
		return n
	}
	return t.db.Node(id)
}
