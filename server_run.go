package p2p

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/seednet/p2p/discover"
	"github.com/seednet/p2p/dnsdisc"
	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/enr"
	"github.com/seednet/p2p/metrics"
	"github.com/seednet/p2p/netutil"
	"github.com/seednet/p2p/nodedb"
	"github.com/seednet/p2p/rlpx"
)

// serverRun is the state of a running server. Start makes a new one and
// Stop ends it, so a restarted server begins afresh.
type serverRun struct {
	srv      *Server
	local    *enode.LocalNode // our node and its record
	hello    []byte           // our encoded Hello
	listener net.Listener
	dialer   *dialScheduler
	db       nodedb.DB       // nil without discovery and NodeDatabase
	disc     *discover.UDPv4 // nil when NoDiscovery or NoDiscoveryV4
	disc5    *discover.UDPv5 // nil when NoDiscovery or NoDiscoveryV5
	mix      *enode.FairMix  // dial candidates: discovery and protocols
	nat      *natMapper      // nil without Server.NAT
	natPorts [2]int          // TCP and UDP ports to map

	ctx    context.Context // cancelled by stop
	cancel context.CancelFunc
	wg     sync.WaitGroup // every goroutine of the run

	adm *admission // handshake slots of inbound connections
	bw  *bandwidth // nil without budgets

	listenerOnce sync.Once
	listenerErr  error

	mu       sync.Mutex // guards the fields below
	peers    map[enode.ID]*Peer
	inbound  int // inbound peers
	dynamic  int // peers we dialed from discovery or DialCandidates
	trusted  map[enode.ID]bool
	throttle map[netip.Addr]time.Time // recent inbound IPs, until when
	stopped  bool

	started time.Time
}

func newServerRun(srv *Server) (*serverRun, error) {
	r := &serverRun{
		srv:      srv,
		peers:    make(map[enode.ID]*Peer),
		trusted:  make(map[enode.ID]bool),
		throttle: make(map[netip.Addr]time.Time),
		adm:      newAdmission(srv.maxPending()),
		bw:       newBandwidth(srv.Bandwidth, &srv.stats),
		started:  time.Now(),
	}
	for _, n := range srv.TrustedNodes {
		r.trusted[n.ID()] = true
	}
	if srv.NodeDatabase != "" || !srv.NoDiscovery {
		db, err := nodedb.Open(nodedb.Config{Path: srv.NodeDatabase})
		if err != nil {
			return nil, configError("NodeDatabase", err, "p2p: cannot open Server.NodeDatabase %q: %v", srv.NodeDatabase, err)
		}
		r.db = db
	}
	store, _ := r.db.(nodedb.BanStore)
	srv.bans.load(store, time.Now())
	var seqs enode.SeqStore
	if r.db != nil {
		seqs = r.db
	}
	ln := enode.NewLocalNode(seqs, srv.PrivateKey)
	// Until we know better, the record says 127.0.0.1; a listener on one
	// address says that address instead (an IPv6 one as ip6, with no
	// IPv4 address: the node is not reachable over IPv4). Listening on
	// every address (":port") takes both IP versions; other nodes' PONGs
	// then tell us our public addresses of either version.
	tcp := 0
	fallback := true
	if srv.ListenAddr != "" {
		listener, err := srv.network().Listen(srv.ListenAddr)
		if err != nil {
			r.closeResources()
			return nil, configError("ListenAddr", err, "p2p: cannot listen on Server.ListenAddr %q: %v", srv.ListenAddr, err)
		}
		r.listener = listener
		ap, err := netip.ParseAddrPort(listener.Addr().String())
		if err != nil {
			listener.Close()
			r.closeResources()
			return nil, fmt.Errorf("p2p: listener address %q: %w", listener.Addr(), err)
		}
		tcp = int(ap.Port())
		if ip := ap.Addr().Unmap(); !ip.IsUnspecified() {
			ln.SetStaticIP(ip.WithZone(""))
			fallback = false
		}
		if err := ln.Set(enr.TCP(tcp)); err != nil {
			r.closeResources()
			return nil, err
		}
	}
	if fallback {
		ln.SetFallbackIP(netip.AddrFrom4([4]byte{127, 0, 0, 1}))
	}
	for _, p := range srv.Protocols {
		for _, e := range p.Attributes {
			if err := ln.Set(e); err != nil {
				r.closeResources()
				return nil, configError("Protocols", err, "p2p: record entry %q of protocol %s: %v", e.ENRKey(), p.Name, err)
			}
		}
	}
	if srv.discoveryOn() {
		if err := r.startDiscovery(ln, tcp); err != nil {
			r.closeResources()
			return nil, err
		}
	}
	r.local = ln
	udp := 0
	if r.disc != nil || r.disc5 != nil {
		udp = tcp
	}
	r.natPorts = [2]int{tcp, udp}
	caps := make([]Cap, len(srv.Protocols))
	for i, p := range srv.Protocols {
		caps[i] = p.cap()
	}
	hello, err := encodeHello(srv.name(), caps, tcp, srv.PrivateKey)
	if err != nil {
		r.closeResources()
		return nil, err
	}
	r.hello = hello
	r.ctx, r.cancel = context.WithCancel(context.Background())
	r.dialer = newDialScheduler(r)
	return r, nil
}

// startDiscovery runs discovery on the UDP port of the TCP listener: v4
// and v5 on one socket unless one of them is switched off. Packets that
// are not v4 go on to v5, as in go-ethereum.
func (r *serverRun) startDiscovery(ln *enode.LocalNode, tcp int) error {
	srv := r.srv
	host := ""
	if srv.ListenAddr != "" {
		h, _, err := net.SplitHostPort(srv.ListenAddr)
		if err != nil {
			return configError("ListenAddr", err, "p2p: Server.ListenAddr %q: %v", srv.ListenAddr, err)
		}
		host = h
	}
	udp, err := srv.network().ListenUDP(net.JoinHostPort(host, strconv.Itoa(tcp)))
	if err != nil {
		return configError("ListenAddr", err, "p2p: cannot listen for discovery on UDP port %d of %q (the TCP port of Server.ListenAddr): %v", tcp, host, err)
	}
	config := func(bootnodes []*enode.Node) discover.Config {
		return discover.Config{
			PrivateKey:  srv.PrivateKey,
			NetRestrict: srv.NetRestrict,
			Bootnodes:   bootnodes,
			DB:          r.db,
			Log:         srv.logger(),
			Metrics:     srv.Metrics,
			LimitLAN:    srv.ThrottleLAN,
		}
	}
	// Host names are looked up once, for both versions.
	boot := r.resolveBootnodes(srv.BootstrapNodes)
	boot5 := boot
	if srv.BootstrapNodesV5 != nil {
		boot5 = r.resolveBootnodes(srv.BootstrapNodesV5)
	}
	v5conn := discover.UDPConn(udp)
	if !srv.NoDiscoveryV4 {
		cfg := config(boot)
		var unhandled chan discover.ReadPacket
		if !srv.NoDiscoveryV5 {
			unhandled = make(chan discover.ReadPacket, discoveryBacklog)
			cfg.Unhandled = unhandled
			v5conn = discover.NewSharedConn(udp, unhandled)
		}
		disc, err := discover.ListenV4(udp, ln, cfg)
		if err != nil {
			udp.Close()
			return err
		}
		r.disc = disc
	}
	if !srv.NoDiscoveryV5 {
		disc5, err := discover.ListenV5(v5conn, ln, config(boot5))
		if err != nil {
			if r.disc != nil {
				r.disc.Close()
			} else {
				udp.Close()
			}
			r.disc = nil
			return err
		}
		r.disc5 = disc5
	}
	return nil
}

// discoveryBacklog is how many packets for discovery v5 may wait while v4
// reads the shared socket.
const discoveryBacklog = 100

// resolveBootnodes looks up the bootnodes given by enode URLs with a host
// name, since discovery needs their addresses. One that does not resolve
// within bootnodeResolveTimeout is left out, and logged.
func (r *serverRun) resolveBootnodes(nodes []*enode.Node) []*enode.Node {
	out := make([]*enode.Node, 0, len(nodes))
	for _, n := range nodes {
		if n.Hostname() != "" {
			ctx, cancel := context.WithTimeout(context.Background(), bootnodeResolveTimeout)
			resolved, err := enode.ResolveHostname(ctx, r.srv.Resolver, n)
			cancel()
			if err != nil {
				r.srv.logger().Warn("Bootnode left out: its host name does not resolve", "node", n.URLv4(), "err", err)
				continue
			}
			n = resolved
		}
		out = append(out, n)
	}
	return out
}

const bootnodeResolveTimeout = 5 * time.Second

// closeResources closes what newServerRun opened, on a failed start and
// at the end of stop, and returns the errors of closing.
func (r *serverRun) closeResources() error {
	var errs []error
	if err := r.closeListener(); err != nil {
		errs = append(errs, fmt.Errorf("p2p: closing the listener: %w", err))
	}
	if r.disc5 != nil {
		r.disc5.Close() // first: on a shared socket, v4 owns it
	}
	if r.disc != nil {
		if err := r.disc.Close(); err != nil {
			errs = append(errs, fmt.Errorf("p2p: closing discovery: %w", err))
		}
	}
	if r.db != nil {
		if err := r.db.Close(); err != nil {
			errs = append(errs, fmt.Errorf("p2p: closing the node database: %w", err))
		}
	}
	return errors.Join(errs...)
}

// closeListener closes the listener once; stop closes it early, to stop
// accepting, and closeResources again.
func (r *serverRun) closeListener() error {
	if r.listener == nil {
		return nil
	}
	r.listenerOnce.Do(func() { r.listenerErr = r.listener.Close() })
	return r.listenerErr
}

func (r *serverRun) start() {
	log := r.srv.logger()
	r.startNAT(r.natPorts[0], r.natPorts[1])
	if prov := r.srv.Metrics; prov != nil {
		prov.Func(metricPendingInbound, "Inbound connections in the handshakes (at most MaxPendingPeers).", metrics.KindGauge, nil,
			func(emit func(float64, ...string)) { emit(float64(r.adm.pending())) })
	}
	if r.listener != nil {
		r.wg.Add(1)
		go r.acceptLoop()
		log.Info("Listening", "addr", r.listener.Addr(), "self", r.local.Node().URLv4())
	}
	if !r.srv.NoDial {
		for _, n := range r.srv.StaticNodes {
			r.dialer.addStatic(n)
		}
	}
	r.wg.Add(1)
	go r.dialer.loop()
	if r.db != nil {
		// Forget nodes not seen for a day.
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			nodedb.ExpireLoop(r.ctx, r.db, time.Now, func(err error) {
				r.srv.logger().Debug("Node database expiry failed", "err", err)
			})
		}()
	}

	// Dial candidates: discovery's random nodes and the protocols' sources.
	r.mix = enode.NewFairMix(fairMixTimeout)
	sources := 0
	if r.disc != nil && !r.srv.NoDial {
		r.mix.AddSource(r.disc.RandomNodes())
		sources++
	}
	if r.disc5 != nil && !r.srv.NoDial {
		r.mix.AddSource(r.disc5.RandomNodes())
		sources++
	}
	if len(r.srv.DNSDiscoveryURLs) > 0 && !r.srv.NoDial {
		cfg := dnsdisc.Config{Logger: r.srv.logger()}
		if r.srv.Resolver != nil {
			if res, ok := r.srv.Resolver.(dnsdisc.Resolver); ok {
				cfg.Resolver = res
			}
		}
		// Start checked the URLs, which is all NewIterator can fail on.
		if it, err := dnsdisc.NewClient(cfg).NewIterator(r.srv.DNSDiscoveryURLs...); err == nil {
			r.mix.AddSource(it)
			sources++
		}
	}
	for _, p := range r.srv.Protocols {
		if p.DialCandidates != nil && !r.srv.NoDial {
			r.mix.AddSource(p.DialCandidates)
			sources++
		}
	}
	if sources > 0 && r.srv.MaxDialedConns() > 0 {
		r.wg.Add(1)
		go r.dialer.readCandidates(r.mix)
	}
}

// fairMixTimeout is how long the dialer waits for one source of candidates
// before it takes one from another.
const fairMixTimeout = time.Second

// stop ends the run: it stops accepting and dialing, cancels the
// handshakes under way, disconnects every peer, waits for every goroutine
// of the run and closes what the run opened. It returns the errors of
// closing.
func (r *serverRun) stop() error {
	r.mu.Lock()
	r.stopped = true
	peers := make([]*Peer, 0, len(r.peers))
	for _, p := range r.peers {
		peers = append(peers, p)
	}
	r.mu.Unlock()
	r.cancel()
	r.closeListener()
	if r.mix != nil {
		r.mix.Close() // also closes the protocols' DialCandidates
	}
	for _, p := range peers {
		p.Disconnect(DiscQuitting)
	}
	r.wg.Wait()
	return r.closeResources()
}

// enter counts a goroutine that is not the run's own (SetupConn's caller)
// into the run, unless the run is stopping. Call leave when it is done.
func (r *serverRun) enter() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return false
	}
	r.wg.Add(1)
	return true
}

func (r *serverRun) leave() { r.wg.Done() }

// acceptLoop accepts inbound connections and starts their handshakes.
func (r *serverRun) acceptLoop() {
	defer r.wg.Done()
	log := r.srv.logger()
	for {
		// Accept at once, whatever the handshakes under way: admission
		// (admission.go) decides who gets a slot.
		fd, err := r.listener.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				time.Sleep(50 * time.Millisecond)
				continue
			}
			if r.ctx.Err() == nil {
				log.Debug("Accept failed", "err", err)
			}
			return
		}
		r.srv.stats.accepted(fd.RemoteAddr())
		ip := remoteIP(fd)
		reason := r.checkInbound(ip)
		var pc *pendingConn
		var ctx context.Context
		var cancel context.CancelCauseFunc
		var pressure bool
		if reason == "" {
			ctx, cancel = context.WithCancelCause(r.ctx)
			if pc, reason, pressure = r.adm.enter(ip, cancel); reason != "" {
				cancel(nil)
			}
		}
		if reason != "" {
			r.srv.stats.reject(dirInbound, reason)
			log.Debug("Rejected inbound connection", "addr", fd.RemoteAddr(), "reason", reason)
			fd.Close()
			continue
		}
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			defer cancel(nil)
			if !r.waitSlot(ctx, pc) {
				r.adm.leave(pc)
				r.srv.stats.reject(dirInbound, rejectTooManyPending)
				fd.Close()
				return
			}
			hctx := ctx
			if pressure {
				var cancelTimeout context.CancelFunc
				hctx, cancelTimeout = context.WithTimeout(ctx, pressureHandshakeTimeout)
				defer cancelTimeout()
			}
			r.setupConn(hctx, fd, InboundConn, nil, nil)
			r.adm.leave(pc)
		}()
	}
}

// waitSlot waits until pc holds a handshake slot, for at most the
// handshake timeout; it reports whether it got one.
func (r *serverRun) waitSlot(ctx context.Context, pc *pendingConn) bool {
	select {
	case <-pc.granted:
		return true
	default:
	}
	t := time.NewTimer(handshakeTimeout)
	defer t.Stop()
	select {
	case <-pc.granted:
		return true
	case <-t.C:
	case <-ctx.Done():
	}
	// It may have been granted meanwhile; leave gives the slot back.
	return false
}

// remoteIP returns the IP address fd comes from (the zero Addr if it is
// not an IP connection).
func remoteIP(fd net.Conn) netip.Addr {
	if ap, err := netip.ParseAddrPort(fd.RemoteAddr().String()); err == nil {
		return ap.Addr().Unmap()
	}
	return netip.Addr{}
}

// checkInbound applies NetRestrict and the per-IP throttle to a new
// inbound connection from ip. It returns why the connection is refused, or
// "".
func (r *serverRun) checkInbound(ip netip.Addr) string {
	if !ip.IsValid() {
		return ""
	}
	if !r.srv.allowed(ip) {
		return rejectNetRestrict
	}
	if r.srv.bans.ipBanned(ip, time.Now()) {
		return rejectBanned
	}
	wait := r.srv.throttleTime()
	if wait < 0 || (!r.srv.ThrottleLAN && netutil.AddrIsLAN(ip)) {
		return ""
	}
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if until, ok := r.throttle[ip]; ok && now.Before(until) {
		return rejectThrottled
	}
	r.throttle[ip] = now.Add(wait)
	if len(r.throttle) > 1024 {
		for k, until := range r.throttle {
			if now.After(until) {
				delete(r.throttle, k)
			}
		}
	}
	return ""
}

// setupConn runs the handshakes on a new connection and, if the peer is
// admitted, starts it. dest is the dialed node (nil for inbound
// connections) and static its entry when it is a static node, whose
// removal in the meantime refuses the peer. It returns "" and nil when the
// connection became a peer, and otherwise the reason it was refused (which
// it counts in Stats.Rejected) and the error.
//
// The peer's read loop gets a goroutine of its own, rather than this one,
// so that an idle peer does not keep the stack that the elliptic curve
// work of the handshake grew.
//
// ctx bounds the handshakes, besides handshakeTimeout for each of the two;
// Stop cancels it, and so does the admission of inbound connections when
// it gives the connection's slot to another (errEvicted).
func (r *serverRun) setupConn(ctx context.Context, fd net.Conn, flags ConnFlag, dest *enode.Node, static *staticNode) (reason string, err error) {
	srv, log := r.srv, r.srv.logger()
	start := time.Now()
	defer func() {
		if reason != "" {
			srv.stats.reject(direction(flags), reason)
		}
	}()

	srv.limitSendBuffer(fd)
	var destKey *ecdsa.PublicKey
	if dest != nil {
		destKey = dest.Pubkey()
	}
	conn := rlpx.NewConn(fd, destKey)
	hctx, cancel := context.WithTimeout(ctx, handshakeTimeout)
	remoteKey, err := conn.HandshakeContext(hctx, srv.PrivateKey)
	cancel() // the context and its timer must not live as long as the peer
	if err != nil {
		if r.ctx.Err() != nil {
			return DiscQuitting.String(), DiscQuitting
		}
		if context.Cause(ctx) == errEvicted {
			return rejectEvicted, errEvicted
		}
		log.Debug("RLPx handshake failed", "addr", fd.RemoteAddr(), "err", err)
		srv.offend(enode.ID{}, remoteIP(fd), OffenseHandshakeFailed, static != nil || flags&TrustedConn != 0)
		return rejectHandshakeFailed, err
	}
	id := enode.PubkeyToIDV4(remoteKey)

	// Refuse early what we would refuse after Hello anyway.
	if err := r.admit(id, remoteIP(fd), flags, static); err != nil {
		return r.refuse(conn, err)
	}

	hello, err := r.exchangeHello(ctx, conn, remoteKey)
	if err != nil {
		var rd *RemoteDisconnectError
		switch {
		case r.ctx.Err() != nil:
			conn.Close()
			return DiscQuitting.String(), DiscQuitting
		case context.Cause(ctx) == errEvicted:
			conn.Close()
			return rejectEvicted, errEvicted
		case errors.As(err, &rd):
			conn.Close()
			log.Debug("Peer refused us in Hello", "id", id.TerminalString(), "addr", fd.RemoteAddr(), "reason", rd.Reason)
			if rd.Reason == DiscAlreadyConnected {
				// Both sides dialed each other at once; say so the same
				// way whichever side noticed.
				return DiscAlreadyConnected.String(), err
			}
			return "remote: " + rd.Reason.String(), err
		}
		log.Debug("Hello exchange failed", "id", id.TerminalString(), "addr", fd.RemoteAddr(), "err", err)
		if !errors.Is(err, DiscNetworkError) {
			r.sendDisconnect(conn, discReasonFor(err))
		}
		conn.Close()
		srv.offend(id, remoteIP(fd), OffenseHandshakeFailed, r.exempt(id, flags, static))
		return rejectHelloFailed, err
	}
	if hello.Version >= snappyProtocolVersion {
		conn.SetSnappy(true)
	}
	protos := matchProtocols(srv.Protocols, hello.Caps)
	if len(srv.Protocols) > 0 && len(protos) == 0 {
		srv.offend(id, remoteIP(fd), OffenseUseless, r.exempt(id, flags, static))
		return r.refuse(conn, DiscUselessPeer)
	}

	p := newPeer(srv, conn, id, dest, hello, protos, flags)
	if r.bw != nil {
		p.bw = r.bw
		p.bwIn, p.bwOut = r.bw.peerBudgets()
		for _, rw := range p.protos {
			rw.bw = r.bw.protocol(rw.Name)
		}
	}
	if err := r.addPeer(p, static); err != nil {
		return r.refuse(conn, err)
	}

	srv.stats.peersAdded.Add(1)
	srv.stats.metrics().peerAdded(flags, start)
	p.logger().Debug("Adding peer", "name", p.name, "inbound", p.Inbound())
	srv.feed.send(&PeerEvent{Type: PeerEventTypeAdd, Peer: id, LocalAddress: p.local.String(), RemoteAddress: p.remote.String()})
	r.wg.Add(1)
	p.onEnd = func(err error, remoteRequested bool) { r.peerEnded(p, err, remoteRequested) }
	p.start()
	return "", nil
}

// exchangeHello runs the Hello exchange within handshakeTimeout and ctx's
// deadline; the end of ctx (Stop, eviction) cancels it at once. Network
// failures come back wrapped in DiscNetworkError, a timeout as
// DiscReadTimeout.
func (r *serverRun) exchangeHello(ctx context.Context, conn *rlpx.Conn, remoteKey *ecdsa.PublicKey) (*helloMsg, error) {
	deadline := time.Now().Add(handshakeTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	hello, err := exchangeHello(conn, r.hello, remoteKey, &r.srv.stats.base)
	if !stop() && ctx.Err() != context.DeadlineExceeded {
		return nil, DiscQuitting
	}
	if err != nil {
		var rd *RemoteDisconnectError
		var reason DiscReason
		var perr *protoError
		if !errors.As(err, &rd) && !errors.As(err, &reason) && !errors.As(err, &perr) {
			err = readError(err)
		}
		return nil, err
	}
	conn.SetDeadline(time.Time{})
	return hello, nil
}

// peerEnded removes a peer whose connection ended.
func (r *serverRun) peerEnded(p *Peer, err error, remoteRequested bool) {
	defer r.wg.Done()
	srv, id, flags := r.srv, p.ID(), p.flags
	if o := offenseOf(err); o != 0 {
		srv.offend(id, remoteAddrIP(p), o, p.trusted.Load() || flags&StaticDialedConn != 0)
	}

	r.mu.Lock()
	delete(r.peers, id)
	if flags&InboundConn != 0 {
		r.inbound--
	}
	if flags&DynDialedConn != 0 {
		r.dynamic--
	}
	r.mu.Unlock()
	srv.stats.drop(flags, err)
	p.logger().Debug("Removing peer", "err", err, "remoteRequested", remoteRequested, "duration", time.Since(p.created))
	srv.feed.send(&PeerEvent{Type: PeerEventTypeDrop, Peer: id, Error: err.Error(), Err: err, LocalAddress: p.local.String(), RemoteAddress: p.remote.String()})
	r.dialer.peerRemoved(id)
}

// admit checks whether a peer may be added. It runs twice: right after the
// RLPx handshake, to refuse early, and when the peer is added.
// exempt reports whether the node is trusted or static: never banned
// automatically.
func (r *serverRun) exempt(id enode.ID, flags ConnFlag, static *staticNode) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return static != nil || flags&(TrustedConn|StaticDialedConn) != 0 || r.trusted[id]
}

func (r *serverRun) admit(id enode.ID, remote netip.Addr, flags ConnFlag, static *staticNode) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.admitLocked(id, remote, flags, static)
}

func (r *serverRun) admitLocked(id enode.ID, remote netip.Addr, flags ConnFlag, static *staticNode) error {
	srv := r.srv
	trusted := r.trusted[id] || flags&TrustedConn != 0
	switch {
	case r.stopped:
		return DiscQuitting
	case static != nil && static.removed.Load():
		// RemovePeer ran while we dialed. It marks the node removed
		// before it looks for the peer under r.mu, so either it finds
		// this peer or this check sees the mark.
		return DiscRequested
	case id == r.local.ID():
		return DiscSelf
	case r.peers[id] != nil:
		return DiscAlreadyConnected
	case srv.bans.nodeBanned(id, time.Now()):
		return errBanned
	case trusted:
		return nil
	case flags&StaticDialedConn == 0 && len(r.peers) >= srv.MaxPeers:
		return DiscTooManyPeers
	case flags&InboundConn != 0 && r.inbound >= srv.MaxInboundConns():
		return DiscTooManyPeers
	case flags&InboundConn != 0 && remote.IsValid() && r.subnetFullLocked(remote):
		return errSubnetFull
	}
	return nil
}

// subnetFullLocked reports whether ip's subnet has as many inbound peers
// as Server.MaxPeersPerSubnet allows.
func (r *serverRun) subnetFullLocked(ip netip.Addr) bool {
	srv := r.srv
	limit := srv.maxPeersPerSubnet()
	if limit == 0 || (!srv.ThrottleLAN && netutil.AddrIsLAN(ip)) {
		return false
	}
	g, n := subnetOf(ip), 0
	for _, p := range r.peers {
		if p.flags&InboundConn != 0 && !p.trusted.Load() && subnetOf(remoteAddrIP(p)) == g {
			n++
		}
	}
	return n >= limit
}

// addPeer admits and adds p, or returns the DiscReason for refusing it.
func (r *serverRun) addPeer(p *Peer, static *staticNode) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.admitLocked(p.ID(), remoteAddrIP(p), p.flags, static); err != nil {
		return err
	}
	p.trusted.Store(r.trusted[p.ID()] || p.flags&TrustedConn != 0)
	r.peers[p.ID()] = p
	if p.flags&InboundConn != 0 {
		r.inbound++
	}
	if p.flags&DynDialedConn != 0 {
		r.dynamic++
	}
	return nil
}

// refuse tells the peer why it is not admitted and closes the connection.
// It returns the reason as setupConn does.
func (r *serverRun) refuse(conn *rlpx.Conn, err error) (string, error) {
	reason := discReasonFor(err)
	r.sendDisconnect(conn, reason)
	conn.Close()
	switch {
	case errors.Is(err, errBanned):
		return rejectBanned, err
	case errors.Is(err, errSubnetFull):
		return rejectSubnetFull, err
	}
	return reason.String(), reason
}

// sendDisconnect sends a Disconnect on a connection that is not a peer's.
func (r *serverRun) sendDisconnect(conn *rlpx.Conn, reason DiscReason) {
	conn.SetWriteDeadline(time.Now().Add(discWriteTimeout))
	payload := encodeDisconnect(reason)
	if n, err := conn.Write(discMsg, payload); err == nil {
		r.srv.stats.base.sent(discMsg, n)
	}
}

func (r *serverRun) peer(id enode.ID) *Peer {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.peers[id]
}

func (r *serverRun) peerList() []*Peer {
	r.mu.Lock()
	defer r.mu.Unlock()
	ps := make([]*Peer, 0, len(r.peers))
	for _, p := range r.peers {
		ps = append(ps, p)
	}
	return ps
}

func (r *serverRun) setTrusted(id enode.ID, trusted bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if trusted {
		r.trusted[id] = true
	} else {
		delete(r.trusted, id)
	}
	if p := r.peers[id]; p != nil {
		p.trusted.Store(trusted)
	}
}

func addrIPPort(addr net.Addr) (net.IP, int) {
	if a, ok := addr.(*net.TCPAddr); ok {
		return a.IP, a.Port
	}
	return nil, 0
}
