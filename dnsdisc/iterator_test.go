package dnsdisc

import (
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seednet/p2p/dnsdisc/dnstest"
	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/internal/testutil"
)

// readUntil reads nodes from it until it has seen every node of want, or
// limit nodes, and returns the IDs seen. It fails the test on a node not in
// allowed (want if nil).
func readUntil(t *testing.T, it enode.Iterator, want, allowed []*enode.Node, limit int) []string {
	t.Helper()
	if allowed == nil {
		allowed = want
	}
	ok := make(map[enode.ID]bool)
	for _, n := range allowed {
		ok[n.ID()] = true
	}
	missing := make(map[enode.ID]bool)
	for _, n := range want {
		missing[n.ID()] = true
	}
	var seen []*enode.Node
	for i := 0; i < limit && len(missing) > 0; i++ {
		if !it.Next() {
			t.Fatal("iterator ended")
		}
		n := it.Node()
		if !ok[n.ID()] {
			t.Fatalf("unexpected node %v", n.ID().TerminalString())
		}
		delete(missing, n.ID())
		seen = append(seen, n)
	}
	if len(missing) > 0 {
		t.Fatalf("%d of %d nodes not seen in %d", len(missing), len(want), limit)
	}
	return nodeIDs(seen)
}

func TestIterator(t *testing.T) {
	nodes := testNodes(t, 30)
	_, url, txt := signedTree(t, testutil.NewKey(t), "n.example.org", 1, nodes, nil)
	c := NewClient(fastConfig(t, newResolver(txt)))
	it, err := c.NewIterator(url)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	if it.Node() != nil {
		t.Fatal("node before Next")
	}
	readUntil(t, it, nodes, nil, 1000)
	// It goes on after the whole tree, from the cache.
	readUntil(t, it, nodes, nil, 1000)
}

// The iterator follows links, also in a loop, and yields the nodes of every
// tree it reaches.
func TestIteratorLinks(t *testing.T) {
	ka, kb, kc := testutil.NewKey(t), testutil.NewKey(t), testutil.NewKey(t)
	urlA := newLinkEntry("a.example.org", &ka.PublicKey).String()
	urlB := newLinkEntry("b.example.org", &kb.PublicKey).String()
	urlC := newLinkEntry("c.example.org", &kc.PublicKey).String()
	na, nb, nc := testNodes(t, 3), testNodes(t, 4), testNodes(t, 5)
	_, _, txtA := signedTree(t, ka, "a.example.org", 1, na, []string{urlB, urlC})
	_, _, txtB := signedTree(t, kb, "b.example.org", 1, nb, []string{urlA})
	_, _, txtC := signedTree(t, kc, "c.example.org", 1, nc, []string{urlC}) // a link to itself
	c := NewClient(fastConfig(t, newResolver(txtA, txtB, txtC)))
	for _, start := range []string{urlA, urlB} {
		it, err := c.NewIterator(start, start)
		if err != nil {
			t.Fatal(err)
		}
		all := slices.Concat(na, nb, nc)
		readUntil(t, it, all, nil, 2000)
		r := it.(*randomIterator)
		r.mu.Lock()
		trees := len(r.trees)
		r.mu.Unlock()
		if trees != 3 {
			t.Fatalf("following %d trees", trees)
		}
		it.Close()
	}
}

// Bad parts of a tree are skipped; the iterator yields every good node.
func TestIteratorBadEntries(t *testing.T) {
	key := testutil.NewKey(t)
	good := testNodes(t, 6)
	var texts []string
	for _, n := range good {
		texts = append(texts, n.String())
	}
	link := newLinkEntry("x.example.org", &testutil.NewKey(t).PublicKey).String()
	deep := []string{testNode(t, testutil.NewKey(t), 9).String()}
	for range maxDepth + 1 {
		deep = append(deep, branch(deep[len(deep)-1]))
	}
	missing := testNode(t, testutil.NewKey(t), 10).String() // not published
	mismatched := testNode(t, testutil.NewKey(t), 11).String()
	b1 := branch(texts[0], texts[1], "enr:-----", link)
	b2 := branch(texts[2], texts[3], missing, mismatched)
	b3 := branch(texts[4], deep[len(deep)-1], "enrtree-branch:junk", texts[5])
	top := branch(b1, b2, b3)
	records := craftTree(t, key, "n.example.org", 1, hashName(top), hashName(branchPrefix),
		slices.Concat([]string{top, b1, b2, b3, "enr:-----", link, "enrtree-branch:junk", branchPrefix}, texts, deep)...)
	records[hashName(mismatched)+".n.example.org"] = mismatched + "A"
	c := NewClient(fastConfig(t, newResolver(records)))
	it, err := c.NewIterator(newLinkEntry("n.example.org", &key.PublicKey).String())
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	readUntil(t, it, good, nil, 500)
}

// The iterator checks the root again every RecheckInterval and follows a
// new tree; a replayed older root is ignored.
func TestIteratorRootRecheck(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		key := testutil.NewKey(t)
		old, new := testNodes(t, 5), testNodes(t, 5)
		_, url, txt1 := signedTree(t, key, "n.example.org", 1, old, nil)
		_, _, txt2 := signedTree(t, key, "n.example.org", 2, new, nil)
		r := newResolver(txt1)
		cfg := fastConfig(t, r)
		cfg.RecheckInterval = 10 * time.Minute
		it, err := NewClient(cfg).NewIterator(url)
		if err != nil {
			t.Fatal(err)
		}
		defer it.Close()
		readUntil(t, it, old, nil, 200)

		r.Add(txt2) // the root at n.example.org is now seq 2
		time.Sleep(5 * time.Minute)
		readUntil(t, it, old, nil, 200) // not checked yet
		time.Sleep(5 * time.Minute)
		readUntil(t, it, new, new, 200)

		r.Add(txt1) // seq 1 again: refused
		time.Sleep(10 * time.Minute)
		readUntil(t, it, new, new, 200)
	})
}

// When a root update drops a link, the linked tree is no longer followed.
func TestIteratorLinkUpdate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ka, kb := testutil.NewKey(t), testutil.NewKey(t)
		urlB := newLinkEntry("b.example.org", &kb.PublicKey).String()
		na, nb := testNodes(t, 2), testNodes(t, 2)
		_, urlA, txtA1 := signedTree(t, ka, "a.example.org", 1, na, []string{urlB})
		_, _, txtA2 := signedTree(t, ka, "a.example.org", 2, na, nil)
		_, _, txtB := signedTree(t, kb, "b.example.org", 1, nb, nil)
		r := newResolver(txtA1, txtB)
		cfg := fastConfig(t, r)
		cfg.RecheckInterval = time.Minute
		it, err := NewClient(cfg).NewIterator(urlA)
		if err != nil {
			t.Fatal(err)
		}
		defer it.Close()
		readUntil(t, it, slices.Concat(na, nb), nil, 200)
		r.Add(txtA2)
		time.Sleep(2 * time.Minute) // both roots are due
		// Until A's new root is in, B's nodes may still come; after 50
		// nodes, A has surely been picked and its links synced.
		readUntil(t, it, na, slices.Concat(na, nb), 50)
		readUntil(t, it, na, na, 200)
		r2 := it.(*randomIterator)
		r2.mu.Lock()
		trees := len(r2.trees)
		r2.mu.Unlock()
		if trees != 1 {
			t.Fatalf("following %d trees", trees)
		}
	})
}

// An empty tree yields nothing: Next waits (for root checks) until Close.
func TestIteratorEmptyTree(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, url, txt := signedTree(t, testutil.NewKey(t), "n.example.org", 1, nil, nil)
		r := newResolver(txt)
		it, err := NewClient(fastConfig(t, r)).NewIterator(url)
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan bool)
		go func() { done <- it.Next() }()
		time.Sleep(2 * time.Hour)
		synctest.Wait()
		// Two lookups (root, empty branch) per 30-minute root check.
		if n := r.Lookups(); n < 2 || n > 10 {
			t.Fatalf("%d lookups in 2 hours", n)
		}
		select {
		case <-done:
			t.Fatal("Next returned")
		default:
		}
		it.Close()
		if <-done {
			t.Fatal("Next returned true")
		}
	})
}

// A tree whose root cannot be had is tried again with growing delays, and
// used once it is there.
func TestIteratorRootRetry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		key := testutil.NewKey(t)
		nodes := testNodes(t, 3)
		_, url, txt := signedTree(t, key, "n.example.org", 1, nodes, nil)
		r := newResolver()
		it, err := NewClient(fastConfig(t, r)).NewIterator(url)
		if err != nil {
			t.Fatal(err)
		}
		defer it.Close()
		done := make(chan struct{})
		go func() {
			defer close(done)
			readUntil(t, it, nodes, nil, 100)
		}()
		time.Sleep(10 * time.Minute)
		synctest.Wait()
		// 1 s, 2 s, 4 s... up to 5 min: 10 lookups or so in 10 minutes.
		if n := r.Lookups(); n < 5 || n > 15 {
			t.Fatalf("%d root lookups in 10 minutes", n)
		}
		r.Add(txt)
		<-done
	})
}

// Close interrupts a Next that waits for a lookup; Next after Close is
// false; Close may be called twice.
func TestIteratorClose(t *testing.T) {
	cfg := fastConfig(t, dnstest.SilentResolver(t))
	cfg.Timeout = time.Hour
	it, err := NewClient(cfg).NewIterator(specURL)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan bool)
	go func() { done <- it.Next() }()
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	it.Close()
	select {
	case ok := <-done:
		if ok {
			t.Fatal("Next returned true")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Next still blocked after Close")
	}
	t.Logf("Next returned %v after Close", time.Since(start))
	it.Close()
	if it.Next() {
		t.Fatal("Next after Close")
	}
}

func TestIteratorNoURLs(t *testing.T) {
	it, err := NewClient(fastConfig(t, newResolver())).NewIterator()
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	if it.Next() {
		t.Fatal("Next of an iterator without trees")
	}
}

// Lookups, cache hits included, keep to the rate limit.
func TestIteratorRateLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nodes := testNodes(t, 3)
		_, url, txt := signedTree(t, testutil.NewKey(t), "n.example.org", 1, nodes, nil)
		cfg := fastConfig(t, newResolver(txt))
		cfg.RateLimit = 5
		it, err := NewClient(cfg).NewIterator(url)
		if err != nil {
			t.Fatal(err)
		}
		defer it.Close()
		start := time.Now()
		for range 100 {
			it.Next()
		}
		// 100 nodes take at least 100 lookups; a burst of 10, then 5 per
		// second.
		if elapsed := time.Since(start); elapsed < 18*time.Second {
			t.Fatalf("100 nodes in %v", elapsed)
		}
	})
}
