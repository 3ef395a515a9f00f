package dashboard_test

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/seednet/p2p"
	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/dashboard"
)

// A node's dashboard, served next to other handlers. Here an httptest
// server stands for the node's -http server; open its URL in a browser to
// see the page.
func ExampleNew() {
	key, err := crypto.GenerateKey()
	if err != nil {
		log.Fatal(err)
	}
	srv := &p2p.Server{PrivateKey: key, Name: "my-node", MaxPeers: 10, ListenAddr: "127.0.0.1:0", NoDiscovery: true}
	if err := srv.Start(); err != nil {
		log.Fatal(err)
	}
	defer srv.Stop()

	d := dashboard.New(srv, dashboard.Config{})
	defer d.Close()
	mux := http.NewServeMux()
	mux.Handle("GET /", d) // the page and /dashboard/...
	web := httptest.NewServer(mux)
	defer web.Close()

	// What the page reads.
	res, err := web.Client().Get(web.URL + "/dashboard/state")
	if err != nil {
		log.Fatal(err)
	}
	defer res.Body.Close()
	var st dashboard.State
	if err := json.NewDecoder(res.Body).Decode(&st); err != nil {
		log.Fatal(err)
	}
	fmt.Println(st.Node.Name, "running:", st.Node.Running)
	fmt.Println("peers:", st.PeerCount, "graph nodes:", len(st.Graph.Nodes))
	// Output:
	// my-node running: true
	// peers: 0 graph nodes: 1
}

// A local test network of three servers: the page draws all three and the
// connections between them, and shows the first one's details.
func ExampleNewNetwork() {
	var servers []*p2p.Server
	for _, name := range []string{"a", "b", "c"} {
		key, _ := crypto.GenerateKey()
		srv := &p2p.Server{PrivateKey: key, Name: name, MaxPeers: 10, ListenAddr: "127.0.0.1:0", NoDiscovery: true}
		if err := srv.Start(); err != nil {
			log.Fatal(err)
		}
		defer srv.Stop()
		servers = append(servers, srv)
	}
	net := dashboard.NewNetwork(servers...)
	d := dashboard.New(net, dashboard.Config{Title: "test network"})
	defer d.Close()
	_ = http.Handler(d) // serve it as in ExampleNew

	g := net.Graph()
	fmt.Println(len(g.Nodes), "nodes,", len(g.Edges), "connections; watched:", g.Nodes[0].Name, g.Nodes[0].Watched)
	// Output:
	// 3 nodes, 0 connections; watched: a true
}
