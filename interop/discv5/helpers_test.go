package discv5_test

import (
	"crypto/rand"
	"net"
	"testing"
	"time"

	gethcrypto "github.com/ethereum/go-ethereum/crypto"
	gethdiscover "github.com/ethereum/go-ethereum/p2p/discover"
	gethenode "github.com/ethereum/go-ethereum/p2p/enode"
	"go.uber.org/goleak"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/discover"
	"github.com/seednet/p2p/enode"
)

// TestMain checks for leaked goroutines. go-ethereum's node database
// (leveldb in memory) keeps a goroutine for up to a second after Close.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/syndtr/goleveldb/leveldb.(*DB).mpoolDrain"))
}

// listen opens a UDP socket on 127.0.0.1.
func listen(t testing.TB) *net.UDPConn {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IP{127, 0, 0, 1}})
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

// startOurs starts our discovery v5 on 127.0.0.1.
func startOurs(t testing.TB, cfg discover.Config) *discover.UDPv5 {
	t.Helper()
	key, _ := crypto.GenerateKey()
	cfg.PrivateKey = key
	d, err := discover.ListenV5(listen(t), enode.NewLocalNode(nil, key), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	return d
}

// startGeth starts go-ethereum's discovery v5 on 127.0.0.1.
func startGeth(t testing.TB, cfg gethdiscover.Config) *gethdiscover.UDPv5 {
	t.Helper()
	key, _ := gethcrypto.GenerateKey()
	cfg.PrivateKey = key
	db, err := gethenode.OpenDB("")
	if err != nil {
		t.Fatal(err)
	}
	conn := listen(t)
	ln := gethenode.NewLocalNode(db, key)
	ln.SetFallbackIP(net.IP{127, 0, 0, 1})
	ln.SetFallbackUDP(conn.LocalAddr().(*net.UDPAddr).Port)
	d, err := gethdiscover.ListenV5(conn, ln, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		d.Close()
		db.Close()
	})
	return d
}

// toGeth and toOurs convert a node record between the libraries.
func toGeth(n *enode.Node) *gethenode.Node { return gethenode.MustParse(n.String()) }
func toOurs(n *gethenode.Node) *enode.Node { return enode.MustParse(n.String()) }

// quiet keeps our node from pinging and looking up on its own during a
// test.
var quiet = discover.Config{PingInterval: time.Hour, RefreshInterval: time.Hour}

// randomID returns 32 random bytes, a lookup target.
func randomID() [32]byte {
	var id [32]byte
	rand.Read(id[:])
	return id
}
