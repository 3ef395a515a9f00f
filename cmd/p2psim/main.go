// Command p2psim runs a simulated network of this library's nodes in one
// process and reports how it went.
//
//	p2psim -nodes 200 -latency 30ms -loss 0.02 -maxpeers 12
//	p2psim -nodes 300 -protocol gossip -size 1MiB -churn 10% -duration 5m
//	p2psim -scenario split.scenario
//	p2psim -nodes 30 -netns 3          # across network namespaces (root)
//
// The nodes run on the in-memory network of package memnet, whose links
// have the latency, jitter, loss and bandwidth of the flags, or with
// -netns N on N Linux network namespaces joined by veth links through a
// bridge, shaped by tc (package sim/netns). Each node gets three
// bootnodes among the first nodes.
//
// Without -scenario, p2psim starts the nodes, waits until the network has
// converged (one component, every node at least -min-peers peers) or
// -timeout passes; with -protocol gossip (the default) it then gossips
// -messages messages of -size bytes from random nodes and waits for each
// to reach every node; with -churn it then replaces that share of the
// nodes a minute for -duration. Without -churn, -duration keeps the
// network running that long from the start instead of waiting for
// convergence. With -scenario FILE it runs the file's steps instead (see
// sim.Scenario for the format); the file's settings are defaults for the
// flags. A progress line goes to stderr about once a second, and one JSON
// line of results to stdout at the end.
//
// Exit status: 0 when the run did what it was asked (converged, every
// message reached every node, the churned network stayed one component,
// every scenario step passed; or -duration without -churn was run to its
// end); 1 when it did not or was interrupted; 2 for a bad command line.
// Ctrl-C stops the run early and still prints the results.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/seednet/p2p/dashboard"
	"github.com/seednet/p2p/memnet"
	"github.com/seednet/p2p/sim"
	"github.com/seednet/p2p/sim/netns"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// options are the command line, parsed.
type options struct {
	nodes     int
	link      memnet.Link
	maxPeers  int
	minPeers  int
	duration  time.Duration
	timeout   time.Duration
	seed      uint64
	httpAddr  string
	cpuProf   string
	join      time.Duration
	discovery string
	protocol  string
	size      int
	messages  int
	churn     float64
	scenario  *sim.Scenario
	netns     int
	progress  time.Duration // how often to print progress
	pollEvery time.Duration // how often to take a snapshot
}

// result is the JSON line printed at the end.
type result struct {
	Nodes           int     `json:"nodes"`
	Converged       bool    `json:"converged"`
	TimeToConverge  int64   `json:"time_to_converge_ms"` // -1 if it never did
	Components      int     `json:"components"`
	MinPeers        int     `json:"min_peers"`
	MedianPeers     int     `json:"median_peers"`
	MaxPeers        int     `json:"max_peers"`
	Edges           int     `json:"edges"`
	PacketsSent     uint64  `json:"packets_sent"`
	PacketsDeliv    uint64  `json:"packets_delivered"`
	PacketsLost     uint64  `json:"packets_lost"`
	PacketsDropped  uint64  `json:"packets_dropped"`
	StreamBytes     uint64  `json:"stream_bytes"`
	HeapPerNode     uint64  `json:"heap_bytes_per_node"`
	GoroutinesPer   float64 `json:"goroutines_per_node"`
	CPUPerNodeMs    float64 `json:"cpu_ms_per_node,omitempty"`
	ElapsedMs       int64   `json:"elapsed_ms"`
	Interrupted     bool    `json:"interrupted,omitempty"`
	MinPeersWanted  int     `json:"min_peers_wanted"`
	StopError       string  `json:"stop_error,omitempty"`
	DurationRequest int64   `json:"duration_ms,omitempty"`
	Protocol        string  `json:"protocol"`
	// Messages published by gossip, and node-message pairs delivered
	// and lost (a node alive at the end that never got a message).
	Messages     int          `json:"messages_published"`
	MsgDelivered int          `json:"messages_delivered"`
	MsgLost      int          `json:"messages_lost"`
	Gossip       []gossipJSON `json:"gossip,omitempty"`
	Churn        *churnJSON   `json:"churn,omitempty"`
	Scenario     string       `json:"scenario_error,omitempty"`
	NetnsShaping string       `json:"netns_shaping,omitempty"`
}

// gossipJSON is a sim.GossipResult with its times in milliseconds.
type gossipJSON struct {
	Size       int     `json:"size"`
	Origin     int     `json:"origin"`
	Delivered  int     `json:"delivered"`
	Missing    int     `json:"missing"`
	Duplicates int     `json:"duplicates"`
	P50        float64 `json:"p50_ms"`
	P90        float64 `json:"p90_ms"`
	P99        float64 `json:"p99_ms"`
	Max        float64 `json:"max_ms"`
}

func ms(d time.Duration) float64 { return round2(float64(d.Microseconds()) / 1000) }

func gossipSummary(r sim.GossipResult) gossipJSON {
	return gossipJSON{Size: r.Size, Origin: r.Origin, Delivered: r.Delivered, Missing: r.Missing,
		Duplicates: r.Duplicates, P50: ms(r.P50), P90: ms(r.P90), P99: ms(r.P99), Max: ms(r.Max)}
}

// churnJSON is a sim.ChurnResult with its duration in milliseconds.
type churnJSON struct {
	Rate          float64 `json:"rate_per_minute"`
	Replaced      int     `json:"replaced"`
	DurationMs    int64   `json:"duration_ms"`
	Checks        int     `json:"checks"`
	OneComponent  int     `json:"one_component"`
	MaxComponents int     `json:"max_components"`
	MinPeers      int     `json:"min_peers"`
}

const usageText = `usage: p2psim [flags]

p2psim runs N nodes of this library in one process on an in-memory network
with shaped links (or, with -netns, across network namespaces), waits until
they converge (one component, every node at least -min-peers peers), gossips
-messages messages, churns the network with -churn for -duration, or runs
the steps of a -scenario file, and prints one JSON line of results to
stdout. Progress goes to stderr about once a second.

Exit status: 0 the run did what it was asked, 1 it did not (or was
interrupted), 2 bad command line.

flags:
`

// parseFlags parses args. Its errors name the flag at fault.
func parseFlags(args []string, stderr io.Writer) (*options, error) {
	fs := flag.NewFlagSet("p2psim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usageText)
		fs.PrintDefaults()
	}
	o := &options{progress: time.Second, pollEvery: 100 * time.Millisecond}
	fs.IntVar(&o.nodes, "nodes", 50, "number of nodes")
	fs.DurationVar(&o.link.Latency, "latency", 20*time.Millisecond, "one-way latency of every link")
	fs.DurationVar(&o.link.Jitter, "jitter", 5*time.Millisecond, "random extra delay per packet, uniform in [0, jitter)")
	fs.Float64Var(&o.link.Loss, "loss", 0.01, "probability that a datagram is lost, 0 to 1 (streams are reliable)")
	fs.Int64Var(&o.link.Bandwidth, "bandwidth", 0, "bytes per second of each link direction, 0 = unlimited")
	fs.IntVar(&o.maxPeers, "maxpeers", 10, "each node's MaxPeers")
	fs.IntVar(&o.minPeers, "min-peers", -1, "peers every node needs for convergence (default maxpeers/2)")
	fs.DurationVar(&o.duration, "duration", 0, "run this long and then report (default: until converged or -timeout)")
	fs.DurationVar(&o.timeout, "timeout", 2*time.Minute, "give up waiting for convergence after this long (ignored with -duration)")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the network's jitter and loss")
	fs.StringVar(&o.protocol, "protocol", "gossip", "protocol the nodes run: gossip (announce and fetch, see sim.Gossip) or none")
	size := fs.String("size", "1MiB", "size of each gossiped message: bytes, or with KiB or MiB")
	fs.IntVar(&o.messages, "messages", 1, "messages to gossip after convergence, one after the other from random nodes")
	churn := fs.String("churn", "", "after convergence, replace this share of the nodes a minute (10% or 0.1) for -duration")
	scenario := fs.String("scenario", "", "run the steps of this scenario file (see sim.Scenario); its settings are defaults for the flags")
	fs.IntVar(&o.netns, "netns", 0, "run across this many Linux network namespaces, shaped by tc, instead of the in-memory network (needs root)")
	fs.DurationVar(&o.join, "join", 0, "start the nodes this far apart (0: all at once)")
	fs.StringVar(&o.discovery, "discovery", "v4,v5", "discovery versions the nodes run: v4, v5, v4,v5 or none")
	fs.StringVar(&o.cpuProf, "cpuprofile", "", "write a CPU profile of the run to this file (for go tool pprof)")
	fs.StringVar(&o.httpAddr, "http", "", "serve the live dashboard of the network at this address, such as 127.0.0.1:8080")
	if err := fs.Parse(args); err != nil {
		return nil, err // the flag package names the flag; -h gives flag.ErrHelp
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (p2psim takes only flags)", fs.Arg(0))
	}
	var err error
	if o.size, err = sim.ParseSize(*size); err != nil {
		return nil, fmt.Errorf("-size: %w", err)
	}
	if *churn != "" {
		if o.churn, err = sim.ParseRate(*churn); err != nil {
			return nil, fmt.Errorf("-churn: %w", err)
		}
	}
	if *scenario != "" {
		if o.scenario, err = readScenario(*scenario, fs); err != nil {
			return nil, fmt.Errorf("-scenario: %w", err)
		}
	}
	switch {
	case o.nodes < 1:
		return nil, fmt.Errorf("-nodes must be at least 1, not %d", o.nodes)
	case o.link.Latency < 0:
		return nil, fmt.Errorf("-latency must not be negative, not %v", o.link.Latency)
	case o.link.Jitter < 0:
		return nil, fmt.Errorf("-jitter must not be negative, not %v", o.link.Jitter)
	case o.link.Loss < 0 || o.link.Loss > 1 || o.link.Loss != o.link.Loss:
		return nil, fmt.Errorf("-loss must be between 0 and 1, not %v", o.link.Loss)
	case o.link.Bandwidth < 0:
		return nil, fmt.Errorf("-bandwidth must not be negative, not %d", o.link.Bandwidth)
	case o.maxPeers < 1:
		return nil, fmt.Errorf("-maxpeers must be at least 1, not %d", o.maxPeers)
	case o.join < 0:
		return nil, fmt.Errorf("-join must not be negative, not %v", o.join)
	case o.discovery != "v4" && o.discovery != "v5" && o.discovery != "v4,v5" && o.discovery != "v5,v4" && o.discovery != "none":
		return nil, fmt.Errorf("-discovery %q: want v4, v5, v4,v5 or none", o.discovery)
	case o.duration < 0:
		return nil, fmt.Errorf("-duration must not be negative, not %v", o.duration)
	case o.protocol != "gossip" && o.protocol != "none":
		return nil, fmt.Errorf("-protocol %q: want gossip or none", o.protocol)
	case o.messages < 0:
		return nil, fmt.Errorf("-messages must not be negative, not %d", o.messages)
	case o.churn > 0 && o.duration == 0:
		return nil, errors.New("-churn needs -duration: how long to churn")
	case o.netns < 0:
		return nil, fmt.Errorf("-netns must not be negative, not %d", o.netns)
	case o.timeout <= 0:
		return nil, fmt.Errorf("-timeout must be positive, not %v", o.timeout)
	}
	if o.minPeers == -1 {
		o.minPeers = o.maxPeers / 2
	}
	switch {
	case o.minPeers < 0:
		return nil, fmt.Errorf("-min-peers must not be negative, not %d", o.minPeers)
	case o.minPeers > o.maxPeers:
		return nil, fmt.Errorf("-min-peers %d is more than -maxpeers %d", o.minPeers, o.maxPeers)
	case o.scenario == nil && o.nodes > 1 && o.minPeers > o.nodes-1:
		return nil, fmt.Errorf("-min-peers %d is more than a node of -nodes %d can have (%d)", o.minPeers, o.nodes, o.nodes-1)
	}
	return o, nil
}

// readScenario parses the scenario file at path and applies its settings
// to the flags the command line did not set.
func readScenario(path string, fs *flag.FlagSet) (*sim.Scenario, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc, err := sim.ParseScenario(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	sc.Dir = filepath.Dir(path)
	given := make(map[string]bool)
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for name := range sc.Settings.Set {
		flagName := name
		if _, ok := given[flagName]; ok || fs.Lookup(flagName) == nil {
			continue
		}
		var v string
		switch name {
		case "nodes":
			v = fmt.Sprint(sc.Settings.Nodes)
		case "latency":
			v = sc.Settings.Latency.String()
		case "jitter":
			v = sc.Settings.Jitter.String()
		case "loss":
			v = fmt.Sprint(sc.Settings.Loss)
		case "bandwidth":
			v = fmt.Sprint(sc.Settings.Bandwidth)
		case "maxpeers":
			v = fmt.Sprint(sc.Settings.MaxPeers)
		case "seed":
			v = fmt.Sprint(sc.Settings.Seed)
		default:
			continue
		}
		if err := fs.Set(flagName, v); err != nil {
			return nil, fmt.Errorf("%s: set %s: %w", path, name, err)
		}
	}
	return sc, nil
}

// run is the program, with its arguments and outputs given; it returns the
// exit status. SIGINT and SIGTERM end the run early.
func run(args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "p2psim:", err)
		fmt.Fprintln(stderr, "run 'p2psim -h' for its usage")
		return 2
	}
	if o.cpuProf != "" {
		f, err := os.Create(o.cpuProf)
		if err != nil {
			fmt.Fprintln(stderr, "p2psim: -cpuprofile:", err)
			return 2
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(stderr, "p2psim: -cpuprofile:", err)
			return 2
		}
		defer pprof.StopCPUProfile()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return simulate(ctx, o, stdout, stderr)
}

// simulate runs the simulation of o and prints the results.
func simulate(ctx context.Context, o *options, stdout, stderr io.Writer) int {
	stderr = &lockedWriter{w: stderr} // the progress line comes from another goroutine
	baseGoroutines := runtime.NumGoroutine()
	cpuStart := cpuTime()
	start := time.Now()
	res := result{TimeToConverge: -1, MinPeersWanted: o.minPeers, DurationRequest: o.duration.Milliseconds(), Protocol: o.protocol}
	cfg := sim.Config{
		Nodes:         o.nodes,
		Seed:          o.seed,
		Link:          o.link,
		MaxPeers:      o.maxPeers,
		JoinInterval:  o.join,
		NoDiscoveryV4: !strings.Contains(o.discovery, "v4"),
		NoDiscoveryV5: !strings.Contains(o.discovery, "v5"),
	}
	if o.netns > 0 {
		if err := netns.Available(); err != nil {
			fmt.Fprintln(stderr, "p2psim: -netns:", err)
			return 1
		}
		lab, err := netns.New(netns.Config{Hosts: o.netns, Link: netns.Link{
			Latency: o.link.Latency, Jitter: o.link.Jitter, Loss: o.link.Loss, Rate: o.link.Bandwidth}})
		if err != nil {
			fmt.Fprintln(stderr, "p2psim: -netns:", err)
			return 1
		}
		defer lab.Close() // after the nodes stop (deferred below)
		res.NetnsShaping = lab.Shaping().String()
		fmt.Fprintf(stderr, "%d network namespaces: %s\n", o.netns, res.NetnsShaping)
		cfg.Place = lab.Place
	}
	var g *sim.Gossip
	if o.protocol == "gossip" {
		g = sim.NewGossip(sim.GossipConfig{})
		cfg.Protocols = g.Protocols
	}
	s, err := sim.New(cfg)
	if err != nil {
		fmt.Fprintln(stderr, "p2psim: starting the simulation:", err)
		return 1
	}
	defer s.Stop()

	var closeHTTP func()
	if o.httpAddr != "" {
		closeHTTP, err = serveDashboard(s, o.httpAddr, stderr)
		if err != nil {
			s.Stop()
			fmt.Fprintf(stderr, "p2psim: -http %s: %v\n", o.httpAddr, err)
			return 1
		}
	}
	stopProgress := progress(s, start, o.progress, stderr)

	ok := false
	if o.scenario != nil {
		o.scenario.Gossip = g
		err := o.scenario.Run(ctx, s, stderr)
		if err != nil {
			res.Scenario = err.Error()
			fmt.Fprintln(stderr, "p2psim:", err)
		}
		ok = err == nil
		for _, r := range o.scenario.GossipResults {
			res.addGossip(r)
		}
		for _, r := range o.scenario.ChurnResults {
			res.Churn = churnSummary(r, 0)
		}
	} else {
		ok = converge(ctx, s, o, start, &res, stderr)
		if ok && g != nil && o.messages > 0 {
			ok = gossip(ctx, s, g, o, &res, stderr)
		}
		if ok && o.churn > 0 {
			cctx, cancel := context.WithTimeout(ctx, o.duration)
			cres, err := s.Churn(cctx, sim.ChurnConfig{Rate: o.churn, Keep: 1})
			cancel()
			fmt.Fprintln(stderr, cres)
			res.Churn = churnSummary(cres, o.churn)
			ok = err == nil && ctx.Err() == nil && cres.MaxComponents <= 1
		}
	}
	res.Interrupted = ctx.Err() != nil
	stopProgress()

	snap := s.Snapshot()
	res.Nodes = len(snap.Nodes)
	res.Components = len(snap.Components())
	res.Edges = len(snap.Edges)
	res.ElapsedMs = time.Since(start).Milliseconds()
	res.MinPeers, res.MedianPeers, res.MaxPeers = snap.PeerCounts()
	if o.scenario != nil {
		// A scenario has its own waits; say whether it ended converged.
		res.Converged = sim.Converged(o.minPeers)(snap)
	}
	if nw := s.Network(); nw != nil {
		st := nw.Stats()
		res.PacketsSent, res.PacketsDeliv = st.PacketsSent, st.PacketsDelivered
		res.PacketsLost, res.PacketsDropped = st.PacketsLost, st.PacketsDropped
		res.StreamBytes = st.StreamBytes
	}
	// Memory and goroutines while the nodes still run, after a collection
	// so that the heap is what is live. The figures include this
	// process's own small overhead, divided among the nodes.
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if n := uint64(res.Nodes); n > 0 {
		res.HeapPerNode = ms.HeapAlloc / n
		res.GoroutinesPer = round2(float64(runtime.NumGoroutine()-baseGoroutines) / float64(n))
		if cpu := cpuTime() - cpuStart; cpu > 0 {
			res.CPUPerNodeMs = round2(float64(cpu.Microseconds()) / 1000 / float64(n))
		}
	}

	if closeHTTP != nil {
		closeHTTP()
	}
	if err := s.Stop(); err != nil {
		res.StopError = err.Error()
	}
	line, err := json.Marshal(res)
	if err != nil {
		fmt.Fprintln(stderr, "p2psim:", err)
		return 1
	}
	fmt.Fprintf(stdout, "%s\n", line)
	if ok && !res.Interrupted {
		return 0
	}
	return 1
}

// converge waits until the network converges, or -timeout passes; with
// -duration and no -churn it keeps the network running for -duration
// from the start instead. It reports whether the run may go on.
func converge(ctx context.Context, s *sim.Sim, o *options, start time.Time, res *result, stderr io.Writer) bool {
	limit := o.timeout
	if o.duration > 0 && o.churn == 0 {
		limit = o.duration
	}
	deadline := time.NewTimer(limit - time.Since(start))
	defer deadline.Stop()
	poll := time.NewTicker(o.pollEvery)
	defer poll.Stop()
	converged := sim.Converged(o.minPeers)
	for {
		snap := s.Snapshot()
		if res.TimeToConverge < 0 && converged(snap) {
			res.Converged = true
			res.TimeToConverge = time.Since(start).Milliseconds()
			fmt.Fprintf(stderr, "converged after %v\n", time.Since(start).Round(time.Millisecond))
			if o.duration == 0 || o.churn > 0 {
				return true
			}
		}
		select {
		case <-ctx.Done():
			fmt.Fprintln(stderr, "interrupted")
			return false
		case <-deadline.C:
			if o.duration > 0 && o.churn == 0 {
				return true // ran for -duration, as asked
			}
			fmt.Fprintf(stderr, "not converged within -timeout %v: %v\n", o.timeout, snap)
			return false
		case <-poll.C:
		}
	}
}

// gossip publishes -messages messages from random nodes, one after the
// other, each waited for until every node has it (a minute at most). It
// reports whether every message reached every node.
func gossip(ctx context.Context, s *sim.Sim, g *sim.Gossip, o *options, res *result, stderr io.Writer) bool {
	rng := rand.New(rand.NewPCG(o.seed, 0x60551))
	ok := true
	for m := range o.messages {
		nodes := s.Nodes()
		from := nodes[rng.IntN(len(nodes))].Index
		data := make([]byte, o.size)
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		id, err := g.Publish(from, data)
		if err != nil {
			fmt.Fprintln(stderr, "p2psim: gossip:", err)
			return false
		}
		wctx, cancel := context.WithTimeout(ctx, time.Minute)
		r, err := g.Wait(wctx, s, id)
		cancel()
		g.Forget(id)
		fmt.Fprintf(stderr, "message %d: %v\n", m+1, r)
		res.addGossip(r)
		if err != nil {
			ok = false
			if ctx.Err() != nil {
				return false
			}
		}
	}
	return ok
}

func (res *result) addGossip(r sim.GossipResult) {
	res.Messages++
	res.MsgDelivered += r.Delivered
	res.MsgLost += r.Missing
	res.Gossip = append(res.Gossip, gossipSummary(r))
}

func churnSummary(r sim.ChurnResult, rate float64) *churnJSON {
	return &churnJSON{Rate: rate, Replaced: r.Replaced, DurationMs: r.Duration.Milliseconds(), Checks: r.Checks,
		OneComponent: r.OneComponent, MaxComponents: r.MaxComponents, MinPeers: r.MinPeers}
}

// progress prints a line about the network to w every interval until the
// returned function is called.
func progress(s *sim.Sim, start time.Time, every time.Duration, w io.Writer) func() {
	done := make(chan struct{})
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				printProgress(w, time.Since(start), s.Snapshot())
			}
		}
	}()
	return func() { close(done); <-ended }
}

func printProgress(w io.Writer, elapsed time.Duration, snap *sim.Snapshot) {
	lo, med, hi := snap.PeerCounts()
	fmt.Fprintf(w, "%6.1fs  nodes=%d components=%d peers min/median/max=%d/%d/%d edges=%d\n",
		elapsed.Seconds(), len(snap.Nodes), len(snap.Components()), lo, med, hi, len(snap.Edges))
}

func round2(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }

// simSource is what the dashboard watches: node 0, as the node of the
// page, and the whole simulated network as its graph. *sim.Sim alone is a
// dashboard.GraphSource but not a dashboard.Source (it is not one node).
type simSource struct {
	*dashboard.Network // node 0
	sim                *sim.Sim
}

// Graph returns the whole simulated network.
func (s *simSource) Graph() dashboard.Graph { return s.sim.Graph() }

// serveDashboard serves the dashboard of s at addr until the returned
// function is called.
func serveDashboard(s *sim.Sim, addr string, stderr io.Writer) (func(), error) {
	n0 := s.Node(0)
	if n0 == nil {
		return nil, errors.New("no node to show")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	d := dashboard.New(&simSource{Network: dashboard.NewNetwork(n0.Server), sim: s},
		dashboard.Config{Title: "p2psim"})
	hs := &http.Server{Handler: d, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		hs.Serve(ln)
	}()
	fmt.Fprintf(stderr, "dashboard at http://%s/\n", ln.Addr())
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		d.Close() // ends the event streams, which Shutdown would wait for
		hs.Shutdown(ctx)
		hs.Close()
		<-done
	}, nil
}

// lockedWriter serialises writes to w.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}
