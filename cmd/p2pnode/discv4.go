package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/discover"
	"github.com/seednet/p2p/enode"
)

// discv4Command runs the discovery tools: "ping NODE".
func discv4Command(args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "ping" {
		return errors.New("usage: p2pnode discv4 ping [-listen ADDR] [-timeout D] NODE")
	}
	fs := flag.NewFlagSet("discv4 ping", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	listen := fs.String("listen", "127.0.0.1:0", "UDP address to send from")
	timeout := fs.Duration("timeout", 5*time.Second, "how long to wait for the answer")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: p2pnode discv4 ping [-listen ADDR] [-timeout D] NODE")
	}
	node, err := enode.Parse(enode.ValidSchemes, fs.Arg(0))
	if err != nil {
		return fmt.Errorf("node: %w", err)
	}
	key, err := crypto.GenerateKey()
	if err != nil {
		return err
	}
	conn, err := net.ListenPacket("udp", *listen)
	if err != nil {
		return err
	}
	disc, err := discover.ListenV4(conn.(*net.UDPConn), enode.NewLocalNode(nil, key), discover.Config{PrivateKey: key})
	if err != nil {
		conn.Close()
		return err
	}
	defer disc.Close()

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	start := time.Now()
	if err := disc.Ping(ctx, node); err != nil {
		return fmt.Errorf("ping %s: %w", node.ID().TerminalString(), err)
	}
	fmt.Fprintf(stdout, "pong from %s in %v\n", node.ID().TerminalString(), time.Since(start).Round(time.Microsecond))
	if rec, err := disc.RequestENR(ctx, node); err == nil {
		fmt.Fprintln(stdout, "record:", rec.String())
	}
	return nil
}
