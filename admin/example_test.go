package admin_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/seednet/p2p"
	"github.com/seednet/p2p/admin"
	"github.com/seednet/p2p/crypto"
)

// startNode starts a node on loopback, without discovery.
func startNode() *p2p.Server {
	key, err := crypto.GenerateKey()
	if err != nil {
		log.Fatal(err)
	}
	srv := &p2p.Server{PrivateKey: key, MaxPeers: 10, ListenAddr: "127.0.0.1:0", NoDiscovery: true}
	if err := srv.Start(); err != nil {
		log.Fatal(err)
	}
	return srv
}

// The API on a program's own HTTP server, next to its other handlers,
// called with the package's client.
func ExampleNewHandler() {
	srv := startNode()
	defer srv.Stop()

	mux := http.NewServeMux()
	mux.Handle("POST /{$}", admin.NewHandler(srv, admin.Config{}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: time.Minute}
	go hs.Serve(ln)
	defer hs.Close()

	ctx := context.Background()
	c, err := admin.Dial(ctx, "http://"+ln.Addr().String())
	if err != nil {
		log.Fatal(err)
	}
	peers, err := c.Call(ctx, "admin_peers")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("peers:", string(peers))
	_, err = c.Call(ctx, "admin_addPeer", "enode://nonsense")
	fmt.Println(err)
	// Output:
	// peers: []
	// invalid params: url: invalid node: public key must be 128 hex digits, got 8 characters (JSON-RPC error -32602)
}

// The API on a Unix socket, where subscriptions work: peer events come
// as the node connects to a peer.
func ExampleServer() {
	srv, other := startNode(), startNode()
	defer srv.Stop()
	defer other.Stop()

	dir, err := os.MkdirTemp("", "admin-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "node.ipc")
	l, err := admin.ListenUnix(path)
	if err != nil {
		log.Fatal(err)
	}
	s := admin.NewServer(srv, admin.Config{})
	go s.Serve(l)
	defer s.Close()

	ctx := context.Background()
	c, err := admin.Dial(ctx, path)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	events := make(chan json.RawMessage, 1)
	sub, err := c.Subscribe(ctx, "admin", events, "peerEvents")
	if err != nil {
		log.Fatal(err)
	}
	defer sub.Unsubscribe()
	if _, err := c.Call(ctx, "admin_addPeer", other.Self().URLv4()); err != nil {
		log.Fatal(err)
	}
	var ev p2p.PeerEvent
	if err := json.Unmarshal(<-events, &ev); err != nil {
		log.Fatal(err)
	}
	fmt.Println(ev.Type, ev.Peer == other.Self().ID())
	// Output: add true
}

// A token kept in a file, created on first use.
func ExampleLoadOrCreateTokenFile() {
	dir, err := os.MkdirTemp("", "admin-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "http.token")
	token, created, err := admin.LoadOrCreateTokenFile(file)
	if err != nil {
		log.Fatal(err)
	}
	again, _, _ := admin.LoadOrCreateTokenFile(file)
	fmt.Println(len(token), created, again == token)

	// Requests to admin.NewHandler(srv, admin.Config{Token: token}) carry
	// it: Authorization: Bearer TOKEN.
	// Output: 64 true true
}
