package p2p

import (
	"crypto/ecdsa"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/enr"
	"github.com/seednet/p2p/internal/netns"
	"github.com/seednet/p2p/internal/testutil"
	"github.com/seednet/p2p/netutil"
	"github.com/seednet/p2p/rlp"
	"github.com/seednet/p2p/rlpx"
)

func TestMain(m *testing.M) {
	netns.RunChild(netnsChildren) // when started as a child in a namespace
	goleak.VerifyTestMain(m)
}

// newKeyNoTest makes a key outside a test (in a netns child).
func newKeyNoTest() (*ecdsa.PrivateKey, error) { return crypto.GenerateKey() }

// echoProtocol answers every "foo" message (code 0) with "bar" (code 1)
// and reports what it receives on got.
func echoProtocol(got chan<- string) Protocol {
	return Protocol{
		Name:    "echo",
		Version: 1,
		Length:  2,
		Run: func(p *Peer, rw MsgReadWriter) error {
			if err := SendItems(rw, 0, "foo"); err != nil {
				return err
			}
			for {
				msg, err := rw.ReadMsg()
				if err != nil {
					return err
				}
				var items []string
				if err := msg.Decode(&items); err != nil {
					return err
				}
				if got != nil {
					got <- fmt.Sprintf("%d:%s", msg.Code, items[0])
				}
				if msg.Code == 0 {
					if err := SendItems(rw, 1, "bar"); err != nil {
						return err
					}
				}
			}
		},
	}
}

func startServer(t testing.TB, srv *Server) *Server {
	t.Helper()
	if srv.PrivateKey == nil {
		srv.PrivateKey = testutil.NewKey(t)
	}
	if srv.MaxPeers == 0 {
		srv.MaxPeers = 10
	}
	if srv.ListenAddr == "" {
		srv.ListenAddr = "127.0.0.1:0"
	}
	if srv.Logger == nil {
		srv.Logger = testutil.Logger(t)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Stop() })
	return srv
}

// waitPeers waits until srv has n peers.
func waitPeers(t testing.TB, srv *Server, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for srv.PeerCount() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d peers after 10s, want %d; stats %+v", srv.PeerCount(), n, srv.Stats())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func recvN(t testing.TB, ch <-chan string, n int) []string {
	t.Helper()
	var out []string
	for range n {
		select {
		case s := <-ch:
			out = append(out, s)
		case <-time.After(10 * time.Second):
			t.Fatalf("got %v, want %d messages", out, n)
		}
	}
	return out
}

func TestServerConnectAndExchange(t *testing.T) {
	got1, got2 := make(chan string, 10), make(chan string, 10)
	srv1 := startServer(t, &Server{Name: "one", Protocols: []Protocol{echoProtocol(got1)}})
	srv2 := startServer(t, &Server{Name: "two", Protocols: []Protocol{echoProtocol(got2)}})
	srv2.AddPeer(srv1.Self())
	waitPeers(t, srv1, 1)
	waitPeers(t, srv2, 1)
	for _, got := range [][]string{recvN(t, got1, 2), recvN(t, got2, 2)} {
		if !(contains(got, "0:foo") && contains(got, "1:bar")) {
			t.Errorf("received %v, want foo and bar", got)
		}
	}
	p := srv1.Peers()[0]
	if p.ID() != srv2.Self().ID() || p.Name() != "two" || !p.Inbound() {
		t.Errorf("srv1's peer: id %v name %q inbound %v", p.ID(), p.Name(), p.Inbound())
	}
	if !p.RunningCap("echo", []uint{1}) {
		t.Error("echo/1 not running")
	}
	info := srv2.PeersInfo()[0]
	if !info.Network.Static || info.Network.Inbound || info.Name != "one" || info.Caps[0] != "echo/1" {
		t.Errorf("PeersInfo: %+v", info)
	}
	if ni := srv1.NodeInfo(); ni.Enode != srv1.Self().URLv4() || ni.Ports.Listener == 0 {
		t.Errorf("NodeInfo: %+v", ni)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestServerRestart stops a server and starts it again.
func TestServerRestart(t *testing.T) {
	got := make(chan string, 10)
	srv1 := startServer(t, &Server{Protocols: []Protocol{echoProtocol(nil)}})
	srv2 := startServer(t, &Server{Protocols: []Protocol{echoProtocol(got)}})
	for i := range 3 {
		srv2.AddPeer(srv1.Self())
		waitPeers(t, srv2, 1)
		recvN(t, got, 2)
		if err := srv2.Stop(); err != nil {
			t.Fatal(err)
		}
		if err := srv2.Stop(); err != nil {
			t.Fatal("second Stop:", err)
		}
		waitPeers(t, srv1, 0)
		if i < 2 {
			if err := srv2.Start(); err != nil {
				t.Fatal("restart:", err)
			}
			if err := srv2.Start(); !errors.Is(err, ErrServerRunning) {
				t.Fatal("Start on a running server:", err)
			}
		}
	}
}

func TestServerStartErrors(t *testing.T) {
	key := testutil.NewKey(t)
	tests := []struct {
		name  string
		srv   *Server
		field string
	}{
		{"no-key", &Server{MaxPeers: 1}, "PrivateKey"},
		{"no-maxpeers", &Server{PrivateKey: key}, "MaxPeers"},
		{"negative-pending", &Server{PrivateKey: key, MaxPeers: 1, MaxPendingPeers: -1}, "MaxPendingPeers"},
		{"bad-listen", &Server{PrivateKey: key, MaxPeers: 1, ListenAddr: "127.0.0.1:99999"}, "ListenAddr"},
		{"bad-protocol", &Server{PrivateKey: key, MaxPeers: 1, Protocols: []Protocol{{Name: "x"}}}, "Protocols[0]"},
		{"bad-dns-url", &Server{PrivateKey: key, MaxPeers: 1, DNSDiscoveryURLs: []string{"x"}}, "DNSDiscoveryURLs[0]"},
		{"bad-nodedb", &Server{PrivateKey: key, MaxPeers: 1, NodeDatabase: "/proc/no/such/dir/db"}, "NodeDatabase"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.srv.Start()
			if err == nil {
				tt.srv.Stop()
				t.Fatal("no error")
			}
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Field != tt.field || !strings.Contains(err.Error(), "Server."+strings.TrimSuffix(tt.field, "[0]")) {
				t.Fatalf("error %q (%T), want a ConfigError for %s", err, err, tt.field)
			}
		})
	}
}

// TestServerLimits: MaxPeers, self, already connected, useless peers.
func TestServerLimits(t *testing.T) {
	t.Run("too-many-peers", func(t *testing.T) {
		hub := startServer(t, &Server{MaxPeers: 1, DialRatio: 1000, Protocols: []Protocol{echoProtocol(nil)}})
		a := startServer(t, &Server{Protocols: []Protocol{echoProtocol(nil)}})
		b := startServer(t, &Server{Protocols: []Protocol{echoProtocol(nil)}})
		a.AddPeer(hub.Self())
		waitPeers(t, hub, 1)
		b.AddPeer(hub.Self())
		waitRejected(t, hub, DiscTooManyPeers.String())
		if hub.PeerCount() != 1 {
			t.Fatal("hub has", hub.PeerCount())
		}
		// A trusted node gets in anyway.
		hub.AddTrustedPeer(b.Self())
		waitPeers(t, hub, 2)
	})
	t.Run("self", func(t *testing.T) {
		srv := startServer(t, &Server{Protocols: []Protocol{echoProtocol(nil)}})
		srv.AddPeer(srv.Self())
		waitRejected(t, srv, DiscSelf.String())
	})
	t.Run("useless", func(t *testing.T) {
		a := startServer(t, &Server{Protocols: []Protocol{echoProtocol(nil)}})
		other := echoProtocol(nil)
		other.Name = "other"
		b := startServer(t, &Server{Protocols: []Protocol{other}})
		b.AddPeer(a.Self())
		waitRejected(t, a, DiscUselessPeer.String())
	})
	t.Run("already-connected", func(t *testing.T) {
		a := startServer(t, &Server{Protocols: []Protocol{echoProtocol(nil)}})
		b := startServer(t, &Server{Protocols: []Protocol{echoProtocol(nil)}})
		b.AddPeer(a.Self())
		waitPeers(t, a, 1)
		// Connect again by hand, as b.
		c := rawConnect(t, a, b.PrivateKey)
		defer c.Close()
		if _, err := exchangeHello(c, mustHello(t, b.PrivateKey, "echo"), a.PrivateKey.Public().(*ecdsa.PublicKey), new(trafficCounters)); !isRemoteDisc(err, DiscAlreadyConnected) {
			t.Fatalf("got %v, want already connected", err)
		}
	})
}

func isRemoteDisc(err error, reason DiscReason) bool {
	var rd *RemoteDisconnectError
	return errors.As(err, &rd) && rd.Reason == reason
}

func waitRejected(t testing.TB, srv *Server, reason string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for srv.Stats().Rejected[reason] == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no rejection %q: stats %+v", reason, srv.Stats())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// rawConnect dials srv and completes the RLPx handshake with key.
func rawConnect(t testing.TB, srv *Server, key *ecdsa.PrivateKey) *rlpx.Conn {
	t.Helper()
	fd, err := net.Dial("tcp", srv.NodeInfo().ListenAddr)
	if err != nil {
		t.Fatal(err)
	}
	c := rlpx.NewConn(fd, srv.Self().Pubkey())
	c.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := c.Handshake(key); err != nil {
		t.Fatal(err)
	}
	return c
}

func mustHello(t testing.TB, key *ecdsa.PrivateKey, protos ...string) []byte {
	var caps []Cap
	for _, p := range protos {
		caps = append(caps, Cap{p, 1})
	}
	b, err := encodeHello("raw", caps, 0, key)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// hostile connects to srv as a raw peer, completes the Hello exchange
// unless hello is given, and returns the connection.
func hostile(t testing.TB, srv *Server, key *ecdsa.PrivateKey) *rlpx.Conn {
	t.Helper()
	c := rawConnect(t, srv, key)
	if _, err := exchangeHello(c, mustHello(t, key, "echo"), srv.Self().Pubkey(), new(trafficCounters)); err != nil {
		t.Fatal(err)
	}
	c.SetSnappy(true)
	return c
}

// expectDisconnect reads from c until a Disconnect arrives and checks its
// reason.
func expectDisconnect(t testing.TB, c *rlpx.Conn, want DiscReason) {
	t.Helper()
	for {
		code, data, _, err := c.Read()
		if err != nil {
			t.Fatalf("no disconnect (%v), want %v", err, want)
		}
		if code == discMsg {
			if got := decodeDisconnect(data); got != want {
				t.Fatalf("disconnect reason %v, want %v", got, want)
			}
			return
		}
	}
}

// TestHostilePeers: each misbehaving peer is dropped with the right
// reason while a good peer keeps exchanging messages.
func TestHostilePeers(t *testing.T) {
	got := make(chan string, 100)
	hub := startServer(t, &Server{MaxPeers: 50, Protocols: []Protocol{echoProtocol(got)}})
	good := startServer(t, &Server{Protocols: []Protocol{echoProtocol(nil)}})
	good.AddPeer(hub.Self())
	waitPeers(t, hub, 1)
	recvN(t, got, 2)

	bigName := string(make([]byte, 3000))
	tests := []struct {
		name string
		run  func(t *testing.T, key *ecdsa.PrivateKey)
	}{
		{"code-outside-range", func(t *testing.T, key *ecdsa.PrivateKey) {
			c := hostile(t, hub, key)
			c.Write(100, []byte{0xC0})
			expectDisconnect(t, c, DiscProtocolError)
		}},
		{"undecodable-payload", func(t *testing.T, key *ecdsa.PrivateKey) {
			c := hostile(t, hub, key)
			c.Write(baseProtocolLength+0, []byte{0xC3, 0x82, 0x01}) // truncated list
			expectDisconnect(t, c, DiscProtocolError)
		}},
		{"second-hello", func(t *testing.T, key *ecdsa.PrivateKey) {
			c := hostile(t, hub, key)
			c.Write(handshakeMsg, mustHello(t, key, "echo"))
			expectDisconnect(t, c, DiscProtocolError)
		}},
		{"hello-wrong-id", func(t *testing.T, key *ecdsa.PrivateKey) {
			c := rawConnect(t, hub, key)
			c.Write(handshakeMsg, mustHello(t, testutil.NewKey(t), "echo"))
			expectDisconnect(t, c, DiscUnexpectedIdentity)
		}},
		{"hello-zero-id", func(t *testing.T, key *ecdsa.PrivateKey) {
			c := rawConnect(t, hub, key)
			h, _ := rlp.EncodeToBytes(&helloMsg{Version: 5, Name: "x", Caps: []Cap{{"echo", 1}}, ID: make([]byte, 64)})
			c.Write(handshakeMsg, h)
			expectDisconnect(t, c, DiscInvalidIdentity)
		}},
		{"hello-short-id", func(t *testing.T, key *ecdsa.PrivateKey) {
			c := rawConnect(t, hub, key)
			h, _ := rlp.EncodeToBytes(&helloMsg{Version: 5, Name: "x", Caps: []Cap{{"echo", 1}}, ID: []byte{1, 2, 3}})
			c.Write(handshakeMsg, h)
			expectDisconnect(t, c, DiscInvalidIdentity)
		}},
		{"hello-too-big", func(t *testing.T, key *ecdsa.PrivateKey) {
			c := rawConnect(t, hub, key)
			h, _ := encodeHello(bigName, []Cap{{"echo", 1}}, 0, key)
			c.Write(handshakeMsg, h)
			expectDisconnect(t, c, DiscProtocolError)
		}},
		{"garbage-disconnect", func(t *testing.T, key *ecdsa.PrivateKey) {
			c := hostile(t, hub, key)
			c.Write(discMsg, []byte{0xff, 0x00})
			if _, _, _, err := c.Read(); err == nil {
				// The hub may have sent a ping first; it must close soon.
				for err == nil {
					_, _, _, err = c.Read()
				}
			}
		}},
		{"garbage-after-handshake", func(t *testing.T, key *ecdsa.PrivateKey) {
			c := rawConnect(t, hub, key)
			c.Write(0x77, []byte("junk"))
			for {
				if _, _, _, err := c.Read(); err != nil {
					return
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.run(t, testutil.NewKey(t))
			// The good peer still talks.
			hub.Peers()
			waitPeers(t, hub, 1)
		})
	}
	// After all that, the good peer is still there and exchanging.
	for _, p := range good.Peers() {
		p.Disconnect(DiscRequested)
	}
	waitPeers(t, hub, 0)
	if n := hub.Stats().Dropped[DiscProtocolError.String()]; n < 3 {
		t.Errorf("dropped for protocol errors: %d", n)
	}
}

// TestDisconnectForms decodes the list and bare forms.
func TestDisconnectForms(t *testing.T) {
	tests := []struct {
		in   []byte
		want DiscReason
	}{
		{[]byte{0xC1, 0x04}, DiscTooManyPeers},
		{[]byte{0x04}, DiscTooManyPeers},
		{[]byte{0xC1, 0x80}, DiscRequested},
		{[]byte{0x80}, DiscRequested},
		{[]byte{0xC1, 0x10}, DiscSubprotocolError},
		{[]byte{0xC0}, DiscRequested},
		{[]byte{0xff}, DiscProtocolError},
		{nil, DiscProtocolError},
		{[]byte{0xC2, 0xC1, 0x01}, DiscProtocolError},
	}
	for _, tt := range tests {
		if got := decodeDisconnect(tt.in); got != tt.want {
			t.Errorf("%x: got %v, want %v", tt.in, got, tt.want)
		}
	}
	for r := DiscRequested; r <= DiscSubprotocolError; r++ {
		if got := decodeDisconnect(encodeDisconnect(r)); got != r {
			t.Errorf("round trip of %d: %v", r, got)
		}
	}
}

func TestMatchProtocols(t *testing.T) {
	p := func(name string, version uint, length uint64) Protocol {
		return Protocol{Name: name, Version: version, Length: length}
	}
	ours := []Protocol{p("eth", 67, 17), p("eth", 68, 17), p("snap", 1, 8), p("les", 4, 23)}
	tests := []struct {
		name string
		caps []Cap
		want map[string][2]uint64 // name -> version, offset
	}{
		{"none", []Cap{{"xyz", 1}}, map[string][2]uint64{}},
		{"highest-version", []Cap{{"eth", 67}, {"eth", 68}}, map[string][2]uint64{"eth": {68, 16}}},
		{"sorted-offsets", []Cap{{"snap", 1}, {"eth", 67}}, map[string][2]uint64{"eth": {67, 16}, "snap": {1, 33}}},
		{"three", []Cap{{"snap", 1}, {"les", 4}, {"eth", 68}, {"eth", 66}}, map[string][2]uint64{"eth": {68, 16}, "les": {4, 33}, "snap": {1, 56}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := matchProtocols(ours, tt.caps)
			if len(got) != len(tt.want) {
				t.Fatalf("matched %d, want %d", len(got), len(tt.want))
			}
			for _, rw := range got {
				if w := tt.want[rw.Name]; w != [2]uint64{uint64(rw.Version), rw.offset} {
					t.Errorf("%s: version %d offset %d, want %v", rw.Name, rw.Version, rw.offset, w)
				}
			}
		})
	}
}

// TestEvents subscribes to add and drop events.
func TestEvents(t *testing.T) {
	srv1 := startServer(t, &Server{EnableMsgEvents: true, Protocols: []Protocol{echoProtocol(nil)}})
	srv2 := startServer(t, &Server{Protocols: []Protocol{echoProtocol(nil)}})
	ch := make(chan *PeerEvent, 100)
	sub := srv1.SubscribeEvents(ch)
	defer sub.Unsubscribe()
	srv2.AddPeer(srv1.Self())
	seen := map[PeerEventType]bool{}
	timeout := time.After(10 * time.Second)
	for !(seen[PeerEventTypeAdd] && seen[PeerEventTypeMsgSend] && seen[PeerEventTypeMsgRecv]) {
		select {
		case ev := <-ch:
			seen[ev.Type] = true
			if ev.Peer != srv2.Self().ID() {
				t.Fatalf("event for %v", ev.Peer)
			}
		case <-timeout:
			t.Fatalf("events seen: %v", seen)
		}
	}
	srv2.Stop()
	for {
		select {
		case ev := <-ch:
			if ev.Type == PeerEventTypeDrop {
				return
			}
		case <-timeout:
			t.Fatal("no drop event")
		}
	}
}

// TestUserModelCode starts a server configured exactly as in the project
// brief, port 30300 on all interfaces included.
func TestUserModelCode(t *testing.T) {
	nodekey, _ := crypto.GenerateKey()
	srv := Server{MaxPeers: 10, PrivateKey: nodekey, Name: "my node name", ListenAddr: ":30300", Protocols: []Protocol{echoProtocol(nil)}}
	if err := srv.Start(); err != nil {
		t.Skip("port 30300 is taken:", err)
	}
	defer srv.Stop()
	if srv.Self().TCP() != 30300 {
		t.Fatal("listening on", srv.Self().TCP())
	}
}

// TestInboundThrottle: with the throttle applied to loopback, a second
// connection from the same IP within the throttle time is refused and
// counted; after it, the IP may connect again.
func TestInboundThrottle(t *testing.T) {
	hub := startServer(t, &Server{ThrottleLAN: true, InboundThrottleTime: 300 * time.Millisecond, Protocols: []Protocol{echoProtocol(nil)}})
	dial := func() {
		fd, err := net.Dial("tcp", hub.NodeInfo().ListenAddr)
		if err != nil {
			t.Fatal(err)
		}
		fd.Close()
	}
	dial()
	dial()
	waitRejected(t, hub, rejectThrottled)
	time.Sleep(400 * time.Millisecond)
	before := hub.Stats().Rejected[rejectThrottled]
	dial()
	waitAccepted(t, hub, 3)
	if n := hub.Stats().Rejected[rejectThrottled]; n != before {
		t.Fatalf("throttled again after the throttle time: %d", n)
	}
}

func waitAccepted(t testing.TB, srv *Server, n uint64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for srv.Stats().InboundAccepted < n {
		if time.Now().After(deadline) {
			t.Fatalf("accepted %d, want %d", srv.Stats().InboundAccepted, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestNetRestrict: inbound connections from outside NetRestrict are
// refused, and nodes outside it are not dialed.
func TestNetRestrict(t *testing.T) {
	only := &netutil.Netlist{netip.MustParsePrefix("10.0.0.0/8")}
	t.Run("inbound", func(t *testing.T) {
		hub := startServer(t, &Server{NetRestrict: only, Protocols: []Protocol{echoProtocol(nil)}})
		other := startServer(t, &Server{Protocols: []Protocol{echoProtocol(nil)}})
		other.AddPeer(hub.Self())
		waitRejected(t, hub, rejectNetRestrict)
		if hub.PeerCount() != 0 {
			t.Fatal("peer admitted")
		}
	})
	t.Run("outbound", func(t *testing.T) {
		target := startServer(t, &Server{Protocols: []Protocol{echoProtocol(nil)}})
		dialer := startServer(t, &Server{NetRestrict: only, Protocols: []Protocol{echoProtocol(nil)}})
		dialer.AddPeer(target.Self())
		waitRejected(t, dialer, rejectNetRestrict)
		if target.Stats().InboundAccepted != 0 {
			t.Fatal("dialed a node outside NetRestrict")
		}
	})
}

// TestStaticRedial: a static peer that drops is dialed again.
func TestStaticRedial(t *testing.T) {
	got := make(chan string, 10)
	hub := startServer(t, &Server{Protocols: []Protocol{echoProtocol(got)}})
	node := startServer(t, &Server{StaticNodes: nil, Protocols: []Protocol{echoProtocol(nil)}})
	node.AddPeer(hub.Self())
	recvN(t, got, 2)
	for range 2 {
		hub.Peers()[0].Disconnect(DiscRequested)
		recvN(t, got, 2) // a new connection runs a new exchange
	}
	if n := node.Stats().DialAttempts; n != 3 {
		t.Errorf("%d dials, want 3", n)
	}
}

// TestStaticNodesAtStart: StaticNodes are dialed when the server starts.
func TestStaticNodesAtStart(t *testing.T) {
	hub := startServer(t, &Server{Protocols: []Protocol{echoProtocol(nil)}})
	startServer(t, &Server{StaticNodes: []*enode.Node{hub.Self()}, Protocols: []Protocol{echoProtocol(nil)}})
	waitPeers(t, hub, 1)
}

// TestLocalRecord: the server's node record is signed and carries the TCP
// endpoint and the protocols' attributes.
func TestLocalRecord(t *testing.T) {
	proto := echoProtocol(nil)
	proto.Attributes = []enr.Entry{enr.WithEntry("echo", uint(7))}
	srv := startServer(t, &Server{Protocols: []Protocol{proto}})
	info := srv.NodeInfo()
	n, err := enode.Parse(enode.ValidSchemes, info.ENR)
	if err != nil {
		t.Fatalf("ENR %q: %v", info.ENR, err)
	}
	if n.ID() != srv.Self().ID() || n.TCP() != info.Ports.Listener || n.IP().String() != "127.0.0.1" {
		t.Fatalf("record: id %v tcp %d ip %v", n.ID(), n.TCP(), n.IP())
	}
	var v uint
	if err := n.Load(enr.WithEntry("echo", &v)); err != nil || v != 7 {
		t.Fatalf("attribute: %v %d", err, v)
	}
}
