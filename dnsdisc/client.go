package dnsdisc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/enr"
)

// Resolver looks up TXT records. A *net.Resolver is one. LookupTXT should
// return when ctx is done: the client bounds every lookup by Config.Timeout
// and cancels it when an iterator is closed. (The client does not wait for
// a lookup past that, but one that never returns takes one of the client's
// 16 lookup slots for good.)
type Resolver interface {
	LookupTXT(ctx context.Context, domain string) ([]string, error)
}

// Config is the configuration of a Client. The zero value is usable: every
// field says what its zero value means.
type Config struct {
	// Timeout bounds each DNS lookup; zero means 5 s. A lookup that takes
	// longer fails with an error wrapping ErrTimeout.
	Timeout time.Duration
	// RecheckInterval is how often an iterator looks up the root of each
	// tree again, to follow updates; zero means 30 minutes.
	RecheckInterval time.Duration
	// CacheLimit is how many tree entries the client keeps (the least
	// recently used go first); zero means 1000.
	CacheLimit int
	// RateLimit is the most lookups per second, with bursts of up to 10;
	// zero means 3, a negative value means no limit. Entries found in the
	// cache count too, so that an iterator over a cached tree does not
	// spin.
	RateLimit float64
	// ValidSchemes are the identity schemes that node records must verify
	// with; nil means enode.ValidSchemes.
	ValidSchemes enr.IdentityScheme
	// Resolver looks up the TXT records; nil means net.DefaultResolver.
	Resolver Resolver
	// Logger receives debug logs of lookups and errors; nil means none.
	Logger *slog.Logger
}

// Defaults of Config.
const (
	defaultTimeout   = 5 * time.Second
	defaultRecheck   = 30 * time.Minute
	defaultCache     = 1000
	defaultRateLimit = 3
	rateBurst        = 10
	seqMemory        = 1024 // trees whose highest root seq a client remembers
	maxLookups       = 16   // lookups under way at once (see lookup)
)

func (cfg Config) withDefaults() Config {
	if cfg.Timeout == 0 {
		cfg.Timeout = defaultTimeout
	}
	if cfg.RecheckInterval == 0 {
		cfg.RecheckInterval = defaultRecheck
	}
	if cfg.CacheLimit == 0 {
		cfg.CacheLimit = defaultCache
	}
	switch {
	case cfg.RateLimit == 0:
		cfg.RateLimit = defaultRateLimit
	case cfg.RateLimit < 0:
		cfg.RateLimit = math.Inf(1)
	}
	if cfg.ValidSchemes == nil {
		cfg.ValidSchemes = enode.ValidSchemes
	}
	if cfg.Resolver == nil {
		cfg.Resolver = net.DefaultResolver
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return cfg
}

// Client reads node lists from DNS. It is safe for concurrent use, and its
// iterators share its cache, rate limit and memory of root sequence
// numbers. A Client needs no closing; its iterators must be closed. It
// starts a goroutine for each lookup, which ends with the lookup: within
// Config.Timeout for a resolver that honours its context.
type Client struct {
	cfg     Config
	limiter *limiter
	lookups chan struct{} // a token for each lookup under way

	mu      sync.Mutex          // guards the fields below
	entries *lru[string, entry] // verified entries by hash name
	seqs    *lru[string, uint]  // highest root seq seen, by tree ("<key>@<domain>")
}

// NewClient makes a client.
func NewClient(cfg Config) *Client {
	cfg = cfg.withDefaults()
	return &Client{
		cfg:     cfg,
		limiter: newLimiter(cfg.RateLimit, rateBurst),
		lookups: make(chan struct{}, maxLookups),
		entries: newLRU[string, entry](cfg.CacheLimit),
		seqs:    newLRU[string, uint](seqMemory),
	}
}

// SyncTree downloads the whole tree at url (enrtree://<key>@<domain>): its
// root, checked against the URL's key, and every entry of its node and link
// subtrees. Linked trees are not followed. It fails on the first entry that
// cannot be had or is invalid.
func (c *Client) SyncTree(url string) (*Tree, error) {
	return c.SyncTreeContext(context.Background(), url)
}

// SyncTreeContext is SyncTree with a context that can cancel it.
func (c *Client) SyncTreeContext(ctx context.Context, url string) (*Tree, error) {
	loc, err := parseLink(url)
	if err != nil {
		return nil, fmt.Errorf("invalid enrtree URL: %w", err)
	}
	root, err := c.resolveRoot(ctx, loc)
	if err != nil {
		return nil, err
	}
	t := &Tree{root: root, entries: make(map[string]entry)}
	for _, st := range []*subtreeSync{
		newSubtreeSync(c, loc, root.lroot, true),
		newSubtreeSync(c, loc, root.eroot, false),
	} {
		for !st.done() {
			hash, e, err := st.resolve(ctx, 0)
			if err != nil {
				return nil, err
			}
			t.entries[hash] = e
		}
	}
	return t, nil
}

// NewIterator returns an iterator over the nodes of the trees at urls and
// of the trees they link to, in random order, endlessly: once it has
// visited every node of a tree it starts over (from the cache, as far as it
// holds the tree). It looks up each tree's root again every
// RecheckInterval. Invalid parts of a tree are logged and skipped. The
// iterator must be closed. With no URLs, it is empty.
func (c *Client) NewIterator(urls ...string) (enode.Iterator, error) {
	roots := make([]*linkEntry, 0, len(urls))
	for _, url := range urls {
		loc, err := parseLink(url)
		if err != nil {
			return nil, fmt.Errorf("invalid enrtree URL %q: %w", url, err)
		}
		roots = append(roots, loc)
	}
	return newRandomIterator(c, roots), nil
}

// lookup looks up the TXT records of name, waiting for the rate limit
// first and bounding the lookup by the timeout.
//
// The lookup runs in a goroutine of its own, so that lookup returns as soon
// as ctx ends or the timeout passes, even if the resolver is slow to
// notice: Go's own resolver, for one, notices a cancelled context only at
// the deadline of its socket. Such a goroutine ends when the resolver
// returns; at most maxLookups of them run at once, so that a resolver that
// never returns holds up the client rather than piling up goroutines.
func (c *Client) lookup(ctx context.Context, name string) ([]string, error) {
	if err := c.limiter.wait(ctx); err != nil {
		return nil, err
	}
	select {
	case c.lookups <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	lctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	done := make(chan lookupResult, 1)
	go func() {
		defer func() { <-c.lookups }()
		txts, err := c.cfg.Resolver.LookupTXT(lctx, name)
		done <- lookupResult{txts, err}
	}()
	var res lookupResult
	select {
	case res = <-done:
	case <-lctx.Done():
		res.err = lctx.Err()
	}
	c.cfg.Logger.Debug("DNS discovery lookup", "name", name, "records", len(res.txts), "err", res.err)
	if res.err != nil {
		// The caller's context, rather than the timeout, may have ended
		// the lookup, even if its timer has not fired yet.
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
			return nil, context.DeadlineExceeded
		}
		// The resolver may give up at its socket's deadline a moment
		// before lctx's timer fires.
		var te interface{ Timeout() bool }
		if errors.Is(lctx.Err(), context.DeadlineExceeded) || errors.As(res.err, &te) && te.Timeout() {
			res.err = fmt.Errorf("%w after %v: %w", ErrTimeout, c.cfg.Timeout, res.err)
		}
		return nil, &NameError{name, res.err}
	}
	return res.txts, nil
}

type lookupResult struct {
	txts []string
	err  error
}

// resolveRoot looks up the root of the tree at loc and checks its signature
// and sequence number. Of several valid roots, the one of the highest
// sequence number counts.
func (c *Client) resolveRoot(ctx context.Context, loc *linkEntry) (*rootEntry, error) {
	txts, err := c.lookup(ctx, loc.domain)
	if err != nil {
		return nil, err
	}
	var root *rootEntry
	var firstErr error
	for _, txt := range txts {
		if !strings.HasPrefix(txt, rootPrefix) {
			continue
		}
		e, err := parseAndVerifyRoot(txt, loc.pubkey)
		switch {
		case err != nil:
			firstErr = errOr(firstErr, err)
		case root == nil || e.seq > root.seq:
			root = e
		}
	}
	if root == nil {
		return nil, &NameError{loc.domain, errOr(firstErr, ErrNoRoot)}
	}
	if err := c.checkSeq(loc.str, root.seq); err != nil {
		return nil, &NameError{loc.domain, err}
	}
	return root, nil
}

// errOr returns err if it is not nil, else alt.
func errOr(err, alt error) error {
	if err != nil {
		return err
	}
	return alt
}

// checkSeq refuses seq if a higher one was seen for the tree, and else
// remembers it.
func (c *Client) checkSeq(tree string, seq uint) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if known, ok := c.seqs.get(tree); ok && seq < known {
		return fmt.Errorf("%w: seq %d, seen %d", ErrStaleRoot, seq, known)
	}
	c.seqs.add(tree, seq)
	return nil
}

// resolveEntry returns the entry of the given hash in the tree at domain,
// from the cache or from DNS. Of the TXT records at the name, the first
// that hashes to the name counts; others are skipped (names may hold
// unrelated records). If none fits, the error says why: an entry that did
// not match the hash, a record too long, or no entry at all.
func (c *Client) resolveEntry(ctx context.Context, domain, hash string) (entry, error) {
	c.mu.Lock()
	e, ok := c.entries.get(hash)
	c.mu.Unlock()
	if ok {
		// Cache hits wait for the rate limit too (see Config.RateLimit).
		if err := c.limiter.wait(ctx); err != nil {
			return nil, err
		}
		return e, nil
	}
	name := hash + "." + domain
	txts, err := c.lookup(ctx, name)
	if err != nil {
		return nil, err
	}
	var firstErr error
	for _, txt := range txts {
		if len(txt) > maxRecordLen {
			firstErr = errOr(firstErr, ErrRecordTooLong)
			continue
		}
		if !matchesHash(hash, txt) {
			if isEntryText(txt) {
				firstErr = errOr(firstErr, ErrHashMismatch)
			}
			continue
		}
		e, err := parseEntry(txt, c.cfg.ValidSchemes)
		if err != nil {
			return nil, &NameError{name, err}
		}
		c.mu.Lock()
		c.entries.add(hash, e)
		c.mu.Unlock()
		return e, nil
	}
	return nil, &NameError{name, errOr(firstErr, ErrNoEntry)}
}
