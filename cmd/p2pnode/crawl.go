package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seednet/p2p/enode"
)

const crawlDoc = `Runs lookups of random targets from -bootnodes (and the nodes already in
FILE), asks every node found for its record, and writes the nodes that
answered to FILE when -timeout is over or on Ctrl-C. A line on standard
error shows the progress: nodes that answered, queries, time.

FILE is go-ethereum's nodes.json (as 'devp2p discv4 crawl' writes it):
a JSON object of node ID to

  {"seq": N, "record": "enr:...", "score": N,
   "firstResponse": TIME, "lastResponse": TIME, "lastCheck": TIME}

An existing FILE is read first and updated: as go-ethereum does, a node
that answers gets one more point of score, one that does not loses half
of its score and is removed when that reaches zero (a node without a
score, as from a DNS list, is kept). Nodes not reached in the time are
kept as they were. 'p2pnode dns sign' takes the directory of a nodes.json.`

// nodeSet is nodes.json: node ID (hex) to entry.
type nodeSet map[string]nodeJSON

// loadNodeSet reads a nodes.json file; a missing file is an empty set.
func loadNodeSet(file string) (nodeSet, []*enode.Node, error) {
	set := make(nodeSet)
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return set, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, nil, fmt.Errorf("%s: not a nodes.json (an object of node ID to {\"seq\", \"record\", ...}): %w", file, err)
	}
	var nodes []*enode.Node
	for id, e := range set {
		n, err := enode.Parse(enode.ValidSchemes, e.Record)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: node %s: %w", file, id, err)
		}
		if n.ID().String() != id {
			return nil, nil, fmt.Errorf("%s: node %s: the record is of node %s", file, id, n.ID())
		}
		nodes = append(nodes, n)
	}
	return set, nodes, nil
}

// crawlDisc is a discovery instance the crawler uses.
type crawlDisc interface {
	Self() *enode.Node
	RandomNodes() enode.Iterator
	requestENR(ctx context.Context, n *enode.Node) (*enode.Node, error)
	close()
}

func crawlSetup(fs *flag.FlagSet, version int) runFunc {
	f := defineDiscFlags(fs, 30*time.Second, true)
	parallel := fs.Int("parallel", 16, "how many nodes to ask for their record at once")
	return func(ctx context.Context, e *env, args []string) error {
		file := args[0]
		if *parallel <= 0 {
			return fmt.Errorf("-parallel must be positive, is %d", *parallel)
		}
		set, known, err := loadNodeSet(file)
		if err != nil {
			return err
		}
		boot, err := parseNodeList(splitList(*f.bootnodes))
		if err != nil {
			return fmt.Errorf("-bootnodes: %w", err)
		}
		seeds := append(boot, known...)
		if len(seeds) == 0 {
			return fmt.Errorf("-bootnodes is empty and %s has no nodes: give the nodes to start from", file)
		}
		var disc crawlDisc
		if version == 4 {
			d, err := f.listenV4(seeds)
			if err != nil {
				return err
			}
			disc = v4Crawl{d}
		} else {
			d, err := f.listenV5(seeds)
			if err != nil {
				return err
			}
			disc = v5Crawl{d}
		}
		ctx, stop := interruptible(ctx)
		defer stop()
		ctx, cancel := context.WithTimeout(ctx, *f.timeout)
		defer cancel()

		c := &crawler{disc: disc, set: set, state: make(map[enode.ID]*crawlState)}
		c.state[disc.Self().ID()] = &crawlState{answered: true} // not ourselves
		start := time.Now()
		stopProgress := progress(e.stderr, c.status)
		c.run(ctx, seeds, *parallel)
		stopProgress()
		failed, removed := c.finish()
		if err := writeJSON(file, set, e.stdout); err != nil {
			return err
		}
		why := "timeout"
		if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			why = "interrupted"
		}
		fmt.Fprintf(e.stdout, "crawled for %v (%s): %d nodes answered (%d new), %d did not, %d removed, %d queries; %s holds %d nodes\n",
			time.Since(start).Round(time.Second), why, c.answered.Load(), c.added.Load(), failed, removed,
			c.queries.Load(), file, len(set))
		return nil
	}
}

// A node that does not answer is asked again when the lookups find it
// again, after crawlRetryDelay, up to crawlTries times in one crawl.
const (
	crawlTries      = 3
	crawlRetryDelay = time.Second
)

// crawler asks the nodes that the lookups find for their record: each
// once, or until it answers.
type crawler struct {
	disc crawlDisc

	mu    sync.Mutex // guards set and state
	set   nodeSet
	state map[enode.ID]*crawlState

	queries, answered, unanswered, added atomic.Int64
}

// crawlState is what one crawl knows of a node.
type crawlState struct {
	busy     bool // a query is under way
	answered bool
	fails    int
	retryAt  time.Time
}

func (c *crawler) status() string {
	return fmt.Sprintf("crawling: %d nodes answered (%d new), %d queries (%d unanswered)",
		c.answered.Load(), c.added.Load(), c.queries.Load(), c.unanswered.Load())
}

// run crawls until ctx is done, then closes the discovery instance.
func (c *crawler) run(ctx context.Context, seeds []*enode.Node, parallel int) {
	todo := make(chan *enode.Node)
	iters := []enode.Iterator{enode.IterNodes(seeds), c.disc.RandomNodes()}
	var wg sync.WaitGroup
	for _, it := range iters {
		wg.Go(func() {
			for it.Next() {
				n := it.Node()
				if !c.claim(n.ID()) {
					continue
				}
				select {
				case todo <- n:
				case <-ctx.Done():
					return
				}
			}
		})
	}
	for range parallel {
		wg.Go(func() {
			for {
				select {
				case n := <-todo:
					c.check(ctx, n)
				case <-ctx.Done():
					return
				}
			}
		})
	}
	<-ctx.Done()
	for _, it := range iters {
		it.Close()
	}
	c.disc.close() // ends the requests under way
	wg.Wait()
}

// claim reports whether node id is to be asked now, and marks it busy.
func (c *crawler) claim(id enode.ID) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.state[id]
	if st == nil {
		st = new(crawlState)
		c.state[id] = st
	}
	if st.busy || st.answered || st.fails >= crawlTries || time.Now().Before(st.retryAt) {
		return false
	}
	st.busy = true
	return true
}

// check asks n for its record and updates its entry.
func (c *crawler) check(ctx context.Context, n *enode.Node) {
	now := time.Now().UTC().Truncate(time.Second)
	c.queries.Add(1)
	rn, err := c.disc.requestENR(ctx, n)
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.state[n.ID()]
	st.busy = false
	if err != nil && ctx.Err() != nil {
		return // cut short by the end of the crawl: no verdict
	}
	id := n.ID().String()
	e, known := c.set[id]
	if known {
		e.LastCheck = now
		c.set[id] = e
	}
	if err != nil {
		c.unanswered.Add(1)
		st.fails++
		st.retryAt = time.Now().Add(crawlRetryDelay)
		return
	}
	st.answered = true
	c.answered.Add(1)
	e.Seq, e.Record = rn.Seq(), rn.String()
	e.Score++
	if e.FirstResponse.IsZero() {
		e.FirstResponse = now
	}
	if !known {
		c.added.Add(1)
	}
	e.LastResponse, e.LastCheck = now, now
	c.set[id] = e
}

// finish gives the nodes that never answered their verdict: as
// go-ethereum's crawler does, a node of the file loses half of its score,
// and is removed when that reaches zero (a node without a score, as from
// a DNS list, is kept). It returns how many nodes did not answer and how
// many were removed.
func (c *crawler) finish() (failed, removed int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, st := range c.state {
		if st.answered || st.fails == 0 {
			continue
		}
		failed++
		e, known := c.set[id.String()]
		if !known || e.Score == 0 {
			continue
		}
		if e.Score /= 2; e.Score == 0 {
			delete(c.set, id.String())
			removed++
			continue
		}
		c.set[id.String()] = e
	}
	return failed, removed
}
