package dnsdisc

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/dnsdisc/dnstest"
	"github.com/seednet/p2p/internal/testutil"
)

// craftTree returns the records of a tree at domain made by hand: a root
// signed by key that names eroot and lroot, and each text at the name of
// its hash.
func craftTree(t testing.TB, key *ecdsa.PrivateKey, domain string, seq uint, eroot, lroot string, texts ...string) map[string]string {
	t.Helper()
	root := &rootEntry{eroot: eroot, lroot: lroot, seq: seq}
	sig, err := crypto.Sign(root.sigHash(), key)
	if err != nil {
		t.Fatal(err)
	}
	root.sig = sig
	records := map[string]string{domain: root.String()}
	for _, text := range texts {
		records[hashName(text)+"."+domain] = text
	}
	return records
}

func branch(texts ...string) string {
	hashes := make([]string, len(texts))
	for i, text := range texts {
		hashes[i] = hashName(text)
	}
	return branchPrefix + strings.Join(hashes, ",")
}

// Each kind of bad input makes SyncTree fail with its error, inside a
// *NameError that names the DNS name concerned.
func TestSyncTreeBadInput(t *testing.T) {
	const domain = "nodes.example.org"
	key := testutil.NewKey(t)
	url := newLinkEntry(domain, &key.PublicKey).String()
	node := testNode(t, testutil.NewKey(t), 30303).String()
	link := newLinkEntry("other.example.org", &testutil.NewKey(t).PublicKey).String()
	empty := branchPrefix

	// A chain of branches deeper than maxDepth.
	deep := []string{node}
	for range maxDepth + 1 {
		deep = append(deep, branch(deep[len(deep)-1]))
	}
	longBranch := branchPrefix + strings.Repeat(hashName("x")+",", 20) + hashName("y")

	tests := []struct {
		name    string
		records map[string]string
		err     error
		errName string // the name in the *NameError
	}{
		{
			name:    "no root",
			records: map[string]string{domain: "v=spf1 -all"},
			err:     ErrNoRoot, errName: domain,
		},
		{
			name:    "root signed by another key",
			records: craftTree(t, testutil.NewKey(t), domain, 1, hashName(node), hashName(empty), node, empty),
			err:     ErrInvalidSig, errName: domain,
		},
		{
			name: "root does not parse",
			records: map[string]string{
				domain: "enrtree-root:v1 e=" + hashName(node) + " seq=1 sig=",
			},
			err: ErrSyntax, errName: domain,
		},
		{
			name: "entry too long",
			records: overwrite(craftTree(t, key, domain, 1, hashName(longBranch), hashName(empty), longBranch, empty),
				hashName(longBranch)+"."+domain, longBranch),
			err: ErrRecordTooLong, errName: hashName(longBranch) + "." + domain,
		},
		{
			name: "entry does not parse",
			records: craftTree(t, key, domain, 1, hashName("enrtree-branch:nonsense"), hashName(empty),
				"enrtree-branch:nonsense", empty),
			err: ErrInvalidHash, errName: hashName("enrtree-branch:nonsense") + "." + domain,
		},
		{
			name:    "node record does not verify",
			records: craftTree(t, key, domain, 1, hashName("enr:-----"), hashName(empty), "enr:-----", empty),
			err:     ErrInvalidENR, errName: hashName("enr:-----") + "." + domain,
		},
		{
			name:    "unknown entry at a hash",
			records: craftTree(t, key, domain, 1, hashName("hello"), hashName(empty), "hello", empty),
			err:     ErrUnknownEntry, errName: hashName("hello") + "." + domain,
		},
		{
			name: "hash mismatch",
			records: overwrite(craftTree(t, key, domain, 1, hashName(node), hashName(empty), empty),
				hashName(node)+"."+domain, node+"x"),
			err: ErrHashMismatch, errName: hashName(node) + "." + domain,
		},
		{
			name: "branch that names itself",
			records: overwrite(craftTree(t, key, domain, 1, hashName(node), hashName(empty), empty),
				hashName(node)+"."+domain, branchPrefix+hashName(node)),
			err: ErrHashMismatch, errName: hashName(node) + "." + domain,
		},
		{
			name: "no entry at a hash",
			records: overwrite(craftTree(t, key, domain, 1, hashName(node), hashName(empty), empty),
				hashName(node)+"."+domain, "v=spf1 -all"),
			err: ErrNoEntry, errName: hashName(node) + "." + domain,
		},
		{
			name:    "node in link tree",
			records: craftTree(t, key, domain, 1, hashName(empty), hashName(node), empty, node),
			err:     ErrENRInLinkTree, errName: hashName(node) + "." + domain,
		},
		{
			name:    "link in node tree",
			records: craftTree(t, key, domain, 1, hashName(link), hashName(empty), empty, link),
			err:     ErrLinkInENRTree, errName: hashName(link) + "." + domain,
		},
		{
			name:    "too deep",
			records: craftTree(t, key, domain, 1, hashName(deep[len(deep)-1]), hashName(empty), append(deep, empty)...),
			err:     ErrTooDeep, errName: hashName(deep[1]) + "." + domain,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewClient(fastConfig(t, newResolver(tt.records)))
			tree, err := c.SyncTree(url)
			if !errors.Is(err, tt.err) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			var ne *NameError
			if !errors.As(err, &ne) || ne.Name != tt.errName {
				t.Fatalf("error %#v does not name %s", err, tt.errName)
			}
			if tree != nil {
				t.Fatal("tree with error")
			}
			t.Log(err)
		})
	}
}

// overwrite sets records[name] = text and returns records.
func overwrite(records map[string]string, name, text string) map[string]string {
	records[name] = text
	return records
}

// A name that does not exist gives the resolver's error.
func TestSyncTreeMissingEntryIsResolverError(t *testing.T) {
	key := testutil.NewKey(t)
	node := testNode(t, testutil.NewKey(t), 1).String()
	records := craftTree(t, key, "n.example.org", 1, hashName(node), hashName(branchPrefix), branchPrefix)
	_, err := NewClient(fastConfig(t, newResolver(records))).SyncTree(newLinkEntry("n.example.org", &key.PublicKey).String())
	var dnsErr *net.DNSError
	if !errors.As(err, &dnsErr) || !dnsErr.IsNotFound {
		t.Fatalf("error %v does not wrap the resolver's", err)
	}
}

// A name may hold other TXT records next to the entry; they are skipped.
func TestSyncTreeSkipsOtherRecords(t *testing.T) {
	key := testutil.NewKey(t)
	nodes := testNodes(t, 3)
	_, url, txt := signedTree(t, key, "n.example.org", 1, nodes, nil)
	r := newResolver(txt)
	for name, text := range txt {
		r.Set(name, "v=spf1 -all", strings.ToUpper(text)+"x", text)
	}
	tree, err := NewClient(fastConfig(t, r)).SyncTree(url)
	if err != nil {
		t.Fatal(err)
	}
	if len(tree.Nodes()) != 3 {
		t.Fatalf("%d nodes", len(tree.Nodes()))
	}
}

// Of several valid roots at the domain, the highest seq counts.
func TestSyncTreeHighestRoot(t *testing.T) {
	key := testutil.NewKey(t)
	_, url, txt1 := signedTree(t, key, "n.example.org", 1, testNodes(t, 1), nil)
	_, _, txt2 := signedTree(t, key, "n.example.org", 2, testNodes(t, 2), nil)
	r := newResolver(txt1, txt2)
	r.Set("n.example.org", txt2["n.example.org"], txt1["n.example.org"])
	tree, err := NewClient(fastConfig(t, r)).SyncTree(url)
	if err != nil {
		t.Fatal(err)
	}
	if tree.Seq() != 2 || len(tree.Nodes()) != 2 {
		t.Fatalf("seq %d, %d nodes", tree.Seq(), len(tree.Nodes()))
	}
}

// A root with a lower seq than one the client has seen is refused; the
// same seq again is fine.
func TestSyncTreeStaleRoot(t *testing.T) {
	key := testutil.NewKey(t)
	nodes := testNodes(t, 2)
	_, url, txt5 := signedTree(t, key, "n.example.org", 5, nodes, nil)
	_, _, txt4 := signedTree(t, key, "n.example.org", 4, nodes, nil)
	r := newResolver(txt5)
	c := NewClient(fastConfig(t, r))
	if _, err := c.SyncTree(url); err != nil {
		t.Fatal(err)
	}
	r.Add(txt4)
	_, err := c.SyncTree(url)
	var ne *NameError
	if !errors.Is(err, ErrStaleRoot) || !errors.As(err, &ne) || ne.Name != "n.example.org" {
		t.Fatalf("replayed root: %v", err)
	}
	// Another client has not seen seq 5.
	if _, err := NewClient(fastConfig(t, r)).SyncTree(url); err != nil {
		t.Fatal(err)
	}
	r.Add(txt5)
	if _, err := c.SyncTree(url); err != nil {
		t.Fatal(err)
	}
}

// A server that never answers costs one Timeout per lookup, and the error
// says so.
func TestSyncTreeTimeout(t *testing.T) {
	cfg := fastConfig(t, dnstest.SilentResolver(t))
	cfg.Timeout = 100 * time.Millisecond
	c := NewClient(cfg)
	start := time.Now()
	_, err := c.SyncTree("enrtree://AKPYQIUQIL7PSIACI32J7FGZW56E5FKHEFCCOFHILBIMW3M6LWXS2@nodes.example.org")
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Fatalf("took %v", elapsed)
	}
	var ne *NameError
	if !errors.Is(err, ErrTimeout) || !errors.As(err, &ne) || ne.Name != "nodes.example.org" {
		t.Fatalf("error %v", err)
	}
	t.Log(err)
}

// SyncTreeContext ends when its context does.
func TestSyncTreeContext(t *testing.T) {
	c := NewClient(fastConfig(t, dnstest.SilentResolver(t)))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.SyncTreeContext(ctx, "enrtree://AKPYQIUQIL7PSIACI32J7FGZW56E5FKHEFCCOFHILBIMW3M6LWXS2@nodes.example.org")
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrTimeout) {
		t.Fatalf("error %v", err)
	}
}

func TestSyncTreeBadURL(t *testing.T) {
	c := NewClient(fastConfig(t, newResolver()))
	for _, url := range []string{"", "enrtree://nodes.example.org", "enrtree://AKPY@n"} {
		if _, err := c.SyncTree(url); err == nil {
			t.Errorf("%q: no error", url)
		}
	}
	if _, err := c.NewIterator(specURL, "enrtree://x"); err == nil {
		t.Error("NewIterator with a bad URL: no error")
	}
}

// An entry listed twice, or in two branches, is looked up once.
func TestSyncTreeSharedEntries(t *testing.T) {
	key := testutil.NewKey(t)
	a, b := testNode(t, testutil.NewKey(t), 1).String(), testNode(t, testutil.NewKey(t), 2).String()
	b1 := branch(a, b, a)
	b2 := branch(b, a)
	top := branch(b1, b2, b1)
	records := craftTree(t, key, "n.example.org", 1, hashName(top), hashName(branchPrefix), top, b1, b2, a, b, branchPrefix)
	r := newResolver(records)
	tree, err := NewClient(fastConfig(t, r)).SyncTree(newLinkEntry("n.example.org", &key.PublicKey).String())
	if err != nil {
		t.Fatal(err)
	}
	if len(tree.Nodes()) != 2 || r.Lookups() != len(records) {
		t.Fatalf("%d nodes, %d lookups of %d records", len(tree.Nodes()), r.Lookups(), len(records))
	}
}

// The bound on entries per subtree holds: a branch whose children would
// pass it is refused.
func TestSubtreeEntryLimit(t *testing.T) {
	key := testutil.NewKey(t)
	var children []string
	for i := range 10 {
		children = append(children, branchPrefix+hashName(strconv.Itoa(i)))
	}
	top := branch(children...)
	records := craftTree(t, key, "n.example.org", 1, hashName(top), hashName(branchPrefix), top)
	c := NewClient(fastConfig(t, newResolver(records)))
	loc := newLinkEntry("n.example.org", &key.PublicKey)
	s := newSubtreeSync(c, loc, hashName(top), false)
	for i := len(s.seen); i < maxTreeEntries-5; i++ {
		s.seen[strconv.Itoa(i)] = struct{}{}
	}
	_, _, err := s.resolve(context.Background(), 0)
	if !errors.Is(err, ErrTooManyEntries) {
		t.Fatalf("error %v", err)
	}
	if !s.done() || s.failed != 1 {
		t.Fatalf("missing %d, failed %d", len(s.missing), s.failed)
	}
}

// The cache is bounded, and serves repeated syncs without lookups.
func TestClientCache(t *testing.T) {
	key := testutil.NewKey(t)
	_, url, txt := signedTree(t, key, "n.example.org", 1, testNodes(t, 30), nil)
	r := newResolver(txt)
	cfg := fastConfig(t, r)
	cfg.CacheLimit = 10
	c := NewClient(cfg)
	for range 2 {
		if _, err := c.SyncTree(url); err != nil {
			t.Fatal(err)
		}
	}
	if c.entries.len() != 10 {
		t.Fatalf("cache holds %d entries", c.entries.len())
	}
	big := NewClient(fastConfig(t, r))
	before := r.Lookups()
	for range 3 {
		if _, err := big.SyncTree(url); err != nil {
			t.Fatal(err)
		}
	}
	// One full sync, then only the roots.
	if got := r.Lookups() - before; got != len(txt)+2 {
		t.Fatalf("%d lookups for 3 syncs of %d records", got, len(txt))
	}
}

// hangingResolver never answers and ignores its context, until released.
type hangingResolver struct{ release chan struct{} }

func (r hangingResolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	<-r.release
	return nil, errors.New("released")
}

// A resolver that ignores its context still costs one Timeout per lookup,
// and at most maxLookups goroutines; after that, lookups wait for a slot.
func TestResolverIgnoringContext(t *testing.T) {
	r := hangingResolver{make(chan struct{})}
	defer close(r.release)
	cfg := fastConfig(t, r)
	cfg.Timeout = 10 * time.Millisecond
	c := NewClient(cfg)
	url := "enrtree://AKPYQIUQIL7PSIACI32J7FGZW56E5FKHEFCCOFHILBIMW3M6LWXS2@nodes.example.org"
	timeouts := 0
	for range maxLookups + 4 {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		_, err := c.SyncTreeContext(ctx, url)
		cancel()
		switch {
		case errors.Is(err, ErrTimeout):
			timeouts++
		case errors.Is(err, context.DeadlineExceeded):
		default:
			t.Fatalf("error %v", err)
		}
	}
	if timeouts != maxLookups || len(c.lookups) != maxLookups {
		t.Fatalf("%d timeouts, %d lookups under way", timeouts, len(c.lookups))
	}
}
