// Command p2pnode runs a devp2p node and offers tools around node keys.
//
//	p2pnode [flags]                run a node: print its enode URL and record, log peers
//	p2pnode key generate FILE      write a new node key to FILE (hex, mode 0600)
//	p2pnode key to-enode FILE      print the enode URL of the key in FILE
//	p2pnode discv4 ping NODE       ping NODE (enode URL or enr:) over discovery v4 and print its record
//	p2pnode dns sign DIR KEYFILE   sign the DNS node list (EIP-1459) in DIR (see dns.go for its files)
//	p2pnode dns to-txt DIR [OUT]   write the list's TXT records as JSON
//	p2pnode dns to-zonefile DIR [OUT]  write the list as a zone file for a DNS server
//	p2pnode dns sync URL [DIR]     download the list at URL (enrtree://...) into DIR
//
// Flags of the node:
//
//	-key FILE          node key file (default: a fresh key each run)
//	-listen ADDR       TCP listen address (default ":30303")
//	-maxpeers N        maximum number of peers (default 25)
//	-static URLS       comma-separated enode URLs to connect to and keep connected
//	-bootnodes URLS    comma-separated enode URLs that discovery starts from
//	-nodedb DIR/FILE   node database file (default: in memory)
//	-nodiscover        turn discovery off
//	-name NAME         client name announced to peers
//	-verbosity LEVEL   log level: debug, info, warn, error (default info)
//
// The command line uses the standard library's flag package: the commands
// are few and plain, and a CLI framework would put a dozen modules into the
// graph of everyone who builds the library's tools.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/seednet/p2p"
	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/enode"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "p2pnode:", err)
		os.Exit(1)
	}
}

// run is the program, with its arguments and outputs given.
func run(args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "key" {
		return keyCommand(args[1:], stdout)
	}
	if len(args) > 0 && args[0] == "discv4" {
		return discv4Command(args[1:], stdout)
	}
	if len(args) > 0 && args[0] == "dns" {
		return dnsCommand(args[1:], stdout, stderr)
	}
	return nodeCommand(args, stdout, stderr)
}

func keyCommand(args []string, stdout io.Writer) error {
	if len(args) != 2 {
		return errors.New("usage: p2pnode key generate FILE | p2pnode key to-enode FILE")
	}
	switch sub, file := args[0], args[1]; sub {
	case "generate":
		if _, err := os.Stat(file); err == nil {
			return fmt.Errorf("%s exists; not overwriting a node key", file)
		}
		key, err := crypto.GenerateKey()
		if err != nil {
			return err
		}
		if err := crypto.SaveECDSA(file, key); err != nil {
			return err
		}
		fmt.Fprintln(stdout, enode.NewV4(&key.PublicKey, nil, 0, 0).ID())
		return nil
	case "to-enode":
		key, err := crypto.LoadECDSA(file)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, enode.NewV4(&key.PublicKey, []byte{127, 0, 0, 1}, 30303, 30303).URLv4())
		return nil
	default:
		return fmt.Errorf("unknown key command %q (want generate or to-enode)", sub)
	}
}

// nodeConfig is what the node's flags say.
type nodeConfig struct {
	keyFile, listen, name, verbosity string
	nodeDB                           string
	static, bootnodes                string
	maxPeers                         int
	noDiscover                       bool
}

func parseNodeFlags(args []string, stderr io.Writer) (*nodeConfig, error) {
	fs := flag.NewFlagSet("p2pnode", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := new(nodeConfig)
	fs.StringVar(&c.keyFile, "key", "", "node key file (default: a fresh key each run)")
	fs.StringVar(&c.listen, "listen", ":30303", "TCP listen address")
	fs.IntVar(&c.maxPeers, "maxpeers", 25, "maximum number of peers")
	fs.StringVar(&c.static, "static", "", "comma-separated enode URLs to keep connected")
	fs.StringVar(&c.bootnodes, "bootnodes", "", "comma-separated enode URLs for discovery")
	fs.BoolVar(&c.noDiscover, "nodiscover", false, "turn discovery off")
	fs.StringVar(&c.nodeDB, "nodedb", "", "node database file (default: in memory)")
	fs.StringVar(&c.name, "name", "p2pnode", "client name announced to peers")
	fs.StringVar(&c.verbosity, "verbosity", "info", "log level: debug, info, warn, error")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return c, nil
}

func parseNodes(list string) ([]*enode.Node, error) {
	var nodes []*enode.Node
	for _, s := range strings.Split(list, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		n, err := enode.Parse(enode.ValidSchemes, s)
		if err != nil {
			return nil, fmt.Errorf("node %q: %w", s, err)
		}
		nodes = append(nodes, n)
	}
	return nodes, nil
}

// newServer builds the server that the flags describe.
func newServer(c *nodeConfig, log *slog.Logger) (*p2p.Server, error) {
	var key = new(ecdsaKey)
	if err := key.load(c.keyFile); err != nil {
		return nil, err
	}
	static, err := parseNodes(c.static)
	if err != nil {
		return nil, fmt.Errorf("-static: %w", err)
	}
	bootnodes, err := parseNodes(c.bootnodes)
	if err != nil {
		return nil, fmt.Errorf("-bootnodes: %w", err)
	}
	return &p2p.Server{
		PrivateKey:     key.k,
		Name:           c.name,
		MaxPeers:       c.maxPeers,
		ListenAddr:     c.listen,
		StaticNodes:    static,
		BootstrapNodes: bootnodes,
		NodeDatabase:   c.nodeDB,
		NoDiscovery:    c.noDiscover,
		Logger:         log,
	}, nil
}

func nodeCommand(args []string, stdout, stderr io.Writer) error {
	c, err := parseNodeFlags(args, stderr)
	if err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.verbosity)); err != nil {
		return fmt.Errorf("-verbosity: %w", err)
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	srv, err := newServer(c, log)
	if err != nil {
		return err
	}
	if err := srv.Start(); err != nil {
		return err
	}
	defer srv.Stop()
	self := srv.Self()
	fmt.Fprintln(stdout, "enode:", self.URLv4())
	fmt.Fprintln(stdout, "enr:  ", self.String())

	events := make(chan *p2p.PeerEvent, 16)
	sub := srv.SubscribeEvents(events)
	defer sub.Unsubscribe()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	for {
		select {
		case ev := <-events:
			switch ev.Type {
			case p2p.PeerEventTypeAdd:
				log.Info("Peer connected", "id", ev.Peer.TerminalString(), "addr", ev.RemoteAddress, "peers", srv.PeerCount())
			case p2p.PeerEventTypeDrop:
				log.Info("Peer disconnected", "id", ev.Peer.TerminalString(), "reason", ev.Error, "peers", srv.PeerCount())
			}
		case <-ctx.Done():
			log.Info("Stopping", "stats", fmt.Sprintf("%+v", srv.Stats()))
			return nil
		}
	}
}
