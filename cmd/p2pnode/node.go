package main

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/seednet/p2p"
	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/dnsdisc"
	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/metrics"
	"github.com/seednet/p2p/nat"
	"github.com/seednet/p2p/netutil"
)

const runDoc = `The node connects to peers found by discovery (v4 and v5 on one UDP port,
the TCP port of -listen), -static nodes and -dns lists, up to -maxpeers. At
start it prints its node ID, enode URL and node record on standard output;
other nodes use either as a bootnode or static node. It logs a status line
every -status.interval (peers in/out, dials that made a peer or failed,
traffic in/out). Ctrl-C (SIGINT) or SIGTERM stops it: it disconnects its
peers, removes its port mappings and logs what it did; a second Ctrl-C
ends it at once.

The settings come from the flags and from a TOML file given with -config,
whose keys are the flag names (log.level is "level" in the table [log]);
a flag given with -config wins over the file; paths in the file are
relative to the working directory, as on the command line. 'p2pnode
dumpconfig' with the same flags prints the configuration that results.

With -http ADDRESS the node serves on one HTTP server its admin API
(JSON-RPC 2.0 as POST to /: geth's admin_nodeInfo, admin_peers,
admin_addPeer, ... and p2p_stats, p2p_diagnose), a live dashboard (GET /)
and Prometheus metrics (GET /metrics). ADDRESS without a host is on
127.0.0.1; any address but loopback needs -http.token FILE, whose token
every request must carry (Authorization: Bearer TOKEN; a browser asks for
it as the password). The admin API is on a Unix socket too (-ipc, on by
default), where subscriptions work: 'p2pnode admin', 'attach' and
'diagnose' talk to the node there.

Names as in geth: -nodekey, -maxpeers, -bootnodes, -nat, -nodiscover,
-netrestrict; geth's --discovery.v4/--discovery.v5 are -discovery.v4 and
-discovery.v5 (both on by default; turn one off with -discovery.v5=false);
geth's --discovery.dns is -dns; -listen takes an address where geth's
--port takes a port.`

func runCommand() *command {
	return &command{
		name:    "run",
		summary: "run a node (the default command)",
		doc:     runDoc,
		maxArgs: 0,
		setup: func(fs *flag.FlagSet) runFunc {
			cf := defineConfigFlags(fs)
			return func(ctx context.Context, e *env, _ []string) error {
				cfg, o, err := cf.load()
				if err != nil {
					return err
				}
				return runNode(ctx, e, &cfg, o)
			}
		},
	}
}

func dumpconfigCommand() *command {
	return &command{
		name:    "dumpconfig",
		summary: "print the node's configuration, from the flags and -config file, as TOML",
		doc: `Takes the flags of 'p2pnode run' and prints the configuration they give,
a config file for 'p2pnode run -config FILE' that gives the same. The
settings are checked as run checks them; the node key file is not read
or created.`,
		maxArgs: 0,
		setup: func(fs *flag.FlagSet) runFunc {
			cf := defineConfigFlags(fs)
			return func(_ context.Context, e *env, _ []string) error {
				cfg, o, err := cf.load()
				if err != nil {
					return err
				}
				if _, err := newServerConfig(&cfg, o); err != nil {
					return err
				}
				return writeConfig(e.stdout, &cfg)
			}
		},
	}
}

// serverConfig is a checked configuration, turned into the library's
// values.
type serverConfig struct {
	srv      *p2p.Server // without PrivateKey and Logger
	logLevel slog.Level
	api      apiConfig
}

// newServerConfig checks cfg and builds the server it describes. Errors
// name the flag or config key the value came from.
func newServerConfig(cfg *nodeConfig, o *origins) (*serverConfig, error) {
	sc := &serverConfig{srv: &p2p.Server{
		Name:         cfg.Name,
		MaxPeers:     cfg.MaxPeers,
		ListenAddr:   cfg.Listen,
		NodeDatabase: cfg.NodeDB,
		NoDiscovery:  cfg.NoDiscover || (!cfg.DiscoveryV4 && !cfg.DiscoveryV5),
	}}
	srv := sc.srv
	srv.NoDiscoveryV4 = !cfg.DiscoveryV4
	srv.NoDiscoveryV5 = !cfg.DiscoveryV5
	if cfg.MaxPeers <= 0 {
		return nil, o.errorf("maxpeers", "must be positive, is %d", cfg.MaxPeers)
	}
	if cfg.Listen != "" {
		if _, _, err := net.SplitHostPort(cfg.Listen); err != nil {
			return nil, o.errorf("listen", "%q: want HOST:PORT, such as :30303 or 127.0.0.1:30303", cfg.Listen)
		}
	}
	var err error
	lists := []struct {
		key string
		dst *[]*enode.Node
		src []string
	}{
		{"bootnodes", &srv.BootstrapNodes, cfg.Bootnodes},
		{"bootnodesv5", &srv.BootstrapNodesV5, cfg.BootnodesV5},
		{"static", &srv.StaticNodes, cfg.Static},
		{"trusted", &srv.TrustedNodes, cfg.Trusted},
	}
	for _, l := range lists {
		if *l.dst, err = parseNodeList(l.src); err != nil {
			return nil, o.errorf(l.key, ": %w", err)
		}
	}
	if len(cfg.NetRestrict) > 0 {
		if srv.NetRestrict, err = netutil.ParseNetlist(strings.Join(cfg.NetRestrict, ",")); err != nil {
			return nil, o.errorf("netrestrict", ": %s", strings.TrimPrefix(err.Error(), "netutil: "))
		}
	}
	if srv.NAT, err = nat.Parse(cfg.NAT); err != nil {
		return nil, o.errorf("nat", ": %s (want none, any, upnp, pmp, pmp:GATEWAY-IP, stun, stun:HOST:PORT or extip:IP)", strings.TrimPrefix(err.Error(), "nat: "))
	}
	for _, u := range cfg.DNS {
		if _, _, err := dnsdisc.ParseURL(u); err != nil {
			return nil, o.errorf("dns", ": %q: %w", u, err)
		}
	}
	srv.DNSDiscoveryURLs = cfg.DNS
	if cfg.Resolver != "" {
		r, err := dnsResolver(cfg.Resolver)
		if err != nil {
			return nil, o.errorf("resolver", "%q: want HOST:PORT, such as 127.0.0.1:53", cfg.Resolver)
		}
		srv.Resolver = r
	}
	if err := sc.logLevel.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		return nil, o.errorf("log.level", "%q: want debug, info, warn or error", cfg.LogLevel)
	}
	if cfg.LogFormat != "text" && cfg.LogFormat != "json" {
		return nil, o.errorf("log.format", "%q: want text or json", cfg.LogFormat)
	}
	if cfg.StatusInterval <= 0 {
		return nil, o.errorf("status.interval", "must be positive, is %v", cfg.StatusInterval)
	}
	if sc.api, err = newAPIConfig(cfg, o); err != nil {
		return nil, err
	}
	return sc, nil
}

// parseNodeList parses enode:// URLs and enr: records.
func parseNodeList(list []string) ([]*enode.Node, error) {
	var nodes []*enode.Node
	for i, s := range list {
		n, err := enode.Parse(enode.ValidSchemes, s)
		if err != nil {
			return nil, fmt.Errorf("entry %d (%s): %w", i+1, abbrev(s), err)
		}
		nodes = append(nodes, n)
	}
	return nodes, nil
}

// abbrev shortens a long node text for an error message.
func abbrev(s string) string {
	if len(s) > 40 {
		return fmt.Sprintf("%q...", s[:36])
	}
	return fmt.Sprintf("%q", s)
}

// newLogger returns the logger of the node.
func newLogger(w io.Writer, format string, level slog.Level) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// loadOrCreateKey returns the node key in file, creating the file with a
// new key if it does not exist, or a new key for this run if file is "".
// note says which.
func loadOrCreateKey(file string, o *origins) (key *ecdsa.PrivateKey, note string, err error) {
	if file == "" {
		key, err = crypto.GenerateKey()
		return key, "no -nodekey given: a new node identity for this run only", err
	}
	key, err = crypto.LoadECDSA(file)
	switch {
	case err == nil:
		return key, "", nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, "", o.errorf("nodekey", ": %w", err)
	}
	if key, err = crypto.GenerateKey(); err != nil {
		return nil, "", err
	}
	if err := crypto.SaveECDSA(file, key); err != nil {
		return nil, "", o.errorf("nodekey", ": cannot create the key file: %w", err)
	}
	return key, fmt.Sprintf("wrote a new node key to %s (keep it: it is the node's identity)", file), nil
}

// startError says which setting an error of Server.Start is about: a
// p2p.ConfigError names the Server field, which maps to the flag or config
// key the user wrote.
func startError(err error, o *origins) error {
	var ce *p2p.ConfigError
	if !errors.As(err, &ce) {
		return fmt.Errorf("cannot start the node: %s", strings.TrimPrefix(err.Error(), "p2p: "))
	}
	field, _, _ := strings.Cut(ce.Field, "[")
	key, ok := map[string]string{
		"ListenAddr":       "listen",
		"NodeDatabase":     "nodedb",
		"MaxPeers":         "maxpeers",
		"DNSDiscoveryURLs": "dns",
		"NetRestrict":      "netrestrict",
		"BootstrapNodes":   "bootnodes",
		"BootstrapNodesV5": "bootnodesv5",
		"StaticNodes":      "static",
		"TrustedNodes":     "trusted",
		"NAT":              "nat",
		"PrivateKey":       "nodekey",
	}[field]
	msg := strings.TrimPrefix(ce.Error(), "p2p: ")
	if ok {
		msg = strings.ReplaceAll(msg, "Server."+field, o.name(key))
	}
	return fmt.Errorf("cannot start the node: %s", msg)
}

// interruptible returns a context that is cancelled on SIGINT or SIGTERM,
// and restores their default action once it is: a second Ctrl-C ends the
// program at once.
func interruptible(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	return ctx, stop
}

// runNode runs the node until ctx is done or a signal arrives.
func runNode(ctx context.Context, e *env, cfg *nodeConfig, o *origins) error {
	sc, err := newServerConfig(cfg, o)
	if err != nil {
		return err
	}
	log := newLogger(e.stderr, cfg.LogFormat, sc.logLevel)
	key, note, err := loadOrCreateKey(cfg.NodeKey, o)
	if err != nil {
		return err
	}
	if note != "" {
		log.Info(note)
	}
	srv := sc.srv
	srv.PrivateKey = key
	srv.Logger = log
	var reg *metrics.Registry
	if sc.api.httpAddr != "" {
		reg = metrics.NewRegistry()
		srv.Metrics = reg
	}
	api, err := openAPI(&sc.api, o, log)
	if err != nil {
		return err
	}
	ctx, stopSignals := interruptible(ctx)
	defer stopSignals()
	if err := srv.Start(); err != nil {
		api.close()
		return startError(err, o)
	}
	started := time.Now()
	self := srv.Self()
	fmt.Fprintln(e.stdout, "node ID:     ", self.ID())
	fmt.Fprintln(e.stdout, "enode URL:   ", self.URLv4())
	fmt.Fprintln(e.stdout, "node record: ", self.String())
	api.serve(srv, reg, e)
	attrs := []any{"listen", srv.ListenAddr, "discovery", discoveryVersions(srv), "bootnodes", len(srv.BootstrapNodes)}
	if srv.BootstrapNodesV5 != nil {
		attrs = append(attrs, "bootnodesv5", len(srv.BootstrapNodesV5))
	}
	attrs = append(attrs, "static", len(srv.StaticNodes), "dns", len(srv.DNSDiscoveryURLs), "nat", natName(srv.NAT), "maxpeers", srv.MaxPeers)
	log.Info("Node running", attrs...)

	events := make(chan *p2p.PeerEvent, 64)
	sub := srv.SubscribeEvents(events)
	status := time.NewTicker(cfg.StatusInterval)
	defer status.Stop()
	seq := self.Seq()
	for {
		select {
		case ev := <-events:
			switch ev.Type {
			case p2p.PeerEventTypeAdd:
				log.Debug("Peer connected", "id", ev.Peer.TerminalString(), "addr", ev.RemoteAddress, "peers", srv.PeerCount())
			case p2p.PeerEventTypeDrop:
				log.Debug("Peer disconnected", "id", ev.Peer.TerminalString(), "reason", ev.Error, "peers", srv.PeerCount())
			}
		case <-status.C:
			logStatus(log, srv)
			if n := srv.Self(); n.Seq() != seq {
				seq = n.Seq()
				log.Info("Node record changed", "seq", seq, "enode", n.URLv4(), "record", n.String())
			}
		case <-ctx.Done():
			sub.Unsubscribe()
			log.Info("Stopping", "reason", context.Cause(ctx), "peers", srv.PeerCount())
			api.close()
			return stopNode(log, srv, started)
		}
	}
}

// stopNode stops srv and logs what that did and the final counts.
func stopNode(log *slog.Logger, srv *p2p.Server, started time.Time) error {
	peers := srv.PeerCount()
	mappings := 0
	if info := srv.NodeInfo(); info != nil && info.NAT != nil {
		for _, m := range info.NAT.Mappings {
			if m.External != 0 {
				mappings++
			}
		}
	}
	err := srv.Stop()
	st := srv.Stats()
	ok, failed := dialCounts(st)
	args := []any{"peersDisconnected", peers}
	if srv.NAT != nil {
		args = append(args, "natMappingsRemoved", mappings)
	}
	args = append(args, "uptime", time.Since(started).Round(time.Second),
		"peersAdded", st.PeersAdded, "peersDropped", st.PeersDropped,
		"inbound", st.InboundAccepted, "dials", st.DialAttempts, "dialsOK", ok, "dialsFailed", failed,
		"trafficIn", byteCount(st.BytesReceived), "trafficOut", byteCount(st.BytesSent))
	if err != nil {
		log.Error("Stopped, with errors", append(args, "err", err)...)
		return err
	}
	log.Info("Stopped", args...)
	return nil
}

// logStatus logs the status line.
func logStatus(log *slog.Logger, srv *p2p.Server) {
	in, out := 0, 0
	for _, p := range srv.Peers() {
		if p.Inbound() {
			in++
		} else {
			out++
		}
	}
	st := srv.Stats()
	ok, failed := dialCounts(st)
	log.Info("Status", "peers", in+out, "in", in, "out", out, "dialsOK", ok, "dialsFailed", failed,
		"discovered", len(srv.DiscoveryNodes()),
		"trafficIn", byteCount(st.BytesReceived), "trafficOut", byteCount(st.BytesSent))
}

// dialCounts returns the dials that made a peer and those that did not.
func dialCounts(st p2p.Stats) (ok, failed uint64) {
	for outcome, n := range st.DialOutcomes {
		if outcome == "peer" {
			ok += n
		} else {
			failed += n
		}
	}
	return ok, failed
}

// byteCount formats a number of bytes: "812 B", "1.4 KiB", "3.0 MiB".
func byteCount(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := uint64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

func discoveryVersions(srv *p2p.Server) string {
	switch {
	case srv.NoDiscovery || (srv.NoDiscoveryV4 && srv.NoDiscoveryV5):
		return "off"
	case srv.NoDiscoveryV4:
		return "v5"
	case srv.NoDiscoveryV5:
		return "v4"
	}
	return "v4+v5"
}

func natName(n nat.Interface) string {
	if n == nil {
		return "none"
	}
	return n.String()
}
