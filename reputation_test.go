package p2p

import (
	"crypto/ecdsa"
	"net"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/internal/testutil"
	"github.com/seednet/p2p/nodedb"
)

func TestScorePolicy(t *testing.T) {
	now := time.Unix(1000, 0)
	id := enode.ID{1}
	ip := netip.MustParseAddr("192.0.2.1")
	t.Run("bans at the threshold", func(t *testing.T) {
		p := NewScorePolicy()
		for i := range 4 {
			if bn, bi := p.Offend(id, ip, OffenseBadMessage, now); bn != 0 || bi != 0 {
				t.Fatalf("banned after %d bad messages", i+1)
			}
		}
		bn, bi := p.Offend(id, ip, OffenseBadMessage, now)
		if bn != time.Hour || bi != time.Hour {
			t.Fatalf("5 bad messages: bans %v %v, want 1h each", bn, bi)
		}
		// The penalty starts again after a ban.
		if bn, _ := p.Offend(id, ip, OffenseBadMessage, now); bn != 0 {
			t.Fatal("banned again at once")
		}
	})
	t.Run("heals", func(t *testing.T) {
		p := NewScorePolicy()
		for i := range 20 {
			// One protocol error (25) an hour heals (50 an hour) in time.
			if bn, _ := p.Offend(id, netip.Addr{}, OffenseProtocolError, now.Add(time.Duration(i)*time.Hour)); bn != 0 {
				t.Fatalf("banned at offense %d", i+1)
			}
		}
	})
	t.Run("unknown node pays by address", func(t *testing.T) {
		p := NewScorePolicy()
		var bi time.Duration
		for range 10 {
			_, bi = p.Offend(enode.ID{}, ip, OffenseHandshakeFailed, now)
		}
		if bi != time.Hour {
			t.Fatalf("10 failed handshakes: ip ban %v", bi)
		}
	})
	t.Run("custom weights and bounded", func(t *testing.T) {
		p := &ScorePolicy{Weights: map[Offense]float64{OffenseTimeout: 1}, BanThreshold: 3, BanTime: time.Minute, MaxTracked: 10}
		if bn, _ := p.Offend(id, netip.Addr{}, OffenseProtocolError, now); bn != 0 {
			t.Fatal("an offense without weight banned")
		}
		p.Offend(id, netip.Addr{}, OffenseTimeout, now)
		p.Offend(id, netip.Addr{}, OffenseTimeout, now)
		if bn, _ := p.Offend(id, netip.Addr{}, OffenseTimeout, now); bn != time.Minute {
			t.Fatalf("ban %v", bn)
		}
		for i := range 100 {
			p.Offend(enode.ID{byte(i), 2}, netip.Addr{}, OffenseTimeout, now.Add(time.Duration(i)))
		}
		if len(p.nodes) > 10 {
			t.Fatalf("%d nodes tracked, want at most 10", len(p.nodes))
		}
	})
}

// sendBadMessages connects as key n times, each time sending a message
// that does not decode, and checks the Disconnect.
func sendBadMessages(t *testing.T, hub *Server, key *ecdsa.PrivateKey, n int) {
	t.Helper()
	for range n {
		c := hostile(t, hub, key)
		// echo's code 0 carries a list of strings: an unsigned integer
		// does not decode into it.
		if _, err := c.Write(baseProtocolLength, []byte{0x05}); err != nil {
			t.Fatal(err)
		}
		expectDisconnect(t, c, DiscProtocolError)
		c.Close()
		// Wait for the peer to go before connecting as it again.
		eventually(t, "peer gone", func() bool { return hub.PeerCount() == 0 })
	}
}

// TestBanOnBadMessages: a node that keeps sending bad messages is banned
// (by node ID, and by address with ThrottleLAN), refused afterwards, and
// the ban shows in Bans, NodeInfo, Stats and the metrics.
func TestBanOnBadMessages(t *testing.T) {
	hub := startServer(t, &Server{NoDiscovery: true, ThrottleLAN: true, InboundThrottleTime: -1, Protocols: []Protocol{echoProtocol(nil)}})
	key := testutil.NewKey(t)
	sendBadMessages(t, hub, key, 5)
	bans := hub.Bans()
	if len(bans) != 2 {
		t.Fatalf("bans %+v, want the node and its address", bans)
	}
	id := enode.PubkeyToIDV4(&key.PublicKey)
	for _, b := range bans {
		if (b.Node != id && b.IP != netip.MustParseAddr("127.0.0.1")) || b.Reason != "bad message" || time.Until(b.Until) < 59*time.Minute {
			t.Errorf("ban %+v", b)
		}
	}
	if info := hub.NodeInfo(); len(info.Bans) != 2 {
		t.Errorf("NodeInfo.Bans %+v", info.Bans)
	}
	// The address is refused at once.
	before := hub.Stats().Rejected[rejectBanned]
	c := rawConnectNoHandshake(t, hub)
	c.Close()
	eventually(t, "refusal counted", func() bool { return hub.Stats().Rejected[rejectBanned] > before })
	// With the address unbanned, the node is refused after the handshake.
	if !hub.UnbanIP(netip.MustParseAddr("127.0.0.1")) {
		t.Fatal("UnbanIP: no ban")
	}
	c2 := rawConnect(t, hub, key)
	if _, err := exchangeHello(c2, mustHello(t, key, "echo"), hub.Self().Pubkey(), new(trafficCounters)); !isRemoteDisc(err, DiscRequested) {
		t.Fatalf("banned node: %v, want disconnect requested", err)
	}
	c2.Close()
	// Another node from the same address gets in.
	other := startServer(t, &Server{NoDiscovery: true, Protocols: []Protocol{echoProtocol(nil)}})
	other.AddPeer(hub.Self())
	waitPeers(t, hub, 1)
}

// TestBanExemptions: trusted nodes are not banned automatically, and
// loopback addresses are not banned without ThrottleLAN.
func TestBanExemptions(t *testing.T) {
	hub := startServer(t, &Server{NoDiscovery: true, InboundThrottleTime: -1, Protocols: []Protocol{echoProtocol(nil)}})
	trustedKey := testutil.NewKey(t)
	hub.AddTrustedPeer(enode.NewV4(&trustedKey.PublicKey, nil, 0, 0))
	sendBadMessages(t, hub, trustedKey, 5)
	if bans := hub.Bans(); len(bans) != 0 {
		t.Fatalf("trusted node banned: %+v", bans)
	}
	key := testutil.NewKey(t)
	sendBadMessages(t, hub, key, 5)
	bans := hub.Bans()
	if len(bans) != 1 || bans[0].Node != enode.PubkeyToIDV4(&key.PublicKey) {
		t.Fatalf("bans %+v, want the node only (loopback is exempt)", bans)
	}
}

// TestBansPersist: bans are kept in the node database and hold for a new
// server on the same database.
func TestBansPersist(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nodes")
	key := testutil.NewKey(t)
	banned := enode.ID{7}
	srv := startServer(t, &Server{PrivateKey: key, NoDiscovery: true, NodeDatabase: path})
	srv.Ban(banned, time.Hour)
	srv.BanIP(netip.MustParseAddr("192.0.2.9"), time.Minute)
	srv.Stop()

	srv2 := startServer(t, &Server{PrivateKey: key, NoDiscovery: true, NodeDatabase: path})
	bans := srv2.Bans()
	if len(bans) != 2 || bans[0].IP != netip.MustParseAddr("192.0.2.9") || bans[1].Node != banned {
		t.Fatalf("bans after restart: %+v", bans)
	}
	srv2.Unban(banned)
	srv2.Stop()
	db, err := nodedb.OpenBolt(nodedb.Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := db.Bans(time.Now()); len(got) != 1 {
		t.Fatalf("stored bans %+v, want the IP ban only", got)
	}
}

// TestBanByHand: Ban disconnects a peer and keeps it out, static or not;
// Unban lets it back.
func TestBanByHand(t *testing.T) {
	hub := startServer(t, &Server{NoDiscovery: true, Protocols: []Protocol{echoProtocol(nil)}})
	peer := startServer(t, &Server{NoDiscovery: true, Protocols: []Protocol{echoProtocol(nil)}})
	hub.AddPeer(peer.Self()) // static
	waitPeers(t, hub, 1)
	hub.Ban(peer.Self().ID(), time.Hour)
	waitPeers(t, hub, 0)
	time.Sleep(300 * time.Millisecond)
	if hub.PeerCount() != 0 {
		t.Fatal("banned static node back")
	}
	hub.Unban(peer.Self().ID())
	peer.AddPeer(hub.Self())
	waitPeers(t, hub, 1)
}

// rawConnectNoHandshake opens a TCP connection to srv.
func rawConnectNoHandshake(t testing.TB, srv *Server) net.Conn {
	t.Helper()
	fd, err := net.Dial("tcp", srv.NodeInfo().ListenAddr)
	if err != nil {
		t.Fatal(err)
	}
	return fd
}
