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

	"github.com/seednet/p2p/discover/v4wire"
	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/metrics"
	"github.com/seednet/p2p/nodedb"
)

// Errors of the request methods.
var (
	ErrClosed   = errors.New("discover: closed")
	ErrTimeout  = errors.New("discover: RPC timeout")
	ErrNoUDP    = errors.New("discover: node has no UDP endpoint")
	errBadENR   = errors.New("discover: invalid ENR response")
	errWrongID  = errors.New("discover: ENR response for another node")
	errNoPubkey = errors.New("discover: node has no secp256k1 key")
)

// UDPv4 runs discovery v4 on a UDP socket: it answers other nodes, keeps
// the Kademlia table and performs lookups.
//
// Goroutines: readLoop reads and handles every packet in turn; the table
// runs its own loop (revalidation and refresh); each request method runs in
// its caller's goroutine and waits for its reply; unknown pingers are pinged
// back in short-lived goroutines (at most maxPingBacks). Close stops them all.
type UDPv4 struct {
	conn       UDPConn
	priv       *ecdsa.PrivateKey
	localNode  *enode.LocalNode
	cfg        Config
	db         nodedb.DB
	lookupTime metrics.Observer // lookup durations
	ownDB      nodedb.DB        // created by ListenV4, closed by Close
	log        *slog.Logger
	tab        *table
	stats      stats

	ctx       context.Context // canceled by Close
	cancel    context.CancelFunc
	closeOnce sync.Once
	wg        sync.WaitGroup
	pingBacks chan struct{} // semaphore of ping-back goroutines
	budget    *replyBudget  // used by readLoop only

	// mu guards the replies we wait for.
	mu      sync.Mutex
	pending []*replyMatcher
}

// ListenV4 starts discovery v4 on conn, which it owns from then on, for the
// node of ln, whose key must be cfg.PrivateKey. If ln's record has no UDP
// port yet, ListenV4 sets its fallback UDP port (and its fallback IP, when
// conn is bound to a specific address) from conn.LocalAddr.
func ListenV4(conn UDPConn, ln *enode.LocalNode, cfg Config) (*UDPv4, error) {
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
	if ua, ok := conn.LocalAddr().(*net.UDPAddr); ok && ln.Node().UDP() == 0 {
		ap := ua.AddrPort()
		ln.SetFallbackUDP(int(ap.Port()))
		if ip := ap.Addr().Unmap(); ip.IsValid() && !ip.IsUnspecified() && ln.Node().IP() == nil {
			ln.SetFallbackIP(ip)
		}
	}
	t := &UDPv4{
		conn:      conn,
		priv:      cfg.PrivateKey,
		localNode: ln,
		cfg:       cfg,
		db:        cfg.DB,
		ownDB:     own,
		log:       cfg.Log,
		pingBacks: make(chan struct{}, maxPingBacks),
		budget:    newReplyBudget(),
	}
	t.ctx, t.cancel = context.WithCancel(context.Background())
	t.tab = newTable(t, &t.cfg)
	t.lookupTime = registerMetrics(cfg.Metrics, "v4", t.tab, func() (uint64, uint64, []reasonCount) {
		s := t.Stats()
		return s.Received, s.Sent, s.droppedByReason()
	})
	t.wg.Add(1)
	go t.readLoop()
	t.tab.start()
	return t, nil
}

// Self returns our own node, as our current record describes it.
func (t *UDPv4) Self() *enode.Node { return t.localNode.Node() }

// self implements transport.
func (t *UDPv4) self() *enode.Node { return t.localNode.Node() }

// Stats returns a snapshot of the packet counters.
func (t *UDPv4) Stats() Stats { return t.stats.snapshot() }

// TableNodes returns the nodes in the table, closest buckets first.
func (t *UDPv4) TableNodes() []*enode.Node { return t.tab.nodes() }

// Close stops discovery, closes the socket and waits for every goroutine.
// It is idempotent; later calls return nil.
func (t *UDPv4) Close() error {
	var err error
	t.closeOnce.Do(func() {
		t.cancel()
		err = t.conn.Close()
		t.tab.close()
		t.wg.Wait()
		if t.ownDB != nil {
			if e := t.ownDB.Close(); err == nil {
				err = e
			}
		}
	})
	return err
}

// now is the configured clock.
func (t *UDPv4) now() time.Time { return t.cfg.Clock() }

// readLoop reads packets until the socket is closed.
func (t *UDPv4) readLoop() {
	defer t.wg.Done()
	readPackets(t.ctx, t.conn, v4wire.MaxPacketSize, t.log, "discv4", t.handlePacket)
}

// send encodes p and writes it to addr. It returns the packet's hash.
func (t *UDPv4) send(addr netip.AddrPort, p v4wire.Packet) ([]byte, error) {
	packet, hash, err := v4wire.Encode(t.priv, p)
	if err != nil {
		return nil, err
	}
	return hash, t.write(addr, packet)
}

func (t *UDPv4) write(addr netip.AddrPort, packet []byte) error {
	if _, err := t.conn.WriteToUDPAddrPort(packet, addr); err != nil {
		if t.ctx.Err() != nil {
			return ErrClosed
		}
		return fmt.Errorf("discover: write to %v: %w", addr, err)
	}
	t.stats.sent.Add(1)
	return nil
}

// ourEndpoint is our endpoint as our record says.
func (t *UDPv4) ourEndpoint() v4wire.Endpoint {
	n := t.Self()
	ap, _ := n.UDPEndpoint()
	return v4wire.NewEndpoint(ap, uint16(n.TCP()))
}

// udpAddr returns n's UDP endpoint with an unmapped address.
func udpAddr(n *enode.Node) (netip.AddrPort, error) {
	ap, ok := n.UDPEndpoint()
	if !ok {
		return netip.AddrPort{}, ErrNoUDP
	}
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), nil
}
