package dnsdisc

import (
	"bytes"
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/seednet/p2p/dnsdisc/dnstest"
	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/internal/testutil"
)

// These tests publish trees through NSD, a real authoritative DNS server
// (dnstest.StartNSD: a loopback address, a free port, a configuration in
// the test's directory), from zone files that WriteZoneFile wrote, and read
// them with a net.Resolver that sends its queries to that server only.

// zoneText returns the zone file of origin holding the records of all maps.
func zoneText(t testing.TB, origin string, serial uint32, records ...map[string]string) string {
	t.Helper()
	all := make(map[string]string)
	for _, m := range records {
		maps.Copy(all, m)
	}
	var b bytes.Buffer
	if err := WriteZoneFile(&b, origin, all, ZoneConfig{Serial: serial}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// A tree in a subdomain of one zone, linking to a tree at the apex of
// another, with records longer than 255 bytes: SyncTree gets both back
// whole, and an iterator yields the nodes of both.
func TestNSDSyncAndIterate(t *testing.T) {
	ka, kb := testutil.NewKey(t), testutil.NewKey(t)
	nodesA := append(testNodes(t, 30), bigNode(t, 1), bigNode(t, 2))
	nodesB := testNodes(t, 5)
	urlB := newLinkEntry("example.net", &kb.PublicKey).String()
	treeA, urlA, txtA := signedTree(t, ka, "nodes.example.org", 1, nodesA, []string{urlB})
	_, _, txtB := signedTree(t, kb, "example.net", 1, nodesB, nil)
	weird := map[string]string{"weird.example.org": "a \"quoted\" \\ text\nwith\x00bytes\xff " + string(bytes.Repeat([]byte("x"), 600))}
	srv := dnstest.StartNSD(t, map[string]string{
		"example.org": zoneText(t, "example.org", 1, txtA, weird),
		"example.net": zoneText(t, "example.net", 1, txtB),
	})
	r := srv.Resolver()
	t.Logf("NSD at %v", srv.Addr)

	// Odd bytes and long records come back as written.
	got, err := r.LookupTXT(context.Background(), "weird.example.org")
	if err != nil || len(got) != 1 || got[0] != weird["weird.example.org"] {
		t.Fatalf("weird record: %q %v", got, err)
	}

	cfg := fastConfig(t, r)
	c := NewClient(cfg)
	synced, err := c.SyncTree(urlA)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(nodeIDs(synced.Nodes()), nodeIDs(nodesA)) || !slices.Equal(synced.Links(), []string{urlB}) {
		t.Fatalf("synced %d nodes, links %v", len(synced.Nodes()), synced.Links())
	}
	if !maps.Equal(synced.ToTXT("nodes.example.org"), txtA) || synced.Signature() != treeA.Signature() {
		t.Fatal("synced tree differs")
	}

	it, err := c.NewIterator(urlA)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	readUntil(t, it, slices.Concat(nodesA, nodesB), nil, 2000)
}

// The iterator follows an update of the zone: NSD reloads it, and the next
// root check finds the new tree.
func TestNSDRootRecheck(t *testing.T) {
	key := testutil.NewKey(t)
	old, new := testNodes(t, 4), testNodes(t, 4)
	_, url, txt1 := signedTree(t, key, "nodes.example.org", 1, old, nil)
	_, _, txt2 := signedTree(t, key, "nodes.example.org", 2, new, nil)
	srv := dnstest.StartNSD(t, map[string]string{"nodes.example.org": zoneText(t, "nodes.example.org", 1, txt1)})
	cfg := fastConfig(t, srv.Resolver())
	cfg.RecheckInterval = 100 * time.Millisecond
	it, err := NewClient(cfg).NewIterator(url)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	readUntil(t, it, old, nil, 200)
	if err := srv.Reload("nodes.example.org", zoneText(t, "nodes.example.org", 2, txt2)); err != nil {
		t.Fatal(err)
	}
	// Nodes of the old tree until the reload and the next root check,
	// then only the new ones.
	deadline := time.Now().Add(10 * time.Second)
	newIDs := make(map[enode.ID]bool)
	for _, n := range new {
		newIDs[n.ID()] = true
	}
	for it.Next() && !newIDs[it.Node().ID()] {
		if time.Now().After(deadline) {
			t.Fatalf("no node of the new tree after 10 s\n%s", srv.Log())
		}
	}
	readUntil(t, it, new, new, 200)
}
