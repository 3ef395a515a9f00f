package workloads

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"time"

	gethcrypto "github.com/ethereum/go-ethereum/crypto"
	gethp2p "github.com/ethereum/go-ethereum/p2p"
	gethenode "github.com/ethereum/go-ethereum/p2p/enode"

	"github.com/seednet/p2p"
	"github.com/seednet/p2p/bench/harness"
	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/enode"
)

// Workloads 3 to 6 of issue 6 measure our Server and Peer against
// go-ethereum's p2p.Server. Each implementation runs against itself (ours
// with ours, geth with geth), on loopback, with one protocol, snappy on
// (both sides announce base protocol version 5).
var serverHooks = []struct {
	id    int
	name  string
	what  string
	cases func() []harness.Case
}{
	{3, "server/{256B,4KiB,64KiB,1MiB}", "one protocol; msgs/s and MB/s, sender as fast as it can, receiver discards", serverThroughputCases},
	{4, "server/pingpong", "32-byte request and reply; latency p50, p99, p99.9", pingPongCases},
	{5, "server/setup", "full connection setups per second: TCP connect, RLPx, Hello, protocol start, disconnect", connSetupCases},
	{6, "server/idle/{1000,10000}", "1,000 and 10,000 idle peers on one node; goroutines, heap and RSS per peer on the hub", idlePeersCases},
}

// Pending lists the workloads that cannot run yet, for the report.
func Pending() []string {
	var p []string
	for _, h := range serverHooks {
		if len(h.cases()) == 0 {
			p = append(p, fmt.Sprintf("workload %d, %s (%s): not implemented", h.id, h.name, h.what))
		}
	}
	return p
}

// The protocol of the server cases.
const (
	protoName    = "bench"
	protoVersion = 1
	protoLength  = 2 // code 0: data and requests; code 1: replies
)

// staticDialedConn is go-ethereum's connFlag for a dialed static node
// (p2p/server.go), the flag its dial scheduler gives Server.SetupConn for
// the nodes of AddPeer.
const staticDialedConn = 2

// msgRW is what both libraries' protocol Run functions are given, reduced
// to what the cases do. One goroutine at a time may write through it.
type msgRW interface {
	// write sends a message with data as its payload.
	write(code uint64, data []byte) error
	// read reads the next message. With buf nil it discards the payload;
	// otherwise it reads the payload into buf (grown as needed) and returns
	// it.
	read(buf []byte) (code uint64, size uint32, payload []byte, err error)
}

// oursRW adapts our MsgReadWriter. Its payload reader is reused: WriteMsg
// reads the payload before it returns.
type oursRW struct {
	rw p2p.MsgReadWriter
	r  bytes.Reader
}

func (o *oursRW) write(code uint64, data []byte) error {
	o.r.Reset(data)
	return o.rw.WriteMsg(p2p.Msg{Code: code, Size: uint32(len(data)), Payload: &o.r})
}

func (o *oursRW) read(buf []byte) (uint64, uint32, []byte, error) {
	msg, err := o.rw.ReadMsg()
	if err != nil {
		return 0, 0, nil, err
	}
	if buf == nil {
		return msg.Code, msg.Size, nil, msg.Discard()
	}
	buf, err = readFull(buf, msg.Payload, msg.Size)
	return msg.Code, msg.Size, buf, err
}

// gethRW adapts go-ethereum's MsgReadWriter, like oursRW.
type gethRW struct {
	rw gethp2p.MsgReadWriter
	r  bytes.Reader
}

func (g *gethRW) write(code uint64, data []byte) error {
	g.r.Reset(data)
	return g.rw.WriteMsg(gethp2p.Msg{Code: code, Size: uint32(len(data)), Payload: &g.r})
}

func (g *gethRW) read(buf []byte) (uint64, uint32, []byte, error) {
	msg, err := g.rw.ReadMsg()
	if err != nil {
		return 0, 0, nil, err
	}
	if buf == nil {
		return msg.Code, msg.Size, nil, msg.Discard()
	}
	buf, err = readFull(buf, msg.Payload, msg.Size)
	return msg.Code, msg.Size, buf, err
}

func readFull(buf []byte, r io.Reader, size uint32) ([]byte, error) {
	buf = slices.Grow(buf[:0], int(size))[:size]
	_, err := io.ReadFull(r, buf)
	return buf, err
}

// serverConfig is what the cases set on a Server; the rest is the same for
// both libraries: a new key, 127.0.0.1:0, no discovery.
type serverConfig struct {
	run      func(rw msgRW) error // the protocol's Run
	maxPeers int                  // zero means 10
	noDial   bool
	events   bool // subscribe to peer events, for waitDrop
}

// benchServer is a running Server of one library.
type benchServer interface {
	// addr is the listening address.
	addr() *net.TCPAddr
	// pubkey is the node's public key, 65 bytes uncompressed.
	pubkey() []byte
	// connect makes this server connect to other, a server of the same
	// library. Ours returns at once (AddPeer); geth's returns once the
	// peer was added (SetupConn).
	connect(other benchServer) error
	// disconnect ends the connection to other.
	disconnect(other benchServer)
	// waitDrop waits for the next peer-drop event (config events only).
	waitDrop(timeout time.Duration) error
	peerCount() int
	stop()
}

// library starts Servers of one implementation.
type library struct {
	name  string
	start func(serverConfig) (benchServer, error)
}

var (
	oursLib = library{"ours", startOurs}
	gethLib = library{harness.Baseline, startGeth}
)

func libraryNamed(name string) (library, error) {
	for _, l := range []library{oursLib, gethLib} {
		if l.name == name {
			return l, nil
		}
	}
	return library{}, fmt.Errorf("no library %q", name)
}

type oursServer struct {
	srv    *p2p.Server
	self   *enode.Node
	events chan *p2p.PeerEvent
	sub    p2p.Subscription
}

func startOurs(cfg serverConfig) (benchServer, error) {
	key, err := crypto.GenerateKey()
	if err != nil {
		return nil, err
	}
	s := &oursServer{srv: &p2p.Server{
		PrivateKey:  key,
		MaxPeers:    cmpOr(cfg.maxPeers, 10),
		Name:        "bench-ours",
		ListenAddr:  "127.0.0.1:0",
		NoDiscovery: true,
		NoDial:      cfg.noDial,
		Protocols: []p2p.Protocol{{Name: protoName, Version: protoVersion, Length: protoLength,
			Run: func(_ *p2p.Peer, rw p2p.MsgReadWriter) error { return cfg.run(&oursRW{rw: rw}) }}},
	}}
	if cfg.events {
		s.events = make(chan *p2p.PeerEvent, 64)
		s.sub = s.srv.SubscribeEvents(s.events)
	}
	if err := s.srv.Start(); err != nil {
		return nil, err
	}
	s.self = s.srv.Self()
	return s, nil
}

func (s *oursServer) addr() *net.TCPAddr {
	return &net.TCPAddr{IP: s.self.IP(), Port: s.self.TCP()}
}
func (s *oursServer) pubkey() []byte { return crypto.FromECDSAPub(s.self.Pubkey()) }
func (s *oursServer) peerCount() int { return s.srv.PeerCount() }

func (s *oursServer) connect(other benchServer) error {
	s.srv.AddPeer(other.(*oursServer).self)
	return nil
}

func (s *oursServer) disconnect(other benchServer) { s.srv.RemovePeer(other.(*oursServer).self) }

func (s *oursServer) waitDrop(timeout time.Duration) error {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		select {
		case ev := <-s.events:
			if ev.Type == p2p.PeerEventTypeDrop {
				return nil
			}
		case <-t.C:
			return errors.New("ours: no peer drop event")
		}
	}
}

func (s *oursServer) stop() {
	if s.sub != nil {
		s.sub.Unsubscribe()
	}
	s.srv.Stop()
}

type gethServer struct {
	srv    *gethp2p.Server
	self   *gethenode.Node
	events chan *gethp2p.PeerEvent
	sub    interface{ Unsubscribe() }
}

func startGeth(cfg serverConfig) (benchServer, error) {
	key, err := gethcrypto.GenerateKey()
	if err != nil {
		return nil, err
	}
	s := &gethServer{srv: &gethp2p.Server{Config: gethp2p.Config{
		PrivateKey:  key,
		MaxPeers:    cmpOr(cfg.maxPeers, 10),
		Name:        "bench-geth",
		ListenAddr:  "127.0.0.1:0",
		NoDiscovery: true,
		NoDial:      cfg.noDial,
		Protocols: []gethp2p.Protocol{{Name: protoName, Version: protoVersion, Length: protoLength,
			Run: func(_ *gethp2p.Peer, rw gethp2p.MsgReadWriter) error { return cfg.run(&gethRW{rw: rw}) }}},
	}}}
	if cfg.events {
		s.events = make(chan *gethp2p.PeerEvent, 64)
		s.sub = s.srv.SubscribeEvents(s.events)
	}
	if err := s.srv.Start(); err != nil {
		return nil, err
	}
	s.self = s.srv.Self()
	return s, nil
}

func (s *gethServer) addr() *net.TCPAddr {
	return &net.TCPAddr{IP: s.self.IP(), Port: s.self.TCP()}
}
func (s *gethServer) pubkey() []byte { return gethcrypto.FromECDSAPub(s.self.Pubkey()) }
func (s *gethServer) peerCount() int { return s.srv.PeerCount() }

// connect dials other and hands the connection to SetupConn, as geth's
// dial scheduler does for a static node. (AddPeer would not do for
// repeated connections: geth does not redial a node within 35 s.)
func (s *gethServer) connect(other benchServer) error {
	o := other.(*gethServer)
	fd, err := net.DialTimeout("tcp", o.addr().String(), 5*time.Second)
	if err != nil {
		return err
	}
	return s.srv.SetupConn(fd, staticDialedConn, o.self)
}

func (s *gethServer) disconnect(other benchServer) {
	id := other.(*gethServer).self.ID()
	for _, p := range s.srv.Peers() {
		if p.ID() == id {
			p.Disconnect(gethp2p.DiscRequested)
		}
	}
}

func (s *gethServer) waitDrop(timeout time.Duration) error {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		select {
		case ev := <-s.events:
			if ev.Type == gethp2p.PeerEventTypeDrop {
				return nil
			}
		case <-t.C:
			return errors.New("geth: no peer drop event")
		}
	}
}

func (s *gethServer) stop() {
	if s.sub != nil {
		s.sub.Unsubscribe()
	}
	s.srv.Stop()
}

func cmpOr(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// pair is two connected Servers of one library.
type pair struct {
	a, b benchServer
}

// startPair starts a server running runA and one running runB, makes a
// dial b and waits until both Run functions were called.
func startPair(lib library, runA, runB func(msgRW) error, events bool) (*pair, error) {
	started := make(chan struct{}, 2)
	wrap := func(run func(msgRW) error) func(msgRW) error {
		return func(rw msgRW) error {
			started <- struct{}{}
			return run(rw)
		}
	}
	a, err := lib.start(serverConfig{run: wrap(runA), events: events})
	if err != nil {
		return nil, err
	}
	b, err := lib.start(serverConfig{run: wrap(runB), events: events})
	if err != nil {
		a.stop()
		return nil, err
	}
	p := &pair{a, b}
	if err := a.connect(b); err != nil {
		p.stop()
		return nil, fmt.Errorf("%s: connect: %w", lib.name, err)
	}
	if err := waitN(started, 2, 10*time.Second); err != nil {
		p.stop()
		return nil, fmt.Errorf("%s: protocol start: %w", lib.name, err)
	}
	return p, nil
}

func (p *pair) stop() {
	p.a.stop()
	p.b.stop()
}

// waitN receives n values from c within timeout.
func waitN(c <-chan struct{}, n int, timeout time.Duration) error {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for i := range n {
		select {
		case <-c:
		case <-t.C:
			return fmt.Errorf("timed out after %v with %d of %d", timeout, i, n)
		}
	}
	return nil
}
