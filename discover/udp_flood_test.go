package discover

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/seednet/p2p/discover/v4wire"
	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/internal/testutil"
)

// floodClass is a group of senders in a PING flood and what they saw.
type floodClass struct {
	name    string
	ips     []string // one sender per address
	bond    bool     // bond with the node before the flood
	pingsIn int      // pings each sender sends

	// Results, summed over the class's senders.
	packetsIn, bytesIn   int // sent to the node
	packetsOut, bytesOut int // received from the node
	pongs, pings         int // of packetsOut
}

func (c *floodClass) String() string {
	return fmt.Sprintf("%s (%d senders): in %d packets %d bytes, out %d packets (%d pongs, %d pings) %d bytes: x%.2f packets, x%.2f bytes",
		c.name, len(c.ips), c.packetsIn, c.bytesIn, c.packetsOut, c.pongs, c.pings, c.bytesOut,
		float64(c.packetsOut)/float64(max(c.packetsIn, 1)), float64(c.bytesOut)/float64(max(c.bytesIn, 1)))
}

// countingConn counts the packets and bytes a node reads from and writes
// to each address.
type countingConn struct {
	*net.UDPConn
	mu      sync.Mutex
	in, out map[netip.Addr]*traffic
}

type traffic struct {
	packets, bytes int
	pongs, pings   int
}

func newCountingConn(c *net.UDPConn) *countingConn {
	return &countingConn{UDPConn: c, in: make(map[netip.Addr]*traffic), out: make(map[netip.Addr]*traffic)}
}

func (c *countingConn) count(m map[netip.Addr]*traffic, b []byte, addr netip.AddrPort) {
	c.mu.Lock()
	defer c.mu.Unlock()
	tr := m[addr.Addr().Unmap()]
	if tr == nil {
		tr = new(traffic)
		m[addr.Addr().Unmap()] = tr
	}
	tr.packets++
	tr.bytes += len(b)
	if len(b) > 97 {
		switch b[97] {
		case v4wire.PongPacket:
			tr.pongs++
		case v4wire.PingPacket:
			tr.pings++
		}
	}
}

func (c *countingConn) ReadFromUDPAddrPort(b []byte) (int, netip.AddrPort, error) {
	n, addr, err := c.UDPConn.ReadFromUDPAddrPort(b)
	if err == nil {
		c.count(c.in, b[:n], addr)
	}
	return n, addr, err
}

func (c *countingConn) WriteToUDPAddrPort(b []byte, addr netip.AddrPort) (int, error) {
	n, err := c.UDPConn.WriteToUDPAddrPort(b, addr)
	if err == nil {
		c.count(c.out, b, addr)
	}
	return n, err
}

// reset forgets the counts so far.
func (c *countingConn) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.in)
	clear(c.out)
}

// tally sums the counts of the addresses of class c.
func (c *countingConn) tally(fc *floodClass) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ip := range fc.ips {
		a := netip.MustParseAddr(ip)
		if tr := c.in[a]; tr != nil {
			fc.packetsIn += tr.packets
			fc.bytesIn += tr.bytes
		}
		if tr := c.out[a]; tr != nil {
			fc.packetsOut += tr.packets
			fc.bytesOut += tr.bytes
			fc.pongs += tr.pongs
			fc.pings += tr.pings
		}
	}
}

// startCountingNode starts a quiet node on ip whose socket counts its
// traffic.
func startCountingNode(t *testing.T, ip string, limitLAN bool) (*UDPv4, *countingConn) {
	t.Helper()
	key := testutil.NewKey(t)
	cfg := Config{PrivateKey: key, Log: testLogger(t), LimitLAN: limitLAN}
	quiet(&cfg)
	conn := newCountingConn(listenUDP(t, ip))
	udp, err := ListenV4(conn, enode.NewLocalNode(nil, key), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { udp.Close() })
	return udp, conn
}

// runPingFlood makes every sender of every class send its pings to node
// (every interval, all senders at once) and counts, at the node's socket,
// the packets and bytes that came in from and went out to each class
// until the node has been quiet for 300 ms. Bonded senders answer the
// node's ping back before the flood; during it, nobody answers anything,
// as a spoofer cannot.
func runPingFlood(t *testing.T, node *UDPv4, conn *countingConn, interval time.Duration, classes []*floodClass) time.Duration {
	t.Helper()
	type sender struct {
		class *floodClass
		te    *tester
		ping  []byte
	}
	var senders []*sender
	for _, c := range classes {
		for _, ip := range c.ips {
			te := newTester(t, ip, nil, node)
			if c.bond {
				te.bond(false)
			}
			// A ping shaped like go-ethereum's: its own endpoint, ours,
			// expiration and record sequence number.
			ping, _, err := v4wire.Encode(te.key, &v4wire.Ping{
				Version: 4, From: te.endpoint(), To: te.remoteEndpoint(),
				Expiration: future(), ENRSeq: 1_700_000_000_000,
			})
			if err != nil {
				t.Fatal(err)
			}
			senders = append(senders, &sender{class: c, te: te, ping: ping})
		}
	}
	before := node.Stats()
	conn.reset()
	start := time.Now()

	var wg sync.WaitGroup
	for _, s := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range s.class.pingsIn {
				if _, err := s.te.conn.WriteToUDPAddrPort(s.ping, s.te.remote); err != nil {
					t.Error(err)
					return
				}
				time.Sleep(interval)
			}
			buf := make([]byte, 2048)
			for {
				s.te.conn.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
				if _, _, err := s.te.conn.ReadFromUDPAddrPort(buf); err != nil {
					var ne net.Error
					if !errors.As(err, &ne) || !ne.Timeout() {
						t.Error(err)
					}
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	after := node.Stats()
	for _, c := range classes {
		conn.tally(c)
		t.Log(c)
	}
	t.Logf("node stats during the flood (%v): received %d, sent %d, handled %d, dropped %d, PONGs limited %d, ping backs limited %d",
		elapsed.Round(time.Millisecond), after.Received-before.Received, after.Sent-before.Sent, after.Handled-before.Handled,
		after.Dropped()-before.Dropped(), after.PongLimited-before.PongLimited, after.PingBackLimited-before.PingBackLimited)
	return elapsed
}

// loopbackIPs returns n addresses 127.a.b.c counting up from first.
func loopbackIPs(first netip.Addr, n int, step int) []string {
	ips := make([]string, n)
	a := first.As4()
	v := uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
	for i := range ips {
		ips[i] = netip.AddrFrom4([4]byte{127, byte(v >> 16), byte(v >> 8), byte(v)}).String()
		v += uint32(step)
	}
	return ips
}

// TestPingFlood measures what a node answers to a PING flood: senders
// that never prove their endpoint, within one /24 and spread over
// distinct /24s, against senders that bonded first. The unverified get no
// more bytes than they sent beyond the reply budget's allowance: that of
// their block, or the global one for the spread senders.
func TestPingFlood(t *testing.T) {
	n, pings := 32, 10
	if raceEnabled {
		n, pings = 8, 10
	}
	node, conn := startCountingNode(t, "127.0.0.1", true) // loopback stands for the internet here
	classes := []*floodClass{
		{name: "unverified, one /24", ips: loopbackIPs(netip.MustParseAddr("127.0.0.2"), n, 1), pingsIn: pings},
		{name: "unverified, distinct /24s", ips: loopbackIPs(netip.MustParseAddr("127.1.0.1"), n, 256), pingsIn: pings},
		{name: "bonded", ips: loopbackIPs(netip.MustParseAddr("127.0.0.200"), 8, 1), bond: true, pingsIn: pings},
	}
	elapsed := runPingFlood(t, node, conn, 100*time.Millisecond, classes)
	secs := elapsed.Seconds() + 1 // the setup (bonding) refills too
	for _, c := range classes[:2] {
		allowance := blockFreeBurst + blockFreeRate*secs
		if c == classes[1] {
			allowance = globalFreeBurst + globalFreeRate*secs
		}
		if float64(c.bytesOut) > float64(c.bytesIn)+allowance {
			t.Errorf("%s: sent %d bytes for %d, allowance %.0f", c.name, c.bytesOut, c.bytesIn, allowance)
		}
		if c.pings > c.pongs {
			t.Errorf("%s: %d ping backs but %d pongs", c.name, c.pings, c.pongs)
		}
	}
	if c := classes[2]; c.pongs != c.packetsIn || c.pings != 0 {
		t.Errorf("bonded: %d pongs and %d pings for %d pings", c.pongs, c.pings, c.packetsIn)
	}
}

// TestPingFloodLANExempt: without Config.LimitLAN, loopback senders are
// not held to the reply budget: every Ping gets its Pong and ping back.
func TestPingFloodLANExempt(t *testing.T) {
	node, conn := startCountingNode(t, "127.0.0.1", false)
	c := &floodClass{name: "unverified LAN", ips: loopbackIPs(netip.MustParseAddr("127.0.0.2"), 8, 1), pingsIn: 10}
	runPingFlood(t, node, conn, 100*time.Millisecond, []*floodClass{c})
	if c.pongs != c.packetsIn || node.Stats().PongLimited != 0 || node.Stats().PingBackLimited != 0 {
		t.Fatalf("%d pongs for %d pings; stats %+v", c.pongs, c.packetsIn, node.Stats())
	}
}
