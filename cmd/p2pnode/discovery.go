package main

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/discover"
	"github.com/seednet/p2p/enode"
)

// discFlags are the flags of the discv4 and discv5 tools: each runs a
// discovery instance of its own for the time of the command.
type discFlags struct {
	fs        *flag.FlagSet
	listen    *string
	nodekey   *string
	timeout   *time.Duration
	bootnodes *string // nil for the commands that take no bootnodes
}

func defineDiscFlags(fs *flag.FlagSet, timeout time.Duration, bootnodes bool) *discFlags {
	f := &discFlags{fs: fs}
	f.listen = fs.String("listen", ":0", "UDP `ADDRESS` to send from and listen on (HOST:PORT)")
	f.nodekey = fs.String("nodekey", "", "node key `FILE` to use (default: a new key)")
	f.timeout = fs.Duration("timeout", timeout, "give up after this `DURATION`")
	if bootnodes {
		f.bootnodes = fs.String("bootnodes", "", "comma-separated `NODES` (enode://... or enr:...) to start from")
	}
	return f
}

// nodes returns the parsed -bootnodes, and fails if there are none.
func (f *discFlags) nodes() ([]*enode.Node, error) {
	nodes, err := parseNodeList(splitList(*f.bootnodes))
	if err != nil {
		return nil, fmt.Errorf("-bootnodes: %w", err)
	}
	if len(nodes) == 0 {
		return nil, errors.New("-bootnodes is empty: give the nodes to start from")
	}
	return nodes, nil
}

// socket opens the UDP socket and the local node of the discovery
// instance.
func (f *discFlags) socket() (*net.UDPConn, *enode.LocalNode, *ecdsa.PrivateKey, error) {
	if *f.timeout <= 0 {
		return nil, nil, nil, fmt.Errorf("-timeout must be positive, is %v", *f.timeout)
	}
	var key *ecdsa.PrivateKey
	var err error
	if *f.nodekey != "" {
		if key, err = crypto.LoadECDSA(*f.nodekey); err != nil {
			return nil, nil, nil, fmt.Errorf("-nodekey: %w", err)
		}
	} else if key, err = crypto.GenerateKey(); err != nil {
		return nil, nil, nil, err
	}
	conn, err := net.ListenPacket("udp", *f.listen)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("-listen: %w", err)
	}
	udp := conn.(*net.UDPConn)
	ln := enode.NewLocalNode(nil, key)
	addr := udp.LocalAddr().(*net.UDPAddr)
	if ip, ok := netip.AddrFromSlice(addr.IP); ok && !ip.IsUnspecified() {
		ln.SetStaticIP(ip.Unmap())
	}
	ln.SetFallbackUDP(addr.Port)
	return udp, ln, key, nil
}

func (f *discFlags) listenV4(bootnodes []*enode.Node) (*discover.UDPv4, error) {
	conn, ln, key, err := f.socket()
	if err != nil {
		return nil, err
	}
	disc, err := discover.ListenV4(conn, ln, discover.Config{PrivateKey: key, Bootnodes: bootnodes})
	if err != nil {
		conn.Close()
		return nil, err
	}
	return disc, nil
}

func (f *discFlags) listenV5(bootnodes []*enode.Node) (*discover.UDPv5, error) {
	conn, ln, key, err := f.socket()
	if err != nil {
		return nil, err
	}
	disc, err := discover.ListenV5(conn, ln, discover.Config{PrivateKey: key, Bootnodes: bootnodes})
	if err != nil {
		conn.Close()
		return nil, err
	}
	return disc, nil
}

// parseNode parses the NODE argument of a tool.
func parseNode(arg string) (*enode.Node, error) {
	n, err := enode.Parse(enode.ValidSchemes, arg)
	if err != nil {
		return nil, fmt.Errorf("NODE %s: %w", abbrev(arg), err)
	}
	if n.Incomplete() {
		return nil, fmt.Errorf("NODE %s has no IP address", abbrev(arg))
	}
	return n, nil
}

// errTimeout is the error of a tool that got no answer in -timeout.
type errTimeout struct {
	what    string
	timeout time.Duration
}

func (e *errTimeout) Error() string { return fmt.Sprintf("%s: no answer within %v", e.what, e.timeout) }

// callV5 runs fn, a call of discovery v5 (whose calls take no context),
// and closes disc, which ends the call, when ctx is done first.
func callV5[T any](ctx context.Context, closeDisc func(), fn func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := fn()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		closeDisc()
		<-done
		var zero T
		return zero, ctx.Err()
	}
}

// timeoutError turns the context error of a call that timed out into a
// message that says so.
func timeoutError(ctx context.Context, what string, timeout time.Duration, err error) error {
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return &errTimeout{what, timeout}
	case ctx.Err() != nil:
		return fmt.Errorf("%s: interrupted", what)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// nodeLine describes a node on one line: its ID, address and record.
func nodeLine(n *enode.Node) string {
	addr := "no address"
	if ep, ok := n.UDPEndpoint(); ok {
		addr = ep.String()
	}
	return fmt.Sprintf("%s %-21s %s", n.ID(), addr, n.String())
}
