package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/seednet/p2p/discover"
	"github.com/seednet/p2p/discover/v5wire"
	"github.com/seednet/p2p/enode"
)

func discv5Command() *command {
	return &command{
		name:    "discv5",
		summary: "query nodes over discovery v5",
		doc: `Each command runs a discovery v5 instance of its own, with a new key
(or -nodekey), on -listen, for as long as it takes. NODE is an enr: record
or an enode URL.`,
		subs: []*command{
			{
				name: "ping", args: "NODE", minArgs: 1, maxArgs: 1,
				summary: "ping NODE and print the time it took, its record's seq and our address as it sees it",
				setup:   discv5Ping,
			},
			{
				name: "resolve", args: "NODE", minArgs: 1, maxArgs: 1,
				summary: "print the newest record of NODE: asked from it, or found by a lookup",
				doc: `Asks NODE for its record (FINDNODE at distance 0); if it does not answer,
looks its ID up through -bootnodes (when given).`,
				setup: discv5Resolve,
			},
			{
				name: "lookup", args: "[TARGET]", minArgs: 0, maxArgs: 1,
				summary: "look up the nodes closest to TARGET (a node ID, NODE, or random) through -bootnodes",
				setup:   discv5Lookup,
			},
			{
				name: "talk", args: "NODE PROTOCOL MESSAGE-HEX", minArgs: 3, maxArgs: 3,
				summary: "send a TALKREQ of PROTOCOL with the message to NODE and print its TALKRESP",
				doc: `MESSAGE-HEX is the request's message in hex (0x optional; "" or 0x for
an empty one). The answer is printed in hex; an empty answer means that
NODE does not know PROTOCOL (or chose to answer so).`,
				setup: discv5Talk,
			},
			{
				name: "crawl", args: "FILE", minArgs: 1, maxArgs: 1,
				summary: "find the nodes of the network through -bootnodes, into FILE (nodes.json)",
				doc:     crawlDoc,
				setup:   func(fs *flag.FlagSet) runFunc { return crawlSetup(fs, 5) },
			},
		},
	}
}

// v5Session is a discovery v5 instance for one command, whose calls end
// when ctx (the timeout, or Ctrl-C) does.
type v5Session struct {
	disc    *discover.UDPv5
	ctx     context.Context
	cancel  func()
	timeout time.Duration
}

func startV5(ctx context.Context, f *discFlags, bootnodes []*enode.Node) (*v5Session, error) {
	disc, err := f.listenV5(bootnodes)
	if err != nil {
		return nil, err
	}
	ctx, stop := interruptible(ctx)
	ctx, cancel := context.WithTimeout(ctx, *f.timeout)
	return &v5Session{disc: disc, ctx: ctx, timeout: *f.timeout, cancel: func() { cancel(); stop() }}, nil
}

func (s *v5Session) close() {
	s.cancel()
	s.disc.Close()
}

// err turns the error of a call that ended with ctx into a message that
// says why.
func (s *v5Session) err(what string, err error) error {
	return timeoutError(s.ctx, what, s.timeout, err)
}

func discv5Ping(fs *flag.FlagSet) runFunc {
	f := defineDiscFlags(fs, 5*time.Second, false)
	return func(ctx context.Context, e *env, args []string) error {
		node, err := parseNode(args[0])
		if err != nil {
			return err
		}
		s, err := startV5(ctx, f, nil)
		if err != nil {
			return err
		}
		defer s.close()
		start := time.Now()
		pong, err := callV5(s.ctx, s.disc.Close, func() (*v5wire.Pong, error) { return s.disc.Ping(node) })
		if err != nil {
			return s.err("ping "+node.ID().TerminalString(), err)
		}
		fmt.Fprintf(e.stdout, "pong from %s in %v\n", node.ID(), time.Since(start).Round(time.Microsecond))
		fmt.Fprintf(e.stdout, "its record's seq: %d\n", pong.ENRSeq)
		if ap, ok := pong.ToAddrPort(); ok {
			fmt.Fprintf(e.stdout, "it sees us at: %v\n", ap)
		}
		return nil
	}
}

func discv5Resolve(fs *flag.FlagSet) runFunc {
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
		s, err := startV5(ctx, f, boot)
		if err != nil {
			return err
		}
		defer s.close()
		res, _ := callV5(s.ctx, s.disc.Close, func() (*enode.Node, error) { return s.disc.Resolve(node), nil })
		if res == nil {
			res = node
		}
		return printResolved(s.ctx, e, node, res, s.timeout)
	}
}

func discv5Lookup(fs *flag.FlagSet) runFunc {
	f := defineDiscFlags(fs, 30*time.Second, true)
	return func(ctx context.Context, e *env, args []string) error {
		var target enode.ID
		if len(args) == 0 {
			rand.Read(target[:])
		} else {
			t, err := parseTarget(args[0])
			if err != nil {
				return err
			}
			target = t
		}
		boot, err := f.nodes()
		if err != nil {
			return err
		}
		s, err := startV5(ctx, f, boot)
		if err != nil {
			return err
		}
		defer s.close()
		start := time.Now()
		nodes, err := callV5(s.ctx, s.disc.Close, func() ([]*enode.Node, error) { return s.disc.Lookup(target), nil })
		if err != nil {
			return s.err("lookup", err)
		}
		fmt.Fprintf(e.stdout, "lookup of %s: %d nodes in %v, closest first (ID, log distance, UDP endpoint, record):\n",
			target, len(nodes), time.Since(start).Round(time.Millisecond))
		for _, n := range nodes {
			addr := "-"
			if ep, ok := n.UDPEndpoint(); ok {
				addr = ep.String()
			}
			fmt.Fprintf(e.stdout, "%s %3d %-21s %s\n", n.ID(), enode.LogDist(target, n.ID()), addr, n.String())
		}
		return nil
	}
}

// parseTarget parses a lookup target: a node ID in hex, or a node.
func parseTarget(arg string) (enode.ID, error) {
	if id, err := enode.ParseID(arg); err == nil {
		return id, nil
	}
	n, err := enode.Parse(enode.ValidSchemes, arg)
	if err != nil {
		return enode.ID{}, fmt.Errorf("TARGET %s is neither a node ID (64 hex digits) nor a node", abbrev(arg))
	}
	return n.ID(), nil
}

func discv5Talk(fs *flag.FlagSet) runFunc {
	f := defineDiscFlags(fs, 5*time.Second, false)
	return func(ctx context.Context, e *env, args []string) error {
		node, err := parseNode(args[0])
		if err != nil {
			return err
		}
		proto := args[1]
		msg, err := hex.DecodeString(strings.TrimPrefix(strings.TrimPrefix(args[2], "0x"), "0X"))
		if err != nil {
			return fmt.Errorf("MESSAGE-HEX %s is not hex: %w", abbrev(args[2]), err)
		}
		s, err := startV5(ctx, f, nil)
		if err != nil {
			return err
		}
		defer s.close()
		start := time.Now()
		resp, err := callV5(s.ctx, s.disc.Close, func() ([]byte, error) { return s.disc.TalkRequest(node, proto, msg) })
		if err != nil {
			return s.err("talk "+node.ID().TerminalString(), err)
		}
		took := time.Since(start).Round(time.Microsecond)
		if len(resp) == 0 {
			fmt.Fprintf(e.stdout, "empty TALKRESP from %s in %v: it does not know protocol %q\n", node.ID(), took, proto)
			return nil
		}
		fmt.Fprintf(e.stdout, "TALKRESP from %s in %v, %d bytes: %x\n", node.ID(), took, len(resp), resp)
		return nil
	}
}

// v5Crawl adapts UDPv5 to the crawler: RequestENR ends when the crawl
// closes it.
type v5Crawl struct{ *discover.UDPv5 }

func (d v5Crawl) requestENR(_ context.Context, n *enode.Node) (*enode.Node, error) {
	return d.RequestENR(n)
}

func (d v5Crawl) close() { d.Close() }
