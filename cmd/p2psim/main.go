// Command p2psim runs a simulated network of this library's nodes in one
// process, on the in-memory network of package memnet, and reports how it
// went.
//
//	p2psim -nodes 200 -latency 30ms -loss 0.02 -maxpeers 12
//
// It starts the nodes (node 0 is everyone's bootnode), prints a progress
// line to stderr about once a second, and waits until the network has
// converged (one component, every node at least -min-peers peers), or for
// -duration when it is given, or until -timeout. It then prints one JSON
// line of results to stdout.
//
// Exit status: 0 when the network converged, or when -duration was given
// and the run lasted it; 1 when it did not converge before -timeout (or was
// interrupted before converging); 2 for a bad command line. Ctrl-C stops
// the run early and still prints the results.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/seednet/p2p/dashboard"
	"github.com/seednet/p2p/memnet"
	"github.com/seednet/p2p/sim"
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
}

const usageText = `usage: p2psim [flags]

p2psim runs N nodes of this library in one process on an in-memory network
with shaped links, waits until they converge (one component, every node at
least -min-peers peers) or for -duration, and prints one JSON line of
results to stdout. Progress goes to stderr about once a second.

Exit status: 0 converged (or -duration given and run to its end),
1 not converged by -timeout or interrupted first, 2 bad command line.

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
	fs.StringVar(&o.cpuProf, "cpuprofile", "", "write a CPU profile of the run to this file (for go tool pprof)")
	fs.StringVar(&o.httpAddr, "http", "", "serve the live dashboard of the network at this address, such as 127.0.0.1:8080")
	if err := fs.Parse(args); err != nil {
		return nil, err // the flag package names the flag; -h gives flag.ErrHelp
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (p2psim takes only flags)", fs.Arg(0))
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
	case o.duration < 0:
		return nil, fmt.Errorf("-duration must not be negative, not %v", o.duration)
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
	case o.nodes > 1 && o.minPeers > o.nodes-1:
		return nil, fmt.Errorf("-min-peers %d is more than a node of -nodes %d can have (%d)", o.minPeers, o.nodes, o.nodes-1)
	}
	return o, nil
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

// simulate runs the simulation of o until it converges, o.duration passes,
// o.timeout passes or ctx ends, and prints the results.
func simulate(ctx context.Context, o *options, stdout, stderr io.Writer) int {
	baseGoroutines := runtime.NumGoroutine()
	cpuStart := cpuTime()
	start := time.Now()
	s, err := sim.New(sim.Config{
		Nodes:    o.nodes,
		Seed:     o.seed,
		Link:     o.link,
		MaxPeers: o.maxPeers,
	})
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

	limit := o.timeout
	if o.duration > 0 {
		limit = o.duration
	}
	deadline := time.NewTimer(limit - time.Since(start))
	defer deadline.Stop()
	poll := time.NewTicker(o.pollEvery)
	defer poll.Stop()

	converged := sim.Converged(o.minPeers)
	var (
		snap         = s.Snapshot()
		ttc          = time.Duration(-1)
		lastProgress = start
		interrupted  bool
		finished     bool // -duration given and reached
	)
loop:
	for {
		if ttc < 0 && converged(snap) {
			ttc = time.Since(start)
			fmt.Fprintf(stderr, "converged after %v\n", ttc.Round(time.Millisecond))
			if o.duration == 0 {
				break
			}
		}
		select {
		case <-ctx.Done():
			interrupted = true
			fmt.Fprintln(stderr, "interrupted")
			break loop
		case <-deadline.C:
			finished = o.duration > 0
			if !finished {
				fmt.Fprintf(stderr, "not converged within -timeout %v: %v\n", o.timeout, snap)
			}
			break loop
		case now := <-poll.C:
			snap = s.Snapshot()
			if now.Sub(lastProgress) >= o.progress {
				lastProgress = now
				printProgress(stderr, time.Since(start), snap)
			}
		}
	}
	snap = s.Snapshot()
	elapsed := time.Since(start)

	res := result{
		Nodes:           len(snap.Nodes),
		Converged:       ttc >= 0,
		TimeToConverge:  -1,
		Components:      len(snap.Components()),
		Edges:           len(snap.Edges),
		ElapsedMs:       elapsed.Milliseconds(),
		Interrupted:     interrupted,
		MinPeersWanted:  o.minPeers,
		DurationRequest: o.duration.Milliseconds(),
	}
	if ttc >= 0 {
		res.TimeToConverge = ttc.Milliseconds()
	}
	res.MinPeers, res.MedianPeers, res.MaxPeers = snap.PeerCounts()
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
	if res.Converged || finished {
		return 0
	}
	return 1
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
