package dnsdisc

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/enr"
	"github.com/seednet/p2p/internal/testutil"
)

// The spec's example tree syncs, verifies, and gives back its records.
func TestSpecTree(t *testing.T) {
	c := NewClient(fastConfig(t, newResolver(specRecords)))
	tree, err := c.SyncTree(specURL)
	if err != nil {
		t.Fatal(err)
	}
	var want []*enode.Node
	for name, text := range specRecords {
		if strings.HasPrefix(text, enrPrefix) {
			n, err := enode.Parse(enode.ValidSchemes, text)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			want = append(want, n)
		}
	}
	if got := nodeIDs(tree.Nodes()); !slices.Equal(got, nodeIDs(want)) || len(got) != 3 {
		t.Errorf("nodes %v, want %v", got, nodeIDs(want))
	}
	if !slices.IsSortedFunc(tree.Nodes(), func(a, b *enode.Node) int { return bytes.Compare(a.ID().Bytes(), b.ID().Bytes()) }) {
		t.Error("nodes not sorted by ID")
	}
	if links := tree.Links(); !slices.Equal(links, []string{specLink}) {
		t.Errorf("links %v", links)
	}
	if tree.Seq() != 1 || tree.Signature() != strings.SplitN(specRecords["n"], "sig=", 2)[1] {
		t.Errorf("seq %d, signature %s", tree.Seq(), tree.Signature())
	}
	if txt := tree.ToTXT("n"); !maps.Equal(txt, specRecords) {
		t.Errorf("ToTXT of the synced tree:\n%v\nwant\n%v", txt, specRecords)
	}
	// The synced tree's signature carries over to the same tree built anew.
	key, _ := crypto.UnmarshalPubkey(mustHex(specKey))
	rebuilt, err := MakeTree(1, tree.Nodes(), tree.Links())
	if err != nil {
		t.Fatal(err)
	}
	if err := rebuilt.SetSignature(key, tree.Signature()); err != nil {
		t.Fatal(err)
	}
	if txt := rebuilt.ToTXT("n"); !maps.Equal(txt, specRecords) {
		t.Errorf("MakeTree of the spec's nodes and link:\n%v\nwant\n%v", txt, specRecords)
	}
}

// MakeTree, Sign and ToTXT give records that a client reads back as the
// same tree.
func TestMakeTreeRoundTrip(t *testing.T) {
	allNodes := testNodes(t, 170)
	linkKeys := []string{}
	for i := range 30 {
		linkKeys = append(linkKeys, newLinkEntry("l"+string(rune('a'+i%26))+".example.org", &testutil.NewKey(t).PublicKey).String())
	}
	tests := []struct{ nodes, links int }{
		{0, 0}, {1, 0}, {0, 1}, {2, 2}, {13, 0}, {14, 1}, {27, 13}, {170, 30},
	}
	key := testutil.NewKey(t)
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d nodes %d links", tt.nodes, tt.links), func(t *testing.T) {
			nodes, links := allNodes[:tt.nodes], linkKeys[:tt.links]
			tree, url, txt := signedTree(t, key, "nodes.example.org", 7, nodes, links)
			checkRecords(t, txt)
			r := newResolver(txt)
			synced, err := NewClient(fastConfig(t, r)).SyncTree(url)
			if err != nil {
				t.Fatal(err)
			}
			if got := nodeIDs(synced.Nodes()); !slices.Equal(got, nodeIDs(nodes)) {
				t.Fatalf("%d nodes back, want %d", len(got), len(nodes))
			}
			wantLinks := slices.Sorted(slices.Values(links))
			if got := synced.Links(); !slices.Equal(got, wantLinks) && len(got)+len(wantLinks) > 0 {
				t.Fatalf("links %v, want %v", got, wantLinks)
			}
			if synced.Seq() != 7 || synced.Signature() != tree.Signature() {
				t.Fatal("seq or signature differ")
			}
			if !maps.Equal(synced.ToTXT("nodes.example.org"), txt) {
				t.Fatal("synced tree's records differ")
			}
			if r.Lookups() != len(txt) {
				t.Fatalf("%d lookups for %d records", r.Lookups(), len(txt))
			}
		})
	}
}

// checkRecords checks that every record fits a UDP answer and that
// branches have at most 13 hashes.
func checkRecords(t *testing.T, txt map[string]string) {
	t.Helper()
	for name, text := range txt {
		if len(text) > maxRecordLen {
			t.Errorf("%s: record of %d bytes", name, len(text))
		}
		if b, ok := strings.CutPrefix(text, branchPrefix); ok && strings.Count(b, ",") >= maxChildren {
			t.Errorf("%s: branch of %d hashes", name, strings.Count(b, ",")+1)
		}
		if b, ok := strings.CutPrefix(text, branchPrefix); ok && strings.Count(b, ",") == 0 && b != "" {
			t.Errorf("%s: branch of one hash", name)
		}
	}
}

// bigNode returns a node whose record is as close to enr.SizeLimit as an
// extra entry can make it.
func bigNode(t *testing.T, seq uint64) *enode.Node {
	t.Helper()
	key := testutil.NewKey(t)
	sign := func(pad int) *enode.Node {
		var r enr.Record
		r.SetSeq(seq)
		r.Set(enr.IPv4Addr(netip.MustParseAddr("127.0.0.1")))
		r.Set(enr.TCP(30303))
		r.Set(enr.WithEntry("pad", bytes.Repeat([]byte{0xff}, pad)))
		if enode.SignV4(&r, key) != nil {
			return nil
		}
		n, _ := enode.New(enode.ValidSchemes, &r)
		return n
	}
	// The largest pad that still signs.
	lo, hi := 1, enr.SizeLimit
	for lo < hi {
		if mid := (lo + hi + 1) / 2; sign(mid) != nil {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	n := sign(lo)
	if n == nil || n.Record().Size() < enr.SizeLimit-2 {
		t.Fatal("no big record")
	}
	return n
}

// The largest records and the longest link domains still fit.
func TestMakeTreeRecordSizes(t *testing.T) {
	nodes := []*enode.Node{bigNode(t, 1), bigNode(t, 2), bigNode(t, 3)}
	long := strings.Repeat(strings.Repeat("a", 62)+".", 5)[:maxDomainLen]
	link := newLinkEntry(long, &testutil.NewKey(t).PublicKey).String()
	_, url, txt := signedTree(t, testutil.NewKey(t), "n.example.org", 1, nodes, []string{link})
	checkRecords(t, txt)
	longest := 0
	for _, text := range txt {
		longest = max(longest, len(text))
	}
	t.Logf("longest record: %d bytes", longest)
	if longest <= 255 {
		t.Fatal("expected records longer than one DNS character-string")
	}
	tree, err := NewClient(fastConfig(t, newResolver(txt))).SyncTree(url)
	if err != nil {
		t.Fatal(err)
	}
	if len(tree.Nodes()) != 3 || len(tree.Links()) != 1 {
		t.Fatalf("synced %d nodes, %d links", len(tree.Nodes()), len(tree.Links()))
	}
}

// The same sets of nodes and links give the same records, whatever their
// order and duplicates; of one node ID, the highest seq is kept.
func TestMakeTreeDeterministic(t *testing.T) {
	nodes := testNodes(t, 40)
	var links []string
	for range 5 {
		links = append(links, newLinkEntry("x.example.org", &testutil.NewKey(t).PublicKey).String())
	}
	key := testutil.NewKey(t)
	_, _, want := signedTree(t, key, "n.example.org", 3, nodes, links)

	shuffled := slices.Clone(nodes)
	rand.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	shuffled = append(shuffled, nodes[3], nodes[5])
	// An older record of node 7 (seq 0 < seq 1).
	var older enr.Record
	older.SetSeq(0)
	older.Set(enr.TCP(1))
	k7 := testutil.NewKey(t)
	newer := older
	newer.SetSeq(1)
	if enode.SignV4(&older, k7) != nil || enode.SignV4(&newer, k7) != nil {
		t.Fatal("signing")
	}
	n7old, _ := enode.New(enode.ValidSchemes, &older)
	n7new, _ := enode.New(enode.ValidSchemes, &newer)
	_, _, want7 := signedTree(t, key, "n.example.org", 3, append(slices.Clone(nodes), n7new), links)
	_, _, got7 := signedTree(t, key, "n.example.org", 3, append(slices.Clone(shuffled), n7old, n7new, n7old), append(slices.Clone(links), links[0]))
	if !maps.Equal(want7, got7) {
		t.Fatal("duplicates change the tree")
	}
	slices.Reverse(links)
	_, _, got := signedTree(t, key, "n.example.org", 3, shuffled, links)
	if !maps.Equal(want, got) {
		t.Fatal("order changes the tree")
	}
}

func TestMakeTreeErrors(t *testing.T) {
	key := testutil.NewKey(t)
	var badPort enr.Record
	badPort.Set(enr.WithEntry("udp", uint32(70000)))
	if err := enode.SignV4(&badPort, key); err != nil {
		t.Fatal(err)
	}
	badPortNode, err := enode.New(enode.ValidSchemes, &badPort)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		nodes []*enode.Node
		links []string
	}{
		{"unsigned node", []*enode.Node{enode.NewV4(&key.PublicKey, []byte{127, 0, 0, 1}, 1, 1)}, nil},
		{"port out of range", []*enode.Node{badPortNode}, nil},
		{"nil node", []*enode.Node{nil}, nil},
		{"bad link", nil, []string{"enrtree://x@y"}},
		{"not a link", nil, []string{"https://example.org"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tree, err := MakeTree(1, tt.nodes, tt.links); err == nil {
				t.Fatalf("no error: %v", tree.ToTXT(""))
			}
		})
	}
}

func TestSign(t *testing.T) {
	tree, err := MakeTree(1, testNodes(t, 3), nil)
	if err != nil {
		t.Fatal(err)
	}
	if tree.Signature() != "" {
		t.Fatal("unsigned tree has a signature")
	}
	key := testutil.NewKey(t)
	for _, bad := range []string{"", "a..b", "bad domain", strings.Repeat("a", 64) + ".org"} {
		if _, err := tree.Sign(key, bad); !errors.Is(err, ErrInvalidDomain) {
			t.Errorf("domain %q: %v", bad, err)
		}
	}
	url, err := tree.Sign(key, "nodes.example.org")
	if err != nil {
		t.Fatal(err)
	}
	domain, pub, err := ParseURL(url)
	if err != nil || domain != "nodes.example.org" || !pub.Equal(&key.PublicKey) {
		t.Fatalf("URL %s: %v", url, err)
	}
	sig := tree.Signature()
	fresh, _ := MakeTree(1, tree.Nodes(), nil)
	other := testutil.NewKey(t)
	flipped := []byte(sig) // another R
	if flipped[10] == 'A' {
		flipped[10] = 'B'
	} else {
		flipped[10] = 'A'
	}
	for _, bad := range []string{"", "xyz", sig + "A", string(flipped)} {
		if err := fresh.SetSignature(&key.PublicKey, bad); !errors.Is(err, ErrInvalidSig) {
			t.Errorf("signature %q: %v", bad, err)
		}
	}
	if err := fresh.SetSignature(&other.PublicKey, sig); !errors.Is(err, ErrInvalidSig) {
		t.Errorf("other key: %v", err)
	}
	if fresh.Signature() != "" {
		t.Fatal("a refused signature was set")
	}
	if err := fresh.SetSignature(&key.PublicKey, sig); err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(fresh.ToTXT("nodes.example.org"), tree.ToTXT("nodes.example.org")) {
		t.Fatal("SetSignature gives other records than Sign")
	}
	// A new seq needs a new signature.
	next, _ := MakeTree(2, tree.Nodes(), nil)
	if err := next.SetSignature(&key.PublicKey, sig); !errors.Is(err, ErrInvalidSig) {
		t.Fatalf("signature of seq 1 on seq 2: %v", err)
	}
}

func TestToTXTWithoutDomain(t *testing.T) {
	tree, _, _ := signedTree(t, testutil.NewKey(t), "n", 1, testNodes(t, 2), nil)
	txt := tree.ToTXT("")
	if !strings.HasPrefix(txt[""], rootPrefix) {
		t.Fatalf("root not at \"\": %v", txt)
	}
	for name := range txt {
		if name != "" {
			if _, ok := decodeHash(name); !ok {
				t.Errorf("name %q", name)
			}
		}
	}
}
