// Package dnsdisc_test checks DNS node lists (EIP-1459) between our
// dnsdisc and go-ethereum's p2p/dnsdisc (v1.17.10), through a real DNS
// server: NSD on a loopback port (dnstest.StartNSD), serving a zone file
// that our WriteZoneFile wrote. A tree that go-ethereum builds and signs is
// read by our client, a tree that we build and sign by go-ethereum's, with
// the same nodes and links; both libraries build the same records from the
// same nodes and links.
package dnsdisc_test

import (
	"bytes"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"testing"

	gethcrypto "github.com/ethereum/go-ethereum/crypto"
	gethdnsdisc "github.com/ethereum/go-ethereum/p2p/dnsdisc"
	gethenode "github.com/ethereum/go-ethereum/p2p/enode"
	"go.uber.org/goleak"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/dnsdisc"
	"github.com/seednet/p2p/dnsdisc/dnstest"
	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/enr"
)

func TestMain(m *testing.M) {
	// go-ethereum leaves a few process-wide goroutines running; only ours
	// are checked.
	goleak.VerifyTestMain(m,
		goleak.IgnoreAnyFunction("github.com/ethereum/go-ethereum/metrics.(*meterArbiter).tick"),
	)
}

// fixture is a set of nodes and links, in both libraries' types.
type fixture struct {
	ours      []*enode.Node
	geth      []*gethenode.Node
	texts     []string          // the nodes' records, sorted
	links     []string          // sorted
	linkTrees map[string]string // the records of the (empty) linked trees, in zone links.example.org
}

func newFixture(t *testing.T, nodes, links int) *fixture {
	t.Helper()
	f := new(fixture)
	for i := range nodes {
		key, err := crypto.GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		var r enr.Record
		r.Set(enr.IPv4Addr(netip.MustParseAddr("127.0.0.1")))
		r.Set(enr.TCP(30000 + i))
		r.Set(enr.UDP(30000 + i))
		if err := enode.SignV4(&r, key); err != nil {
			t.Fatal(err)
		}
		n, err := enode.New(enode.ValidSchemes, &r)
		if err != nil {
			t.Fatal(err)
		}
		gn, err := gethenode.Parse(gethenode.ValidSchemes, n.String())
		if err != nil {
			t.Fatalf("go-ethereum does not parse our record: %v", err)
		}
		f.ours, f.geth = append(f.ours, n), append(f.geth, gn)
		f.texts = append(f.texts, n.String())
	}
	f.linkTrees = make(map[string]string)
	for i := range links {
		key, err := crypto.GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		tree, err := dnsdisc.MakeTree(1, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		domain := string(rune('a'+i)) + ".links.example.org"
		url, err := tree.Sign(key, domain)
		if err != nil {
			t.Fatal(err)
		}
		f.links = append(f.links, url)
		maps.Copy(f.linkTrees, tree.ToTXT(domain))
	}
	slices.Sort(f.texts)
	slices.Sort(f.links)
	return f
}

func ourTexts(nodes []*enode.Node) []string {
	var s []string
	for _, n := range nodes {
		s = append(s, n.String())
	}
	slices.Sort(s)
	return s
}

func gethTexts(nodes []*gethenode.Node) []string {
	var s []string
	for _, n := range nodes {
		s = append(s, n.String())
	}
	slices.Sort(s)
	return s
}

// serve publishes the records of a tree at nodes.example.org, and the
// trees it links to, through NSD.
func serve(t *testing.T, records map[string]string, f *fixture) *dnstest.NSD {
	t.Helper()
	var zone, links bytes.Buffer
	if err := dnsdisc.WriteZoneFile(&zone, "nodes.example.org", records, dnsdisc.ZoneConfig{}); err != nil {
		t.Fatal(err)
	}
	if err := dnsdisc.WriteZoneFile(&links, "links.example.org", f.linkTrees, dnsdisc.ZoneConfig{}); err != nil {
		t.Fatal(err)
	}
	return dnstest.StartNSD(t, map[string]string{"nodes.example.org": zone.String(), "links.example.org": links.String()})
}

var sizes = []struct{ nodes, links int }{{0, 0}, {1, 1}, {13, 2}, {40, 14}}

// A tree that go-ethereum builds and signs, read by our client.
func TestGethTreeOurClient(t *testing.T) {
	for _, size := range sizes {
		f := newFixture(t, size.nodes, size.links)
		key, _ := gethcrypto.GenerateKey()
		tree, err := gethdnsdisc.MakeTree(9, f.geth, f.links)
		if err != nil {
			t.Fatal(err)
		}
		url, err := tree.Sign(key, "nodes.example.org")
		if err != nil {
			t.Fatal(err)
		}
		srv := serve(t, tree.ToTXT("nodes.example.org"), f)

		client := dnsdisc.NewClient(dnsdisc.Config{Resolver: srv.Resolver(), RateLimit: -1})
		synced, err := client.SyncTree(url)
		if err != nil {
			t.Fatalf("%+v: %v", size, err)
		}
		if got := ourTexts(synced.Nodes()); !slices.Equal(got, f.texts) {
			t.Fatalf("%+v: %d nodes, want %d", size, len(got), len(f.texts))
		}
		if got := synced.Links(); !slices.Equal(got, f.links) {
			t.Fatalf("%+v: links %v, want %v", size, got, f.links)
		}
		if synced.Seq() != 9 || synced.Signature() != tree.Signature() {
			t.Fatalf("%+v: seq %d, signature %s", size, synced.Seq(), synced.Signature())
		}
		if !maps.Equal(synced.ToTXT("nodes.example.org"), tree.ToTXT("nodes.example.org")) {
			t.Fatalf("%+v: records differ", size)
		}
		if size.nodes > 0 {
			it, err := client.NewIterator(url)
			if err != nil {
				t.Fatal(err)
			}
			seen := make(map[string]bool)
			for i := 0; i < 50*size.nodes && len(seen) < size.nodes && it.Next(); i++ {
				seen[it.Node().String()] = true
			}
			it.Close()
			if len(seen) != size.nodes {
				t.Fatalf("%+v: iterator found %d nodes", size, len(seen))
			}
		}
	}
}

// A tree that we build and sign, read by go-ethereum's client.
func TestOurTreeGethClient(t *testing.T) {
	for _, size := range sizes {
		f := newFixture(t, size.nodes, size.links)
		key, _ := crypto.GenerateKey()
		tree, err := dnsdisc.MakeTree(9, f.ours, f.links)
		if err != nil {
			t.Fatal(err)
		}
		url, err := tree.Sign(key, "nodes.example.org")
		if err != nil {
			t.Fatal(err)
		}
		srv := serve(t, tree.ToTXT("nodes.example.org"), f)

		client := gethdnsdisc.NewClient(gethdnsdisc.Config{Resolver: srv.Resolver(), RateLimit: 1000})
		synced, err := client.SyncTree(url)
		if err != nil {
			t.Fatalf("%+v: %v", size, err)
		}
		if got := gethTexts(synced.Nodes()); !slices.Equal(got, f.texts) {
			t.Fatalf("%+v: %d nodes, want %d", size, len(got), len(f.texts))
		}
		links := synced.Links()
		slices.Sort(links)
		if !slices.Equal(links, f.links) {
			t.Fatalf("%+v: links %v, want %v", size, links, f.links)
		}
		if synced.Seq() != 9 || synced.Signature() != tree.Signature() {
			t.Fatalf("%+v: seq %d, signature %s", size, synced.Seq(), synced.Signature())
		}
		if size.nodes > 0 {
			it, err := client.NewIterator(url)
			if err != nil {
				t.Fatal(err)
			}
			seen := make(map[string]bool)
			for i := 0; i < 50*size.nodes && len(seen) < size.nodes && it.Next(); i++ {
				seen[it.Node().String()] = true
			}
			it.Close()
			if len(seen) != size.nodes {
				t.Fatalf("%+v: iterator found %d nodes", size, len(seen))
			}
		}
	}
}

// Both libraries make the same records from the same nodes, links and
// key: the same tree shape, the same hashes, the same signature (both sign
// with RFC 6979 nonces).
func TestSameRecords(t *testing.T) {
	for _, size := range append(sizes, struct{ nodes, links int }{170, 0}) {
		f := newFixture(t, size.nodes, size.links)
		key, _ := crypto.GenerateKey()
		gethKey, err := gethcrypto.ToECDSA(crypto.FromECDSA(key))
		if err != nil {
			t.Fatal(err)
		}
		ours, _ := dnsdisc.MakeTree(3, f.ours, f.links)
		geth, _ := gethdnsdisc.MakeTree(3, f.geth, f.links)
		ourURL, err1 := ours.Sign(key, "n.example.org")
		gethURL, err2 := geth.Sign(gethKey, "n.example.org")
		if err1 != nil || err2 != nil || ourURL != gethURL {
			t.Fatalf("URLs %s %v, %s %v", ourURL, err1, gethURL, err2)
		}
		a, b := ours.ToTXT("n.example.org"), geth.ToTXT("n.example.org")
		if !maps.Equal(a, b) {
			for name := range a {
				if a[name] != b[name] {
					t.Errorf("%s:\nours %s\ngeth %s", name, a[name], b[name])
				}
			}
			t.Fatalf("%+v: %d and %d records differ", size, len(a), len(b))
		}
		if !strings.HasPrefix(a["n.example.org"], "enrtree-root:v1 ") {
			t.Fatal("no root")
		}
	}
}
