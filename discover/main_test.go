package discover

import (
	"crypto/ecdsa"
	"errors"
	"flag"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/seednet/p2p/discover/v4wire"
	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/internal/testutil"
	"go.uber.org/goleak"
)

var verbose = flag.Bool("discover.log", false, "send discovery debug logs to t.Log")

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testLogger sends logs to t.Log when -discover.log is set.
func testLogger(t testing.TB) *slog.Logger {
	if !*verbose {
		return nil
	}
	return testutil.Logger(t)
}

// listenUDP opens a loopback socket on ip.
func listenUDP(t testing.TB, ip string) *net.UDPConn {
	t.Helper()
	conn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(netip.MustParseAddr(ip), 0)))
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

// startNode starts discovery on a loopback address; edit may change the
// config. The node is closed when the test ends.
func startNode(t testing.TB, ip string, edit func(*Config)) *UDPv4 {
	t.Helper()
	key := testutil.NewKey(t)
	cfg := Config{PrivateKey: key, Log: testLogger(t)}
	if edit != nil {
		edit(&cfg)
	}
	ln := enode.NewLocalNode(nil, key)
	udp, err := ListenV4(listenUDP(t, ip), ln, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { udp.Close() })
	return udp
}

// quiet configures a node under a tester to send nothing on its own while
// a test runs: once a tester has bonded it is in the table, and a
// revalidation ping (every PingInterval on average, at random) or a
// refresh lookup would arrive where the tester expects a reply or silence.
// Under load that happened (1 run in about 50 of TestPacketHandling).
func quiet(c *Config) {
	c.PingInterval = time.Hour
	c.RefreshInterval = time.Hour
}

// tester is a raw discovery endpoint that crafts packets, like the devp2p
// test suite.
type tester struct {
	t      testing.TB
	conn   *net.UDPConn
	key    *ecdsa.PrivateKey
	remote netip.AddrPort
	node   *UDPv4 // the node under test
}

func (te *tester) remoteNode() *enode.Node { return te.node.Self() }

func newTester(t testing.TB, ip string, key *ecdsa.PrivateKey, remote *UDPv4) *tester {
	t.Helper()
	if key == nil {
		key = testutil.NewKey(t)
	}
	conn := listenUDP(t, ip)
	t.Cleanup(func() { conn.Close() })
	addr, _ := remote.Self().UDPEndpoint()
	return &tester{t: t, conn: conn, key: key, remote: addr, node: remote}
}

func (te *tester) endpoint() v4wire.Endpoint {
	return v4wire.NewEndpoint(te.conn.LocalAddr().(*net.UDPAddr).AddrPort(), 0)
}

func (te *tester) remoteEndpoint() v4wire.Endpoint { return v4wire.NewEndpoint(te.remote, 0) }

func future() uint64 { return uint64(time.Now().Add(20 * time.Second).Unix()) }
func past() uint64   { return uint64(time.Now().Add(-20 * time.Second).Unix()) }

// send encodes and sends p; it returns the packet's hash.
func (te *tester) send(p v4wire.Packet) []byte {
	te.t.Helper()
	packet, hash, err := v4wire.Encode(te.key, p)
	if err != nil {
		te.t.Fatal(err)
	}
	te.sendRaw(packet)
	return hash
}

func (te *tester) sendRaw(packet []byte) {
	te.t.Helper()
	if _, err := te.conn.WriteToUDPAddrPort(packet, te.remote); err != nil {
		te.t.Fatal(err)
	}
}

var errNoPacket = errors.New("no packet")

// read reads one packet, waiting up to timeout.
func (te *tester) read(timeout time.Duration) (v4wire.Packet, []byte, error) {
	buf := make([]byte, 2048)
	te.conn.SetReadDeadline(time.Now().Add(timeout))
	n, _, err := te.conn.ReadFromUDPAddrPort(buf)
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return nil, nil, errNoPacket
		}
		return nil, nil, err
	}
	p, _, hash, err := v4wire.Decode(buf[:n])
	return p, hash, err
}

func (te *tester) ping() []byte {
	return te.send(&v4wire.Ping{Version: 4, From: te.endpoint(), To: te.remoteEndpoint(), Expiration: future()})
}

// bond pings the node and answers its ping back, as the devp2p suite does;
// wrongHash makes the answer carry a wrong hash.
func (te *tester) bond(wrongHash bool) {
	te.t.Helper()
	pingHash := te.ping()
	var gotPing, gotPong bool
	for !gotPing || !gotPong {
		p, hash, err := te.read(2 * time.Second)
		if err != nil {
			te.t.Fatalf("bond: %v", err)
		}
		switch p := p.(type) {
		case *v4wire.Ping:
			if wrongHash {
				hash = make([]byte, 32)
			}
			te.send(&v4wire.Pong{To: te.remoteEndpoint(), ReplyTok: hash, Expiration: future()})
			gotPing = true
		case *v4wire.Pong:
			if string(p.ReplyTok) != string(pingHash) {
				te.t.Fatalf("bond: pong hash %x, want %x", p.ReplyTok, pingHash)
			}
			gotPong = true
		}
	}
	// The node records the pong in the read loop: wait for it.
	time.Sleep(50 * time.Millisecond)
}

// expectNone checks that no packet comes within a short while.
func (te *tester) expectNone() {
	te.t.Helper()
	if p, _, err := te.read(300 * time.Millisecond); err != errNoPacket {
		te.t.Fatalf("expected no packet, got %v (err %v)", p, err)
	}
}

// waitStats polls until cond holds on the node's stats.
func waitStats(t testing.TB, udp *UDPv4, cond func(Stats) bool) Stats {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		s := udp.Stats()
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("stats condition not met: %+v", s)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// memConn is a UDPConn that records what is written and reads nothing.
type memConn struct {
	closed chan struct{}
	once   sync.Once
	mu     sync.Mutex
	writes [][]byte
	to     map[netip.AddrPort]int // writes per destination
}

func newMemConn() *memConn { return &memConn{closed: make(chan struct{})} }

func (c *memConn) ReadFromUDPAddrPort(b []byte) (int, netip.AddrPort, error) {
	<-c.closed
	return 0, netip.AddrPort{}, net.ErrClosed
}

func (c *memConn) WriteToUDPAddrPort(b []byte, addr netip.AddrPort) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writes = append(c.writes, append([]byte(nil), b...))
	if c.to == nil {
		c.to = make(map[netip.AddrPort]int)
	}
	c.to[addr]++
	return len(b), nil
}

// writesTo returns how many packets were written to addr.
func (c *memConn) writesTo(addr netip.AddrPort) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.to[addr]
}

func (c *memConn) Close() error {
	c.once.Do(func() { close(c.closed) })
	return nil
}

func (c *memConn) LocalAddr() net.Addr {
	return &net.UDPAddr{IP: net.IP{127, 0, 0, 1}, Port: 30303}
}

func (c *memConn) numWrites() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.writes)
}
