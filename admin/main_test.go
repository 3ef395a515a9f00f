package admin

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/seednet/p2p"
	"github.com/seednet/p2p/internal/testutil"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// startServer starts a p2p.Server on loopback, without discovery, for a
// test, and stops it when the test ends.
func startServer(t *testing.T) *p2p.Server {
	t.Helper()
	srv := &p2p.Server{
		PrivateKey:  testutil.NewKey(t),
		MaxPeers:    10,
		ListenAddr:  "127.0.0.1:0",
		NoDiscovery: true,
		Logger:      testutil.Logger(t),
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Stop() })
	return srv
}

// waitUntil polls cond every 20 ms for up to 10 s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// call calls method and decodes its result into out.
func call(t *testing.T, c *Client, out any, method string, params ...any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	res, err := c.Call(ctx, method, params...)
	if err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	if out != nil {
		if err := json.Unmarshal(res, out); err != nil {
			t.Fatalf("%s: result %s: %v", method, res, err)
		}
	}
}

// peerIDs returns the IDs of the peers admin_peers lists, with whether
// each is trusted.
func peerIDs(t *testing.T, c *Client) map[string]bool {
	t.Helper()
	var peers []p2p.PeerInfo
	call(t, c, &peers, "admin_peers")
	ids := make(map[string]bool)
	for _, p := range peers {
		ids[p.ID] = p.Network.Trusted
	}
	return ids
}
