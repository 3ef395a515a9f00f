package v5wire

import (
	"bufio"
	"crypto/ecdsa"
	"encoding/hex"
	"net/netip"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/enode"
)

// The keys of the test vectors: node A sends, node B receives.
const (
	nodeAKey = "eef77acb6c6a6eebc5b363a475ac583ec7eccdb42b6481424c60f59aa326547f"
	nodeBKey = "66fb62bfbd66b9177a138c1e5cddbe4f7c30c343e94e68df8769459cb1cde628"
)

var (
	addrA = netip.MustParseAddrPort("10.0.0.1:30301")
	addrB = netip.MustParseAddrPort("10.0.0.2:30302")
)

func unhex(tb testing.TB, s string) []byte {
	tb.Helper()
	b, err := hex.DecodeString(strings.TrimPrefix(s, "0x"))
	if err != nil {
		tb.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func mustKey(tb testing.TB, h string) *ecdsa.PrivateKey {
	tb.Helper()
	k, err := crypto.HexToECDSA(h)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// testClock is a clock that moves only when told.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock() *testClock {
	return &testClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// newLocalNode returns a LocalNode whose first record has seq 1 and IP
// 127.0.0.1, as the records of the test vectors have.
func newLocalNode(key *ecdsa.PrivateKey) *enode.LocalNode {
	epoch := func() time.Time { return time.UnixMilli(0) }
	ln := enode.NewLocalNodeWithConfig(key, enode.LocalNodeConfig{Now: epoch})
	ln.SetStaticIP(netip.MustParseAddr("127.0.0.1"))
	return ln
}

// testNode is one side of a conversation.
type testNode struct {
	key   *ecdsa.PrivateKey
	ln    *enode.LocalNode
	c     *Codec
	addr  netip.AddrPort
	clock *testClock
}

func newTestNode(tb testing.TB, key *ecdsa.PrivateKey, addr netip.AddrPort, cfg Config) *testNode {
	tb.Helper()
	n := &testNode{key: key, ln: newLocalNode(key), addr: addr, clock: newTestClock()}
	if cfg.Clock == nil {
		cfg.Clock = n.clock.Now
	}
	n.c = NewCodecWithConfig(n.ln, key, cfg)
	return n
}

func (n *testNode) id() enode.ID      { return n.ln.ID() }
func (n *testNode) node() *enode.Node { return n.ln.Node() }

// testPair is node A talking to node B.
type testPair struct {
	a, b *testNode
}

func newTestPair(tb testing.TB) *testPair {
	tb.Helper()
	return &testPair{
		a: newTestNode(tb, mustKey(tb, nodeAKey), addrA, Config{}),
		b: newTestNode(tb, mustKey(tb, nodeBKey), addrB, Config{}),
	}
}

// send encodes p from 'from' to 'to' and decodes it at 'to'.
func send(tb testing.TB, from, to *testNode, p Packet, challenge *Whoareyou) (enode.ID, *enode.Node, Packet, error) {
	tb.Helper()
	enc, _, err := from.c.Encode(to.id(), to.addr, p, challenge)
	if err != nil {
		tb.Fatalf("encode %s: %v", p.Name(), err)
	}
	return to.c.Decode(enc, from.addr)
}

// handshake runs the handshake the protocol would: A sends p without a
// session, B answers WHOAREYOU, A sends p again in a handshake packet. It
// returns what B decoded from the handshake packet.
func (tp *testPair) handshake(tb testing.TB, p Packet) (*enode.Node, Packet) {
	tb.Helper()
	_, _, got, err := send(tb, tp.a, tp.b, p, nil)
	if err != nil {
		tb.Fatal("first packet:", err)
	}
	unknown, ok := got.(*Unknown)
	if !ok {
		tb.Fatalf("first packet decoded as %T, want *Unknown", got)
	}
	w := &Whoareyou{Nonce: unknown.Nonce, IDNonce: [16]byte{1, 2, 3}}
	_, _, got, err = send(tb, tp.b, tp.a, w, nil)
	if err != nil {
		tb.Fatal("WHOAREYOU:", err)
	}
	challenge, ok := got.(*Whoareyou)
	if !ok {
		tb.Fatalf("WHOAREYOU decoded as %T", got)
	}
	challenge.Node = tp.b.node()
	src, node, got, err := send(tb, tp.a, tp.b, p, challenge)
	if err != nil {
		tb.Fatal("handshake:", err)
	}
	if src != tp.a.id() {
		tb.Fatalf("handshake from %v, want %v", src, tp.a.id())
	}
	return node, got
}

// vector is a test vector file: its "# key = value" lines and its packet.
type vector struct {
	params map[string]string
	packet []byte
}

func loadVector(tb testing.TB, name string) vector {
	tb.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	v := vector{params: map[string]string{}}
	var hexdata strings.Builder
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if c, ok := strings.CutPrefix(line, "#"); ok {
			if k, val, ok := strings.Cut(c, "="); ok {
				v.params[strings.TrimSpace(k)] = strings.TrimSpace(val)
			}
			continue
		}
		hexdata.WriteString(line)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	v.packet = unhex(tb, hexdata.String())
	return v
}

func (v vector) bytes(tb testing.TB, key string) []byte {
	tb.Helper()
	s, ok := v.params[key]
	if !ok {
		tb.Fatalf("vector has no %q", key)
	}
	return unhex(tb, s)
}

func netipAddr(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }
