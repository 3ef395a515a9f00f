package p2p

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/enr"
)

// TestListenAddrRewritten: Start puts the bound address in ListenAddr.
func TestListenAddrRewritten(t *testing.T) {
	srv := startServer(t, &Server{NoDiscovery: true, ListenAddr: "127.0.0.1:0"})
	if strings.HasSuffix(srv.ListenAddr, ":0") || srv.ListenAddr != srv.NodeInfo().ListenAddr {
		t.Fatalf("ListenAddr %q, bound %q", srv.ListenAddr, srv.NodeInfo().ListenAddr)
	}
	// A restart binds the same port again.
	port := srv.Self().TCP()
	srv.Stop()
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	if srv.Self().TCP() != port {
		t.Fatalf("restarted on port %d, want %d", srv.Self().TCP(), port)
	}
}

// TestLocalNodeAndDiscovery: the accessors return the running server's
// parts, and nil when it is stopped or discovery is off.
func TestLocalNodeAndDiscovery(t *testing.T) {
	srv := startServer(t, &Server{})
	if srv.LocalNode() == nil || srv.LocalNode().ID() != srv.Self().ID() {
		t.Fatal("LocalNode does not match Self")
	}
	if srv.DiscoveryV4() == nil || srv.DiscoveryV4().Self().ID() != srv.Self().ID() {
		t.Fatal("DiscoveryV4 missing or another node's")
	}
	// A protocol may set entries on the local node.
	srv.LocalNode().Set(enr.WithEntry("test", uint(7)))
	var v uint
	if err := srv.Self().Load(enr.WithEntry("test", &v)); err != nil || v != 7 {
		t.Fatalf("entry set through LocalNode: %v, %d", err, v)
	}
	srv.Stop()
	if srv.LocalNode() != nil || srv.DiscoveryV4() != nil {
		t.Fatal("accessors of a stopped server are not nil")
	}
	off := startServer(t, &Server{NoDiscovery: true})
	if off.DiscoveryV4() != nil {
		t.Fatal("DiscoveryV4 with NoDiscovery")
	}
}

// TestSetupConn: a connection made outside the server becomes a peer, in
// both directions; a stopped server refuses it.
func TestSetupConn(t *testing.T) {
	a := startServer(t, &Server{NoDiscovery: true, Protocols: []Protocol{echoProtocol(nil)}})
	b := startServer(t, &Server{NoDiscovery: true, Protocols: []Protocol{echoProtocol(nil)}})

	t.Run("dialed", func(t *testing.T) {
		fd, err := net.Dial("tcp", b.ListenAddr)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.SetupConn(fd, TrustedConn, b.Self()); err != nil {
			t.Fatal(err)
		}
		waitPeers(t, a, 1)
		p := a.Peers()[0]
		if p.Inbound() || !p.Trusted() || p.ID() != b.Self().ID() {
			t.Fatalf("peer inbound %v trusted %v", p.Inbound(), p.Trusted())
		}
		p.Disconnect(DiscRequested)
		waitPeers(t, a, 0)
	})
	t.Run("inbound", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		go func() {
			fd, err := ln.Accept()
			if err == nil {
				a.SetupConn(fd, 0, nil)
			}
		}()
		b.AddPeer(enode.NewV4(a.Self().Pubkey(), net.IPv4(127, 0, 0, 1), ln.Addr().(*net.TCPAddr).Port, 0))
		waitPeers(t, a, 1)
		if p := a.Peers()[0]; !p.Inbound() || p.Trusted() {
			t.Fatalf("peer inbound %v trusted %v", p.Inbound(), p.Trusted())
		}
	})
	t.Run("stopped", func(t *testing.T) {
		c1, c2 := net.Pipe()
		defer c2.Close()
		var srv Server
		if err := srv.SetupConn(c1, 0, nil); !errors.Is(err, ErrServerStopped) {
			t.Fatalf("got %v, want ErrServerStopped", err)
		}
	})
}

// TestPeerAccessors: how a peer came about, and for how long.
func TestPeerAccessors(t *testing.T) {
	a := startServer(t, &Server{NoDiscovery: true, Protocols: []Protocol{echoProtocol(nil)}})
	b := startServer(t, &Server{NoDiscovery: true, Protocols: []Protocol{echoProtocol(nil)}})
	a.AddPeer(b.Self())
	waitPeers(t, a, 1)
	waitPeers(t, b, 1)
	pa, pb := a.Peers()[0], b.Peers()[0]
	if !pa.StaticDialed() || pa.DynDialed() || pa.Inbound() || pa.Trusted() {
		t.Errorf("a's peer: static %v dyn %v inbound %v trusted %v", pa.StaticDialed(), pa.DynDialed(), pa.Inbound(), pa.Trusted())
	}
	if pb.StaticDialed() || pb.DynDialed() || !pb.Inbound() {
		t.Errorf("b's peer: static %v dyn %v inbound %v", pb.StaticDialed(), pb.DynDialed(), pb.Inbound())
	}
	b.AddTrustedPeer(a.Self())
	if !pb.Trusted() || !pb.Info().Network.Trusted {
		t.Error("AddTrustedPeer did not mark the connected peer")
	}
	time.Sleep(10 * time.Millisecond)
	if l := pa.Lifetime(); l < 10*time.Millisecond || l > time.Minute {
		t.Errorf("Lifetime %v", l)
	}
	if pa.Log() == nil {
		t.Error("no logger")
	}
}

// TestNewPeerPipe: a test peer runs a protocol over a MsgPipe, and
// Disconnect closes the pipe.
func TestNewPeerPipe(t *testing.T) {
	id := enode.ID{1}
	caps := []Cap{{"echo", 1}, {"other", 2}}
	if p := NewPeer(id, "name", caps); p.ID() != id || p.Name() != "name" || !p.RunningCap("other", []uint{2}) ||
		p.RunningCap("other", []uint{1}) || p.Node().ID() != id || p.Info().ID != id.String() {
		t.Fatal("NewPeer's accessors")
	}
	rw1, rw2 := MsgPipe()
	p := NewPeerPipe(id, "name", caps, rw1)
	got := make(chan string, 2)
	done := make(chan error, 1)
	go func() { done <- echoProtocol(got).Run(p, rw1) }()
	if err := ExpectMsg(rw2, 0, []string{"foo"}); err != nil {
		t.Fatal(err)
	}
	if err := SendItems(rw2, 0, "foo"); err != nil {
		t.Fatal(err)
	}
	if err := ExpectMsg(rw2, 1, []string{"bar"}); err != nil {
		t.Fatal(err)
	}
	p.Disconnect(DiscRequested)
	if err := <-done; !errors.Is(err, ErrPipeClosed) {
		t.Fatalf("protocol ended with %v, want ErrPipeClosed", err)
	}
	if _, err := rw2.ReadMsg(); !errors.Is(err, ErrPipeClosed) {
		t.Fatalf("pipe still open: %v", err)
	}
}

func TestCapCmp(t *testing.T) {
	for _, tc := range []struct {
		a, b Cap
		want int
	}{
		{Cap{"eth", 68}, Cap{"eth", 68}, 0},
		{Cap{"eth", 67}, Cap{"eth", 68}, -1},
		{Cap{"snap", 1}, Cap{"eth", 68}, 1},
		{Cap{"eth", 100}, Cap{"snap", 1}, -1},
	} {
		if got := tc.a.Cmp(tc.b); got != tc.want {
			t.Errorf("%v.Cmp(%v) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

// hostsOnly resolves from /etc/hosts; a name not there is asked of a DNS
// server on a closed loopback port, so no query leaves the machine.
var hostsOnly = &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, network, "127.0.0.1:1")
}}

// TestDialHostName: a static node given by an enode URL with a host name
// is dialed at the name's address, looked up at dial time; a name that
// does not resolve is counted and retried.
func TestDialHostName(t *testing.T) {
	b := startServer(t, &Server{NoDiscovery: true, Protocols: []Protocol{echoProtocol(nil)}})
	a := startServer(t, &Server{NoDiscovery: true, Resolver: hostsOnly, Protocols: []Protocol{echoProtocol(nil)}})
	id := hex.EncodeToString(crypto.FromECDSAPub(&b.PrivateKey.PublicKey)[1:])
	n := enode.MustParseV4(fmt.Sprintf("enode://%s@localhost:%d", id, b.Self().TCP()))
	if n.Hostname() != "localhost" || !n.Incomplete() {
		t.Fatalf("parsed %v: host %q, incomplete %v", n, n.Hostname(), n.Incomplete())
	}
	a.AddPeer(n)
	waitPeers(t, a, 1)
	if p := a.Peers()[0]; p.Node().IPAddr() != netip.MustParseAddr("127.0.0.1") {
		t.Fatalf("peer's node %v", p.Node())
	}

	bad := enode.MustParseV4(fmt.Sprintf("enode://%s@no-such-host.invalid:30303", id))
	c := startServer(t, &Server{NoDiscovery: true, Resolver: hostsOnly, Protocols: []Protocol{echoProtocol(nil)}})
	c.AddPeer(bad)
	eventually(t, "two failed lookups", func() bool { return c.Stats().DialOutcomes[outcomeResolveFailed] >= 2 })
	if st := c.Stats(); st.DialFailures < 2 || c.PeerCount() != 0 {
		t.Fatalf("stats %+v", st)
	}
}
