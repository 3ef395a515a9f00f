// Copyright the seednet/p2p authors. Licensed under the Apache License 2.0.

package sim

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/seednet/p2p"
	"github.com/seednet/p2p/memnet"
)

// defaultWaitTimeout is how long a wait step waits without a timeout.
const defaultWaitTimeout = time.Minute

// Scenario is a parsed scenario file: its settings and its steps. Run
// runs it on a simulation. A scenario file is a script for a simulation, a
// command a line:
//
//	# Settings, before the first step: defaults for the simulation's Config.
//	set nodes 200          # Config.Nodes
//	set latency 30ms       # Config.Link.Latency
//	set jitter 5ms         # Config.Link.Jitter
//	set loss 0.01          # Config.Link.Loss, from 0 to 1
//	set bandwidth 1048576  # Config.Link.Bandwidth, bytes per second
//	set maxpeers 10        # Config.MaxPeers
//	set seed 7             # Config.Seed
//
//	# Steps, run in order; the first that fails ends the run.
//	wait converged 5 timeout 2m     # WaitFor(Converged(5)); timeout optional, default 1m
//	wait components 2 timeout 30s   # WaitFor(ComponentsAre(2))
//	wait connected 3 4              # WaitFor(Connected(3, 4))
//	wait disconnected 3 4           # until 3 and 4 are not peers
//	partition 0-99 | 100-199        # Partition: groups split by |; nodes in none form one more
//	heal                            # Heal
//	link 3 4 latency 200ms loss 0.1 # SetLink; also jitter D, bandwidth N; fields not named are zero
//	add 5                           # AddNode five times (add alone: once)
//	remove 7                        # RemoveNode(7)
//	connect 1 2                     # Connect(1, 2)
//	disconnect 1 2                  # Disconnect(1, 2)
//	sleep 10s                       # wait 10 seconds
//	snapshot out.json               # write a Snapshot: JSON, or the SVG picture for a .svg path
//	snapshot                        # log the snapshot's summary
//	churn 10% for 10m               # Churn: replace 10% of the nodes a minute for 10m; fails if the settled nodes split
//	churn 0.1 for 1m keep 1 settle 20s  # a rate as a fraction; nodes below 1 never removed; settle time (default 30s)
//	gossip 1MiB                     # publish 1 MiB of random bytes at a random node; wait until every node has it
//	gossip 4096 from 3 timeout 2m   # sizes in bytes or with KiB, MiB; the wait's timeout defaults to 1m
//
// Where a command takes nodes, a list such as 1,2,5-9 names several:
// remove removes each, and connect, disconnect and link act on each pair
// of a node of the first list and a node of the second (not a node with
// itself). In a partition's group, spaces separate nodes as commas do. A
// # starts a comment, to the end of the line; blank lines are ignored.
// Durations are Go's (300ms, 1.5s, 2m). Gossip steps need the Gossip
// field set, and the nodes running its protocol.
//
// Relative snapshot paths resolve against Dir: the working directory
// unless the caller sets it.
type Scenario struct {
	// Settings are the file's set lines. The caller makes the simulation;
	// Settings.Apply puts them in its Config.
	Settings Settings
	// Dir is the directory against which the relative paths of snapshot
	// steps resolve. ParseScenario leaves it empty, which means the
	// working directory; a caller that read the scenario from a file may
	// set it to the file's directory.
	Dir string
	// Gossip is the protocol that gossip steps publish with; the caller
	// makes it and gives its Protocols to the simulation. Nil makes a
	// gossip step fail.
	Gossip *Gossip
	// GossipResults and ChurnResults are filled by Run: one for each
	// gossip and churn step that ran, in order.
	GossipResults []GossipResult
	ChurnResults  []ChurnResult

	steps []step
}

// Settings are the settings of a scenario file. A field is zero unless
// the file set it; Set tells a zero that was set from one that was not.
type Settings struct {
	Nodes     int           // set nodes N
	Latency   time.Duration // set latency D
	Jitter    time.Duration // set jitter D
	Loss      float64       // set loss P
	Bandwidth int64         // set bandwidth N (bytes per second)
	MaxPeers  int           // set maxpeers N
	Seed      uint64        // set seed N
	// Set holds the names of the settings that the file set, such as
	// "nodes" and "latency"; nil when it set none.
	Set map[string]bool
}

// Apply copies the settings that were set into cfg, and leaves its other
// fields alone.
func (st *Settings) Apply(cfg *Config) {
	for name := range st.Set {
		if s, ok := settings[name]; ok {
			s.apply(st, cfg)
		}
	}
}

// setting is a setting of the table below: how to parse its value into
// Settings and how to copy it into a Config.
type setting struct {
	parse func(st *Settings, v string) error
	apply func(st *Settings, cfg *Config)
}

var settings = map[string]setting{
	"nodes": {
		func(st *Settings, v string) (err error) { st.Nodes, err = parseCount(v); return err },
		func(st *Settings, cfg *Config) { cfg.Nodes = st.Nodes },
	},
	"latency": {
		func(st *Settings, v string) (err error) { st.Latency, err = parseDuration(v); return err },
		func(st *Settings, cfg *Config) { cfg.Link.Latency = st.Latency },
	},
	"jitter": {
		func(st *Settings, v string) (err error) { st.Jitter, err = parseDuration(v); return err },
		func(st *Settings, cfg *Config) { cfg.Link.Jitter = st.Jitter },
	},
	"loss": {
		func(st *Settings, v string) (err error) { st.Loss, err = parseLoss(v); return err },
		func(st *Settings, cfg *Config) { cfg.Link.Loss = st.Loss },
	},
	"bandwidth": {
		func(st *Settings, v string) (err error) { st.Bandwidth, err = parseBandwidth(v); return err },
		func(st *Settings, cfg *Config) { cfg.Link.Bandwidth = st.Bandwidth },
	},
	"maxpeers": {
		func(st *Settings, v string) (err error) { st.MaxPeers, err = parseCount(v); return err },
		func(st *Settings, cfg *Config) { cfg.MaxPeers = st.MaxPeers },
	},
	"seed": {
		func(st *Settings, v string) (err error) {
			st.Seed, err = strconv.ParseUint(v, 10, 64)
			if err != nil {
				return fmt.Errorf("bad seed %q (want a whole number from 0 to 2^64-1)", v)
			}
			return nil
		},
		func(st *Settings, cfg *Config) { cfg.Seed = st.Seed },
	},
}

// step is a step of a scenario: a line of the file and what it does.
type step struct {
	line int
	text string // the line without its comment, fields one space apart
	run  stepFunc
}

// stepFunc does a step on the simulation of r.
type stepFunc func(ctx context.Context, r *runner) error

// runner is what a step has to work with.
type runner struct {
	sc       *Scenario
	sim      *Sim
	log      io.Writer
	dir      string // Scenario.Dir
	settings *Settings
	start    time.Time
}

// logf writes a line to the log, after the time since the run started.
func (r *runner) logf(format string, args ...any) {
	fmt.Fprintf(r.log, "%.1fs %s\n", time.Since(r.start).Seconds(), fmt.Sprintf(format, args...))
}

// path resolves a path of the scenario file.
func (r *runner) path(p string) string {
	if filepath.IsAbs(p) || r.dir == "" {
		return p
	}
	return filepath.Join(r.dir, p)
}

// command is a command of scenario files: its usage, for error messages,
// and the function that parses its arguments (the fields after its name)
// into a step. A parse function returns errUsage (wrapped or not) when
// the arguments do not fit the usage.
type command struct {
	usage string
	parse func(args []string) (stepFunc, error)
}

// errUsage says that a command's arguments do not fit its usage.
var errUsage = errors.New("wrong arguments")

// commands are the commands of scenario files by name. To add one, add an
// entry here, a line to the format in Scenario's documentation and cases
// to the tables of TestParseScenario and TestParseScenarioErrors. Its
// parse function checks the arguments (a line's errors are found before
// anything runs) and returns the step; what a step needs beyond the
// simulation, the log, Dir and the settings goes in a field of runner.
var commands = map[string]command{
	"wait": {
		"wait converged N | components N | connected A B | disconnected A B [timeout D]",
		parseWait,
	},
	"partition": {"partition NODES | NODES ...", parsePartition},
	"heal": {"heal", func(args []string) (stepFunc, error) {
		if len(args) != 0 {
			return nil, errUsage
		}
		return func(ctx context.Context, r *runner) error { return r.sim.Heal() }, nil
	}},
	"link": {"link NODES NODES [latency D] [jitter D] [bandwidth N] [loss P]", parseLink},
	"add":  {"add [N]", parseAdd},
	"remove": {"remove NODES", func(args []string) (stepFunc, error) {
		if len(args) != 1 {
			return nil, errUsage
		}
		nodes, err := parseNodes(args[0])
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context, r *runner) error {
			for _, i := range nodes {
				if err := ctx.Err(); err != nil {
					return err
				}
				if err := r.sim.RemoveNode(i); err != nil {
					return err
				}
			}
			return nil
		}, nil
	}},
	"connect": {"connect NODES NODES", func(args []string) (stepFunc, error) {
		return parsePairs(args, (*Sim).Connect)
	}},
	"disconnect": {"disconnect NODES NODES", func(args []string) (stepFunc, error) {
		return parsePairs(args, (*Sim).Disconnect)
	}},
	"sleep": {"sleep D", func(args []string) (stepFunc, error) {
		if len(args) != 1 {
			return nil, errUsage
		}
		d, err := parseDuration(args[0])
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context, r *runner) error {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-t.C:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}, nil
	}},
	"snapshot": {"snapshot [PATH.json | PATH.svg]", parseSnapshot},
	"churn":    {"churn RATE for D [keep N] [settle D] (RATE per minute: 10% or 0.1)", parseChurn},
	"gossip":   {"gossip SIZE [from N] [timeout D] (SIZE: 4096, 64KiB, 1MiB)", parseGossip},
}

// ParseScenario reads a scenario file (see Scenario for the format). Its
// errors name the line and say what the line should look like.
func ParseScenario(r io.Reader) (*Scenario, error) {
	sc := new(Scenario)
	setOn := make(map[string]int) // setting → its line
	sr := bufio.NewScanner(r)
	line := 0
	for sr.Scan() {
		line++
		text, _, _ := strings.Cut(sr.Text(), "#")
		fields := strings.Fields(text)
		if len(fields) == 0 {
			continue
		}
		name, args := fields[0], fields[1:]
		if name == "set" {
			if len(sc.steps) > 0 {
				return nil, fmt.Errorf("scenario line %d: %q after the first step (line %d): move the settings to the top", line, "set", sc.steps[0].line)
			}
			if len(args) != 2 {
				return nil, fmt.Errorf("scenario line %d: %q: want set NAME VALUE (NAME one of %s)", line, name, keys(settings))
			}
			st, ok := settings[args[0]]
			if !ok {
				return nil, fmt.Errorf("scenario line %d: %q: unknown setting %q (want one of %s)", line, name, args[0], keys(settings))
			}
			if first, ok := setOn[args[0]]; ok {
				return nil, fmt.Errorf("scenario line %d: %q: %s is set already on line %d", line, name, args[0], first)
			}
			if err := st.parse(&sc.Settings, args[1]); err != nil {
				return nil, fmt.Errorf("scenario line %d: set %s: %w", line, args[0], err)
			}
			setOn[args[0]] = line
			if sc.Settings.Set == nil {
				sc.Settings.Set = make(map[string]bool)
			}
			sc.Settings.Set[args[0]] = true
			continue
		}
		cmd, ok := commands[name]
		if !ok {
			return nil, fmt.Errorf("scenario line %d: unknown command %q (want set or one of %s)", line, name, keys(commands))
		}
		run, err := cmd.parse(args)
		switch {
		case errors.Is(err, errUsage):
			return nil, fmt.Errorf("scenario line %d: %q: %w: want %s", line, name, err, cmd.usage)
		case err != nil:
			return nil, fmt.Errorf("scenario line %d: %q: %w", line, name, err)
		}
		sc.steps = append(sc.steps, step{line: line, text: strings.Join(fields, " "), run: run})
	}
	if err := sr.Err(); err != nil {
		return nil, fmt.Errorf("scenario line %d: %w", line+1, err)
	}
	return sc, nil
}

// Run runs the steps on s, one after the other, and logs each as it
// starts ("12.3s step 4 (line 9): partition 0-99 | 100-199") and what it
// found, to log (nil means nowhere). It stops at the first step that
// fails, or when ctx ends, with an error that names the step's line.
func (sc *Scenario) Run(ctx context.Context, s *Sim, log io.Writer) error {
	if log == nil {
		log = io.Discard
	}
	r := &runner{sc: sc, sim: s, log: log, dir: sc.Dir, settings: &sc.Settings, start: time.Now()}
	for i, st := range sc.steps {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("scenario line %d (%s): not started: %w", st.line, st.text, err)
		}
		r.logf("step %d (line %d): %s", i+1, st.line, st.text)
		if err := st.run(ctx, r); err != nil {
			return fmt.Errorf("scenario line %d (%s): %w", st.line, st.text, err)
		}
	}
	r.logf("done: %d steps", len(sc.steps))
	return nil
}

func parseWait(args []string) (stepFunc, error) {
	timeout := defaultWaitTimeout
	if n := len(args); n >= 2 && args[n-2] == "timeout" {
		d, err := parseDuration(args[n-1])
		if err != nil {
			return nil, fmt.Errorf("timeout: %w", err)
		}
		if d == 0 {
			return nil, fmt.Errorf("timeout 0: want a positive duration")
		}
		timeout, args = d, args[:n-2]
	}
	if len(args) == 0 {
		return nil, errUsage
	}
	var cond Condition
	nargs := map[string]int{"converged": 1, "components": 1, "connected": 2, "disconnected": 2}[args[0]]
	if nargs == 0 {
		return nil, fmt.Errorf("unknown condition %q (want converged N, components N, connected A B, disconnected A B)", args[0])
	}
	if len(args) != 1+nargs {
		return nil, fmt.Errorf("%w: %q takes %d numbers", errUsage, args[0], nargs)
	}
	ns := make([]int, nargs)
	for i, a := range args[1:] {
		n, err := parseCount(a)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", args[0], err)
		}
		ns[i] = n
	}
	switch args[0] {
	case "converged":
		cond = Converged(ns[0])
	case "components":
		cond = ComponentsAre(ns[0])
	case "connected":
		cond = Connected(ns[0], ns[1])
	case "disconnected":
		c := Connected(ns[0], ns[1])
		cond = func(snap *Snapshot) bool { return !c(snap) }
	}
	return func(ctx context.Context, r *runner) error {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		start := time.Now()
		snap, err := r.sim.WaitFor(ctx, cond)
		if err != nil {
			return err
		}
		r.logf("  met after %v: %v", time.Since(start).Round(time.Millisecond), snap)
		return nil
	}, nil
}

func parsePartition(args []string) (stepFunc, error) {
	if len(args) == 0 {
		return nil, errUsage
	}
	var groups [][]int
	in := make(map[int]int) // node → its group
	for i, g := range strings.Split(strings.Join(args, " "), "|") {
		nodes, err := parseNodes(strings.Join(strings.Fields(g), ","))
		if err != nil {
			return nil, fmt.Errorf("group %d: %w", i+1, err)
		}
		for _, n := range nodes {
			if j, ok := in[n]; ok {
				return nil, fmt.Errorf("node %d is in groups %d and %d", n, j+1, i+1)
			}
			in[n] = i
		}
		groups = append(groups, nodes)
	}
	return func(ctx context.Context, r *runner) error { return r.sim.Partition(groups...) }, nil
}

func parseLink(args []string) (stepFunc, error) {
	if len(args) < 2 || len(args)%2 != 0 {
		return nil, errUsage
	}
	var l memnet.Link
	seen := make(map[string]bool)
	for i := 2; i < len(args); i += 2 {
		k, v := args[i], args[i+1]
		if seen[k] {
			return nil, fmt.Errorf("%s given twice", k)
		}
		seen[k] = true
		var err error
		switch k {
		case "latency":
			l.Latency, err = parseDuration(v)
		case "jitter":
			l.Jitter, err = parseDuration(v)
		case "bandwidth":
			l.Bandwidth, err = parseBandwidth(v)
		case "loss":
			l.Loss, err = parseLoss(v)
		default:
			return nil, fmt.Errorf("unknown link field %q (want latency D, jitter D, bandwidth N or loss P)", k)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
	}
	return parsePairs(args[:2], func(s *Sim, a, b int) error { return s.SetLink(a, b, l) })
}

// parsePairs parses two node lists into a step that calls f on each pair
// of a node of the first and a different node of the second.
func parsePairs(args []string, f func(s *Sim, a, b int) error) (stepFunc, error) {
	if len(args) != 2 {
		return nil, errUsage
	}
	as, err := parseNodes(args[0])
	if err != nil {
		return nil, err
	}
	bs, err := parseNodes(args[1])
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, r *runner) error {
		for _, a := range as {
			for _, b := range bs {
				if a == b {
					continue
				}
				if err := ctx.Err(); err != nil {
					return err
				}
				if err := f(r.sim, a, b); err != nil {
					return err
				}
			}
		}
		return nil
	}, nil
}

func parseAdd(args []string) (stepFunc, error) {
	n := 1
	switch len(args) {
	case 0:
	case 1:
		var err error
		if n, err = parseCount(args[0]); err != nil {
			return nil, err
		}
	default:
		return nil, errUsage
	}
	return func(ctx context.Context, r *runner) error {
		first, last := -1, -1
		for range n {
			if err := ctx.Err(); err != nil {
				return err
			}
			node, err := r.sim.AddNode()
			if err != nil {
				return err
			}
			if first < 0 {
				first = node.Index
			}
			last = node.Index
		}
		if n > 0 {
			r.logf("  added nodes %d-%d", first, last)
		}
		return nil
	}, nil
}

func parseSnapshot(args []string) (stepFunc, error) {
	if len(args) > 1 {
		return nil, errUsage
	}
	if len(args) == 0 {
		return func(ctx context.Context, r *runner) error {
			r.logf("  %v", r.sim.Snapshot())
			return nil
		}, nil
	}
	name := args[0]
	svg := strings.EqualFold(filepath.Ext(name), ".svg")
	return func(ctx context.Context, r *runner) error {
		snap := r.sim.Snapshot()
		path := r.path(name)
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		if svg {
			err = snap.SVG(f)
		} else {
			enc := json.NewEncoder(f)
			enc.SetIndent("", "  ")
			err = enc.Encode(snap)
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
		r.logf("  wrote %s: %v", path, snap)
		return nil
	}, nil
}

// maxListNodes bounds the nodes a list may name, so that a typo such as
// 0-1000000000 is an error rather than a gigabyte.
const maxListNodes = 1 << 20

// parseNodes parses a list of node indexes such as 1,2,5-9.
func parseNodes(s string) ([]int, error) {
	var nodes []int
	for _, part := range strings.Split(s, ",") {
		if part == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil || a < 0 {
			return nil, fmt.Errorf("bad node %q in %q (want indexes and ranges such as 1,2,5-9)", lo, s)
		}
		b := a
		if isRange {
			b, err = strconv.Atoi(hi)
			if err != nil || b < a {
				return nil, fmt.Errorf("bad range %q in %q (want FIRST-LAST with FIRST ≤ LAST, such as 5-9)", part, s)
			}
		}
		if len(nodes)+b-a+1 > maxListNodes {
			return nil, fmt.Errorf("%q names more than %d nodes", s, maxListNodes)
		}
		for i := a; i <= b; i++ {
			nodes = append(nodes, i)
		}
	}
	if len(nodes) == 0 {
		return nil, fmt.Errorf("no node in %q (want indexes and ranges such as 1,2,5-9)", s)
	}
	return nodes, nil
}

func parseCount(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("bad number %q (want a whole number ≥ 0)", v)
	}
	return n, nil
}

func parseDuration(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("bad duration %q (want a number with a unit, such as 300ms, 10s or 2m)", v)
	}
	return d, nil
}

func parseLoss(v string) (float64, error) {
	p, err := strconv.ParseFloat(v, 64)
	if err != nil || !(p >= 0 && p <= 1) {
		return 0, fmt.Errorf("bad loss %q (want a probability from 0 to 1, such as 0.01)", v)
	}
	return p, nil
}

func parseBandwidth(v string) (int64, error) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("bad bandwidth %q (want bytes per second, a whole number ≥ 0; 0 is unlimited)", v)
	}
	return n, nil
}

// keys lists the keys of a table, sorted and separated by commas.
func keys[V any](m map[string]V) string {
	return strings.Join(slices.Sorted(maps.Keys(m)), ", ")
}

// options parses the "name value" pairs that follow a command's first
// arguments; parse gets each known name's value.
func options(args []string, parse map[string]func(string) error) error {
	if len(args)%2 != 0 {
		return errUsage
	}
	seen := make(map[string]bool)
	for i := 0; i < len(args); i += 2 {
		f, ok := parse[args[i]]
		if !ok || seen[args[i]] {
			return errUsage
		}
		seen[args[i]] = true
		if err := f(args[i+1]); err != nil {
			return err
		}
	}
	return nil
}

func parseChurn(args []string) (stepFunc, error) {
	if len(args) < 3 || args[1] != "for" {
		return nil, errUsage
	}
	var cfg ChurnConfig
	rate, err := ParseRate(args[0])
	if err != nil {
		return nil, err
	}
	cfg.Rate = rate
	d, err := parseDuration(args[2])
	if err != nil {
		return nil, err
	}
	err = options(args[3:], map[string]func(string) error{
		"keep":   func(v string) (err error) { cfg.Keep, err = parseCount(v); return },
		"settle": func(v string) (err error) { cfg.Settle, err = parseDuration(v); return },
	})
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, r *runner) error {
		cctx, cancel := context.WithTimeout(ctx, d)
		defer cancel()
		res, err := r.sim.Churn(cctx, cfg)
		if err == nil {
			err = ctx.Err() // the run's end, not the step's
		}
		r.sc.ChurnResults = append(r.sc.ChurnResults, res)
		r.logf("  %v", res)
		if err != nil {
			return err
		}
		if res.MaxComponents > 1 {
			return fmt.Errorf("the settled nodes split into %d components", res.MaxComponents)
		}
		return nil
	}, nil
}

// ParseRate parses a churn rate, the share of the nodes replaced a
// minute: a percentage ("10%") or a fraction ("0.1"), more than 0 and at
// most 60 (6000%).
func ParseRate(v string) (float64, error) {
	pct := strings.HasSuffix(v, "%")
	rate, err := strconv.ParseFloat(strings.TrimSuffix(v, "%"), 64)
	if pct {
		rate /= 100
	}
	if err != nil || !(rate > 0 && rate <= 60) {
		return 0, fmt.Errorf("bad rate %q (want the share of nodes replaced a minute, such as 10%% or 0.1)", v)
	}
	return rate, nil
}

// ParseSize parses a message size in bytes: a whole number, or one with
// the suffix KiB or MiB, from 1 byte to what a message holds (15 MiB).
func ParseSize(v string) (int, error) {
	mult, num := 1, v
	switch {
	case strings.HasSuffix(v, "KiB"):
		mult, num = 1<<10, strings.TrimSuffix(v, "KiB")
	case strings.HasSuffix(v, "MiB"):
		mult, num = 1<<20, strings.TrimSuffix(v, "MiB")
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 1 || n > (p2p.MaxMessageSize-64)/mult {
		return 0, fmt.Errorf("bad size %q (want bytes, such as 4096, 64KiB or 1MiB, from 1 byte to 15MiB)", v)
	}
	return n * mult, nil
}

func parseGossip(args []string) (stepFunc, error) {
	if len(args) < 1 {
		return nil, errUsage
	}
	size, err := ParseSize(args[0])
	if err != nil {
		return nil, err
	}
	from, timeout := -1, defaultWaitTimeout
	err = options(args[1:], map[string]func(string) error{
		"from":    func(v string) (err error) { from, err = parseCount(v); return },
		"timeout": func(v string) (err error) { timeout, err = parseDuration(v); return },
	})
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, r *runner) error {
		g := r.sc.Gossip
		if g == nil {
			return errors.New("no gossip protocol: the simulation's nodes must run Scenario.Gossip (p2psim -protocol gossip)")
		}
		origin := from
		if origin < 0 {
			nodes := r.sim.Nodes()
			if len(nodes) == 0 {
				return errors.New("no node to publish at")
			}
			origin = nodes[rand.IntN(len(nodes))].Index
		}
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(rand.Uint32())
		}
		id, err := g.Publish(origin, data)
		if err != nil {
			return err
		}
		wctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		res, err := g.Wait(wctx, r.sim, id)
		g.Forget(id)
		r.sc.GossipResults = append(r.sc.GossipResults, res)
		r.logf("  %v", res)
		return err
	}, nil
}
