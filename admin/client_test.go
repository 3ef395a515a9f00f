package admin

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/seednet/p2p"
)

// Over HTTP and over the socket: admin_addPeer makes a real peer appear,
// admin_addTrustedPeer marks it, admin_removePeer makes it go;
// admin_nodeInfo, p2p_stats and p2p_diagnose describe the node.
func TestPeerMethods(t *testing.T) {
	for _, transport := range []string{"http", "unix"} {
		t.Run(transport, func(t *testing.T) {
			a, b := startServer(t), startServer(t)
			var endpoint string
			if transport == "http" {
				ts := httptest.NewServer(NewHandler(a, Config{Token: "0123456789abcdef"}))
				defer ts.Close()
				endpoint = ts.URL
			} else {
				_, endpoint = serveUnix(t, a, Config{})
			}
			c, err := Dial(t.Context(), endpoint, WithToken("0123456789abcdef"))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()

			var info p2p.NodeInfo
			call(t, c, &info, "admin_nodeInfo")
			if info.ID != a.Self().ID().String() || info.Enode != a.Self().URLv4() || info.ListenAddr != a.ListenAddr {
				t.Fatalf("admin_nodeInfo: %+v", info)
			}

			bID := b.Self().ID().String()
			var ok bool
			call(t, c, &ok, "admin_addPeer", b.Self().URLv4())
			if !ok {
				t.Fatal("admin_addPeer returned false")
			}
			waitUntil(t, "the peer", func() bool { _, ok := peerIDs(t, c)[bID]; return ok })

			call(t, c, &ok, "admin_addTrustedPeer", b.Self().String()) // the enr: form
			if !peerIDs(t, c)[bID] {
				t.Fatal("not trusted after admin_addTrustedPeer")
			}
			call(t, c, &ok, "admin_removeTrustedPeer", b.Self().URLv4())
			if peerIDs(t, c)[bID] {
				t.Fatal("trusted after admin_removeTrustedPeer")
			}

			var st p2p.Stats
			call(t, c, &st, "p2p_stats")
			if st.DialOutcomes["peer"] != 1 || st.PeersAdded != 1 {
				t.Fatalf("p2p_stats: %+v", st)
			}
			var d p2p.Diagnosis
			call(t, c, &d, "p2p_diagnose")
			if !d.Running || d.Peers != 1 || d.Outbound != 1 || d.Verdict == "" || len(d.Checks) == 0 {
				t.Fatalf("p2p_diagnose: %+v", d)
			}

			call(t, c, &ok, "admin_removePeer", b.Self().URLv4())
			waitUntil(t, "the peer to go", func() bool { return len(peerIDs(t, c)) == 0 })

			// An error of the API is an *Error.
			_, err = c.Call(t.Context(), "admin_addPeer", 7)
			var e *Error
			if !errors.As(err, &e) || e.Code != CodeInvalidParams {
				t.Fatalf("bad param: %v", err)
			}
		})
	}
}

// Over HTTP, a wrong token is an error that says so.
func TestClientHTTPErrors(t *testing.T) {
	a := startServer(t)
	ts := httptest.NewServer(NewHandler(a, Config{Token: "0123456789abcdef"}))
	defer ts.Close()
	c, err := Dial(t.Context(), strings.TrimPrefix(ts.URL, "http://")) // HOST:PORT
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Call(t.Context(), "rpc_modules")
	var e *Error
	if !errors.As(err, &e) || !strings.Contains(e.Message, "missing or wrong token") {
		t.Fatalf("without the token: %v", err)
	}
	if _, err := c.Subscribe(t.Context(), "admin", make(chan json.RawMessage)); err == nil {
		t.Fatal("subscription over HTTP")
	}
}

// A subscription to peerEvents delivers the peer's add and drop; after
// Unsubscribe nothing more comes.
func TestSubscribePeerEvents(t *testing.T) {
	a, b := startServer(t), startServer(t)
	_, path := serveUnix(t, a, Config{})
	c, err := Dial(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	events := make(chan json.RawMessage, 8)
	sub, err := c.Subscribe(t.Context(), "admin", events, "peerEvents")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(sub.ID(), "0x") {
		t.Fatalf("subscription id %q", sub.ID())
	}
	next := func() p2p.PeerEvent {
		t.Helper()
		select {
		case raw := <-events:
			var ev p2p.PeerEvent
			if err := json.Unmarshal(raw, &ev); err != nil {
				t.Fatalf("%v: %s", err, raw)
			}
			return ev
		case err := <-sub.Err():
			t.Fatalf("subscription ended: %v", err)
		case <-time.After(10 * time.Second):
			t.Fatal("no event in 10 s")
		}
		panic("unreachable")
	}
	call(t, c, nil, "admin_addPeer", b.Self().URLv4())
	if ev := next(); ev.Type != p2p.PeerEventTypeAdd || ev.Peer != b.Self().ID() || ev.RemoteAddress != b.ListenAddr {
		t.Fatalf("first event: %+v", ev)
	}
	call(t, c, nil, "admin_removePeer", b.Self().URLv4())
	if ev := next(); ev.Type != p2p.PeerEventTypeDrop || ev.Peer != b.Self().ID() || ev.Error != "disconnect requested" {
		t.Fatalf("second event: %+v", ev)
	}

	sub.Unsubscribe()
	if err, ok := <-sub.Err(); ok {
		t.Fatalf("Err after Unsubscribe: %v", err)
	}
	call(t, c, nil, "admin_addPeer", b.Self().URLv4())
	waitUntil(t, "the peer", func() bool { return len(peerIDs(t, c)) == 1 })
	select {
	case ev := <-events:
		t.Fatalf("event after Unsubscribe: %s", ev)
	case <-time.After(100 * time.Millisecond):
	}
}

// When the node's API closes, calls and subscriptions end with an error;
// Close of the client makes them end too.
func TestClientConnectionEnds(t *testing.T) {
	a := startServer(t)
	s, path := serveUnix(t, a, Config{})
	c, err := Dial(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	events := make(chan json.RawMessage)
	sub, err := c.Subscribe(t.Context(), "admin", events, "peerEvents")
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	select {
	case err := <-sub.Err():
		if err == nil || !strings.Contains(err.Error(), "closed the connection") {
			t.Fatalf("subscription error: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("subscription did not end")
	}
	if _, err := c.Call(t.Context(), "rpc_modules"); err == nil {
		t.Fatal("call after the server closed")
	}
	c.Close()
	if _, err := c.Call(t.Context(), "rpc_modules"); err == nil {
		t.Fatal("call after Close")
	}

	// A call under way when the client is closed returns.
	_, path = serveUnix(t, a, Config{})
	c, err = Dial(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Nanosecond)
	defer cancel()
	<-ctx.Done()
	if _, err := c.Call(ctx, "rpc_modules"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("call with an expired context: %v", err)
	}
	c.Close()
}

// Endpoints: URLs and HOST:PORT are HTTP, anything else a socket path.
func TestHTTPURL(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:8545":      "http://127.0.0.1:8545",
		"https://node.example.org":   "https://node.example.org",
		"127.0.0.1:8545":             "http://127.0.0.1:8545/",
		"localhost:8545":             "http://localhost:8545/",
		"[::1]:8545":                 "http://[::1]:8545/",
		"/run/user/1000/p2pnode.ipc": "",
		"node.ipc":                   "",
		"a:b":                        "",
	} {
		got, ok := httpURL(in)
		if got != want || ok != (want != "") {
			t.Errorf("%q: %q %v, want %q", in, got, ok, want)
		}
	}
}
