package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/seednet/p2p/discover"
	"github.com/seednet/p2p/enode"
)

func discv4Command() *command {
	return &command{
		name:    "discv4",
		summary: "query nodes over discovery v4",
		doc: `Each command runs a discovery v4 instance of its own, with a new key
(or -nodekey), on -listen, for as long as it takes. NODE is an enode URL
or an enr: record.`,
		subs: []*command{
			{
				name: "ping", args: "NODE", minArgs: 1, maxArgs: 1,
				summary: "ping NODE and print the time it took to answer, and its record",
				setup:   discv4Ping,
			},
			{
				name: "resolve", args: "NODE", minArgs: 1, maxArgs: 1,
				summary: "print the newest record of NODE: asked from it, or found by a lookup",
				doc: `Asks NODE for its record (ENRRequest, EIP-868); if it does not answer,
looks its ID up through -bootnodes (when given) and asks the node found.`,
				setup: discv4Resolve,
			},
			{
				name: "crawl", args: "FILE", minArgs: 1, maxArgs: 1,
				summary: "find the nodes of the network through -bootnodes, into FILE (nodes.json)",
				doc:     crawlDoc,
				setup:   func(fs *flag.FlagSet) runFunc { return crawlSetup(fs, 4) },
			},
		},
	}
}

func discv4Ping(fs *flag.FlagSet) runFunc {
	f := defineDiscFlags(fs, 5*time.Second, false)
	return func(ctx context.Context, e *env, args []string) error {
		node, err := parseNode(args[0])
		if err != nil {
			return err
		}
		disc, err := f.listenV4(nil)
		if err != nil {
			return err
		}
		defer disc.Close()
		ctx, stop := interruptible(ctx)
		defer stop()
		ctx, cancel := context.WithTimeout(ctx, *f.timeout)
		defer cancel()
		start := time.Now()
		if err := disc.Ping(ctx, node); err != nil {
			return timeoutError(ctx, "ping "+node.ID().TerminalString(), *f.timeout, err)
		}
		fmt.Fprintf(e.stdout, "pong from %s in %v\n", node.ID(), time.Since(start).Round(time.Microsecond))
		rec, err := disc.RequestENR(ctx, node)
		if err != nil {
			fmt.Fprintf(e.stdout, "node record: none (%v)\n", err)
			return nil
		}
		fmt.Fprintln(e.stdout, "node record:", rec.String())
		return nil
	}
}

func discv4Resolve(fs *flag.FlagSet) runFunc {
	f := defineDiscFlags(fs, 10*time.Second, true)
	return func(ctx context.Context, e *env, args []string) error {
		node, err := parseNode(args[0])
		if err != nil {
			return err
		}
		boot, err := parseNodeList(splitList(*f.bootnodes))
		if err != nil {
			return fmt.Errorf("-bootnodes: %w", err)
		}
		disc, err := f.listenV4(boot)
		if err != nil {
			return err
		}
		defer disc.Close()
		ctx, stop := interruptible(ctx)
		defer stop()
		ctx, cancel := context.WithTimeout(ctx, *f.timeout)
		defer cancel()
		return printResolved(ctx, e, node, disc.Resolve(ctx, node), *f.timeout)
	}
}

// printResolved prints the result of a Resolve of node.
func printResolved(ctx context.Context, e *env, node, res *enode.Node, timeout time.Duration) error {
	if res == node {
		what := "resolve " + node.ID().TerminalString()
		if ctx.Err() != nil {
			return timeoutError(ctx, what, timeout, nil)
		}
		return fmt.Errorf("%s: the node did not answer and no lookup found a newer record", what)
	}
	fmt.Fprintf(e.stdout, "node record (seq %d): %s\n", res.Seq(), res.String())
	if ep, ok := res.UDPEndpoint(); ok {
		fmt.Fprintf(e.stdout, "udp endpoint: %v\n", ep)
	}
	if ep, ok := res.TCPEndpoint(); ok {
		fmt.Fprintf(e.stdout, "tcp endpoint: %v\n", ep)
	}
	return nil
}

// v4Crawl adapts UDPv4 to the crawler.
type v4Crawl struct{ *discover.UDPv4 }

func (d v4Crawl) requestENR(ctx context.Context, n *enode.Node) (*enode.Node, error) {
	return d.RequestENR(ctx, n)
}

func (d v4Crawl) close() { d.Close() }
