package dashboard_test

import (
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seednet/p2p"
	"github.com/seednet/p2p/dashboard"
	"github.com/seednet/p2p/enode"
)

func TestState(t *testing.T) {
	a, b := startNode(t, "node-a"), startNode(t, "node-b")
	connect(t, a, b)
	aID, bID := a.Self().ID().String(), b.Self().ID().String()
	_, ts := serve(t, a, dashboard.Config{Title: "test"})

	// Per-peer traffic comes from PeerInfo: wait for the protocol's
	// messages (Hello is not counted there).
	var st dashboard.State
	waitFor(t, "per-peer traffic", func() bool {
		st = getState(t, ts)
		return len(st.Peers) == 1 && st.Peers[0].Traffic.MsgsIn > 0 && st.Peers[0].Traffic.MsgsOut > 0
	})

	if st.Title != "test" {
		t.Errorf("title %q", st.Title)
	}
	n := st.Node
	if !n.Running || n.Name != "node-a" || n.ID != aID || n.Enode != a.Self().URLv4() || n.ListenAddr != a.ListenAddr {
		t.Errorf("node %+v", n)
	}
	if !slices.Equal(n.Protocols, []string{"chat"}) {
		t.Errorf("node protocols %v", n.Protocols)
	}
	if st.PeerCount != 1 {
		t.Errorf("peerCount %d", st.PeerCount)
	}
	p := st.Peers[0]
	if p.ID != bID || p.Name != "node-b" || p.Inbound || !p.Static || p.RemoteAddr != b.ListenAddr ||
		!slices.Equal(p.Caps, []string{"chat/1"}) || p.AgeSeconds <= 0 || p.Enode == "" {
		t.Errorf("peer %+v", p)
	}
	if p.Traffic.BytesIn == 0 || p.Traffic.BytesOut == 0 {
		t.Errorf("peer traffic %+v", p.Traffic)
	}
	if st.Stats.PeersAdded != 1 || st.Stats.DialOutcomes["peer"] != 1 {
		t.Errorf("stats: added %d, dial outcomes %v", st.Stats.PeersAdded, st.Stats.DialOutcomes)
	}
	if len(st.Traffic) == 0 {
		t.Fatal("no traffic samples")
	}
	if last := st.Traffic[len(st.Traffic)-1]; len(last.Protocols) == 0 {
		t.Errorf("traffic sample %+v", last)
	}
	if len(st.Discovery) != 0 {
		t.Errorf("discovery %+v, want none (NoDiscovery)", st.Discovery)
	}
	wantGraph := dashboard.Graph{
		Nodes: []dashboard.GraphNode{
			{ID: aID, Name: "node-a", Addr: a.ListenAddr, Peers: 1, Watched: true},
			{ID: bID, Name: "node-b", Addr: b.ListenAddr, External: true},
		},
		Edges: []dashboard.GraphEdge{{From: aID, To: bID}},
	}
	if !graphEqual(st.Graph, wantGraph) || st.GraphNodes != 2 || st.GraphEdges != 1 {
		t.Errorf("graph %+v (%d nodes, %d edges), want %+v", st.Graph, st.GraphNodes, st.GraphEdges, wantGraph)
	}
	if st.Limits.MaxPeers != dashboard.DefaultMaxPeers || st.Limits.IntervalMillis != 1000 {
		t.Errorf("limits %+v", st.Limits)
	}

	// The other side sees an inbound peer.
	_, tsb := serve(t, b, dashboard.Config{})
	stb := getState(t, tsb)
	if stb.Title != "node-b" || stb.PeerCount != 1 || !stb.Peers[0].Inbound || stb.Peers[0].Static {
		t.Errorf("b's view: title %q, peers %+v", stb.Title, stb.Peers)
	}
	if len(stb.Graph.Edges) != 1 || stb.Graph.Edges[0] != (dashboard.GraphEdge{From: aID, To: bID}) {
		t.Errorf("b's graph edges %+v", stb.Graph.Edges)
	}
}

func graphEqual(a, b dashboard.Graph) bool {
	return slices.Equal(a.Nodes, b.Nodes) && slices.Equal(a.Edges, b.Edges)
}

func TestNetworkGraph(t *testing.T) {
	a, b, c, ext := startNode(t, "a"), startNode(t, "b"), startNode(t, "c"), startNode(t, "ext")
	connect(t, a, b)
	connect(t, b, c)
	connect(t, a, c)
	connect(t, ext, c) // ext is outside the network, a peer of c
	id := func(s *p2p.Server) string { return s.Self().ID().String() }

	net := dashboard.NewNetwork(a, b, c)
	g := net.Graph()
	wantNodes := []dashboard.GraphNode{
		{ID: id(a), Name: "a", Addr: a.ListenAddr, Peers: 2, Watched: true},
		{ID: id(b), Name: "b", Addr: b.ListenAddr, Peers: 2},
		{ID: id(c), Name: "c", Addr: c.ListenAddr, Peers: 3},
	}
	if !slices.Equal(g.Nodes[:3], wantNodes) || len(g.Nodes) != 4 {
		t.Fatalf("nodes %+v, want %+v and ext", g.Nodes, wantNodes)
	}
	if x := g.Nodes[3]; x.ID != id(ext) || x.Name != "ext" || !x.External {
		t.Errorf("external node %+v", x)
	}
	wantEdges := []dashboard.GraphEdge{
		{From: id(a), To: id(b)}, {From: id(b), To: id(c)}, {From: id(a), To: id(c)}, {From: id(ext), To: id(c)},
	}
	if len(g.Edges) != len(wantEdges) {
		t.Errorf("edges %+v, want %+v", g.Edges, wantEdges)
	}
	for _, e := range wantEdges {
		if !slices.Contains(g.Edges, e) {
			t.Errorf("edge %+v missing from %+v", e, g.Edges)
		}
	}

	// Served: the page shows a's details and the whole graph.
	_, ts := serve(t, net, dashboard.Config{})
	st := getState(t, ts)
	if st.Node.Name != "a" || st.PeerCount != 2 || len(st.Graph.Nodes) != 4 || len(st.Graph.Edges) != 4 {
		t.Errorf("state: node %q, %d peers, graph %+v", st.Node.Name, st.PeerCount, st.Graph)
	}
}

func TestEvents(t *testing.T) {
	a, b := startNode(t, "a"), startNode(t, "b")
	_, ts := serve(t, a, dashboard.Config{Interval: 50 * time.Millisecond})
	s := openStream(t, ts, http.StatusOK)

	first := decode[dashboard.State](t, s.next(t, "state"))
	if !first.Node.Running || first.PeerCount != 0 || len(first.Traffic) == 0 {
		t.Fatalf("first state: running %v, %d peers, %d samples", first.Node.Running, first.PeerCount, len(first.Traffic))
	}

	a.AddPeer(b.Self())
	bID := b.Self().ID().String()
	ev := decode[dashboard.Event](t, s.next(t, "peer"))
	if ev.Type != "add" || ev.Peer != bID || ev.Seq != 1 || ev.Remote == "" {
		t.Errorf("add event %+v", ev)
	}
	// Snapshots keep coming, each with the newest sample only; one shows
	// the peer and the event.
	for {
		st := decode[dashboard.State](t, s.next(t, "state"))
		if len(st.Traffic) != 1 {
			t.Errorf("a later state has %d samples, want 1", len(st.Traffic))
		}
		if st.PeerCount == 1 && len(st.Events) == 1 && st.Events[0].Seq == 1 {
			break
		}
	}

	a.RemovePeer(b.Self())
	ev = decode[dashboard.Event](t, s.next(t, "peer"))
	if ev.Type != "drop" || ev.Peer != bID || ev.Seq != 2 || ev.Error == "" {
		t.Errorf("drop event %+v", ev)
	}
}

func TestMethodsAndPaths(t *testing.T) {
	a := startNode(t, "a")
	_, ts := serve(t, a, dashboard.Config{})
	tests := []struct {
		method, path string
		status       int
		contentType  string
	}{
		{"GET", "/", 200, "text/html; charset=utf-8"},
		{"HEAD", "/", 200, "text/html; charset=utf-8"},
		{"GET", "/dashboard/state", 200, "application/json"},
		{"HEAD", "/dashboard/state", 200, "application/json"},
		{"HEAD", "/dashboard/events", 200, "text/event-stream"},
		{"POST", "/", 405, ""},
		{"PUT", "/dashboard/state", 405, ""},
		{"DELETE", "/dashboard/events", 405, ""},
		{"OPTIONS", "/", 405, ""},
		{"GET", "/index.html", 404, ""},
		{"GET", "/dashboard/", 404, ""},
		{"GET", "/dashboard/state/x", 404, ""},
		{"POST", "/nope", 404, ""},
		{"GET", "/metrics", 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+tt.path, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, ts.URL+tt.path, strings.NewReader("body"))
			res, err := ts.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
			res.Body.Close()
			if res.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tt.status)
			}
			if tt.status == 405 && res.Header.Get("Allow") != "GET, HEAD" {
				t.Errorf("Allow %q", res.Header.Get("Allow"))
			}
			if tt.contentType != "" && res.Header.Get("Content-Type") != tt.contentType {
				t.Errorf("Content-Type %q, want %q", res.Header.Get("Content-Type"), tt.contentType)
			}
			if tt.method == "HEAD" && len(body) != 0 {
				t.Errorf("HEAD returned %d bytes", len(body))
			}
			if res.Header.Get("X-Content-Type-Options") == "" && tt.status == 200 {
				t.Error("no X-Content-Type-Options")
			}
		})
	}
}

// The page's Content-Security-Policy allows its inline script and styles
// by hash, and nothing from elsewhere.
func TestPage(t *testing.T) {
	a := startNode(t, "a")
	_, ts := serve(t, a, dashboard.Config{})
	res, err := ts.Client().Get(ts.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	csp := res.Header.Get("Content-Security-Policy")
	for _, want := range []string{`id="graph"`, `id="peers"`, `id="chart-in"`, `id="discovery"`, "dashboard/events"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("page lacks %s", want)
		}
	}
	// The SVG namespace is a name, not an address the page fetches.
	if b := strings.ReplaceAll(string(body), "'http://www.w3.org/2000/svg'", ""); strings.Contains(b, "http://") || strings.Contains(b, "https://") {
		t.Error("page refers to another site")
	}
	blocks := regexp.MustCompile(`(?s)<(script|style)>(.*?)</(?:script|style)>`).FindAllSubmatch(body, -1)
	if len(blocks) != 2 {
		t.Fatalf("%d inline blocks, want a script and a style sheet", len(blocks))
	}
	for _, m := range blocks {
		sum := sha256.Sum256(m[2])
		hash := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
		if !strings.Contains(csp, string(m[1])+"-src "+hash) {
			t.Errorf("CSP %q lacks %s for the %s", csp, hash, m[1])
		}
	}
	if !strings.HasPrefix(csp, "default-src 'none'") || !strings.Contains(csp, "connect-src 'self'") {
		t.Errorf("CSP %q", csp)
	}
}

func TestStreamLimit(t *testing.T) {
	a := startNode(t, "a")
	_, ts := serve(t, a, dashboard.Config{MaxStreams: 2})
	s1 := openStream(t, ts, http.StatusOK)
	s1.next(t, "state")
	s2 := openStream(t, ts, http.StatusOK)
	s2.next(t, "state")
	openStream(t, ts, http.StatusServiceUnavailable)
	// HEAD and the state do not take a stream.
	res, err := ts.Client().Head(ts.URL + "/dashboard/events")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("HEAD with every stream taken: %s", res.Status)
	}
	if st := getState(t, ts); !st.Node.Running {
		t.Error("state: not running")
	}
	// A stream that ends gives its slot back.
	s1.close()
	waitFor(t, "a free stream slot", func() bool {
		res, err := ts.Client().Get(ts.URL + "/dashboard/events")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	})
}

func TestClose(t *testing.T) {
	a := startNode(t, "a")
	d, ts := serve(t, a, dashboard.Config{})
	s := openStream(t, ts, http.StatusOK)
	s.next(t, "state")
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	s.ended(t)
	if err := d.Close(); err != nil { // a second time
		t.Fatal(err)
	}
	openStream(t, ts, http.StatusServiceUnavailable)
	if st := getState(t, ts); !st.Node.Running {
		t.Error("state after Close: not running")
	}
}

func TestBounds(t *testing.T) {
	long := strings.Repeat("ä", 300) // 600 bytes
	hub := startNode(t, "hub")
	var peers []*p2p.Server
	for _, name := range []string{"p1", "p2", long} {
		p := startNode(t, name)
		connect(t, p, hub)
		peers = append(peers, p)
	}
	_, ts := serve(t, hub, dashboard.Config{MaxPeers: 2, MaxNodes: 3, MaxEdges: 1, MaxTableNodes: 1})
	st := getState(t, ts)
	if st.PeerCount != 3 || len(st.Peers) != 2 {
		t.Errorf("%d peers listed of %d, want 2 of 3", len(st.Peers), st.PeerCount)
	}
	if len(st.Graph.Nodes) != 3 || len(st.Graph.Edges) != 1 || st.GraphNodes != 4 || st.GraphEdges != 3 {
		t.Errorf("graph: %d of %d nodes, %d of %d edges", len(st.Graph.Nodes), st.GraphNodes, len(st.Graph.Edges), st.GraphEdges)
	}
	if !st.Graph.Nodes[0].Watched {
		t.Errorf("first graph node %+v is not the watched one", st.Graph.Nodes[0])
	}
	// The long name is clipped wherever it appears.
	_, ts2 := serve(t, peers[2], dashboard.Config{})
	st2 := getState(t, ts2)
	for _, name := range []string{st2.Title, st2.Node.Name, st2.Graph.Nodes[0].Name} {
		if len(name) > 210 || !strings.HasSuffix(name, "…") || !strings.HasPrefix(name, "ää") {
			t.Errorf("name not clipped: %d bytes %q", len(name), name)
		}
	}
}

// A source that is not running, and an empty network, give an empty state.
func TestNotRunning(t *testing.T) {
	tests := []struct {
		name string
		src  dashboard.Source
	}{
		{"stopped server", &p2p.Server{Name: "x"}},
		{"empty network", dashboard.NewNetwork()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ts := serve(t, tt.src, dashboard.Config{Interval: 20 * time.Millisecond})
			st := getState(t, ts)
			if st.Node.Running || st.PeerCount != 0 || len(st.Graph.Nodes) != 0 || st.Peers == nil {
				t.Errorf("state %+v", st)
			}
			s := openStream(t, ts, http.StatusOK)
			s.next(t, "state")
			s.next(t, "state")
		})
	}
}

// With discovery on, the state lists the tables' nodes.
func TestDiscoveryTable(t *testing.T) {
	withDiscovery := func(boot *p2p.Server) func(*p2p.Server) {
		return func(srv *p2p.Server) {
			srv.NoDiscovery = false
			if boot != nil {
				srv.BootstrapNodes = []*enode.Node{boot.Self()}
			}
		}
	}
	boot := startNode(t, "boot", withDiscovery(nil))
	node := startNode(t, "node", withDiscovery(boot))
	waitFor(t, "the boot node in the v4 table", func() bool {
		return len(node.DiscoveryV4().TableNodes()) > 0
	})
	_, ts := serve(t, node, dashboard.Config{})
	st := getState(t, ts)
	if len(st.Discovery) != 2 || st.Discovery[0].Version != "v4" || st.Discovery[1].Version != "v5" {
		t.Fatalf("discovery %+v", st.Discovery)
	}
	v4 := st.Discovery[0]
	if v4.Size < 1 || len(v4.Nodes) < 1 || v4.Stats == nil {
		t.Fatalf("v4 table %+v", v4)
	}
	n := v4.Nodes[0]
	bootID := boot.Self().ID()
	want := dashboard.TableNode{
		ID: bootID.String(), IP: "127.0.0.1", UDP: boot.Self().UDP(), TCP: boot.Self().TCP(),
		Dist: enode.LogDist(node.Self().ID(), bootID),
	}
	if n != want {
		t.Errorf("v4 table node %+v, want %+v", n, want)
	}
}
