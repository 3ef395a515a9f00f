// Copyright the seednet/p2p authors. Licensed under the Apache License 2.0.

package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seednet/p2p/memnet"
)

// stepLines returns the line and text of each step, "N: text".
func stepLines(sc *Scenario) []string {
	var out []string
	for _, st := range sc.steps {
		out = append(out, strconv.Itoa(st.line)+": "+st.text)
	}
	return out
}

func TestParseScenario(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		steps []string // "line: text" of each step
	}{
		{"empty", "", nil},
		{"comments and blanks", "# nothing\n\n   \t\n  # more\n", nil},
		{"wait", `
wait converged 5 timeout 2m
wait converged 5
wait components 2 timeout 30s
wait connected 3 4
wait disconnected 3 4   # a comment
`, []string{
			"2: wait converged 5 timeout 2m", "3: wait converged 5", "4: wait components 2 timeout 30s",
			"5: wait connected 3 4", "6: wait disconnected 3 4",
		}},
		{"partition and heal", "partition 0-99 | 100-199\npartition 0,1 2|3\npartition 1-3\npartition 0-1|2-3|4\nheal\n", []string{
			"1: partition 0-99 | 100-199", "2: partition 0,1 2|3", "3: partition 1-3", "4: partition 0-1|2-3|4", "5: heal",
		}},
		{"link", "link 3 4 latency 200ms loss 0.1\nlink 0-2 3,4 jitter 5ms bandwidth 1000 latency 1s loss 0\nlink 1 2\n", []string{
			"1: link 3 4 latency 200ms loss 0.1", "2: link 0-2 3,4 jitter 5ms bandwidth 1000 latency 1s loss 0", "3: link 1 2",
		}},
		{"add and remove", "add\nadd 5\nadd 0\nremove 7\nremove 1,3-5\n", []string{
			"1: add", "2: add 5", "3: add 0", "4: remove 7", "5: remove 1,3-5",
		}},
		{"connect, disconnect, sleep", "connect 1 2\nconnect 0 1-11\ndisconnect 1 2\nsleep 10s\nsleep 0s\n", []string{
			"1: connect 1 2", "2: connect 0 1-11", "3: disconnect 1 2", "4: sleep 10s", "5: sleep 0s",
		}},
		{"churn and gossip", "churn 10% for 10m\nchurn 0.5 for 1s keep 1 settle 5s\ngossip 1MiB\ngossip 4096 from 3 timeout 2m\ngossip 64KiB timeout 1s\n", []string{
			"1: churn 10% for 10m", "2: churn 0.5 for 1s keep 1 settle 5s", "3: gossip 1MiB", "4: gossip 4096 from 3 timeout 2m", "5: gossip 64KiB timeout 1s",
		}},
		{"snapshot", "snapshot out.json\nsnapshot pics/a.SVG\nsnapshot\n", []string{
			"1: snapshot out.json", "2: snapshot pics/a.SVG", "3: snapshot",
		}},
		{"fields normalised", "  connect\t1    2  #x\n", []string{"1: connect 1 2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, err := ParseScenario(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if got := stepLines(sc); !slices.Equal(got, tt.steps) {
				t.Errorf("steps\n%q\nwant\n%q", got, tt.steps)
			}
		})
	}
}

func TestParseScenarioSettings(t *testing.T) {
	sc, err := ParseScenario(strings.NewReader(`
set nodes 200
set latency 30ms
set jitter 5ms
set loss 0.01
set bandwidth 1048576
set maxpeers 0
set seed 18446744073709551615
wait converged 5
`))
	if err != nil {
		t.Fatal(err)
	}
	st := sc.Settings
	want := Settings{Nodes: 200, Latency: 30 * time.Millisecond, Jitter: 5 * time.Millisecond, Loss: 0.01,
		Bandwidth: 1048576, MaxPeers: 0, Seed: 1<<64 - 1}
	st.Set = nil
	if !reflect.DeepEqual(st, want) {
		t.Errorf("settings %+v\nwant %+v", st, want)
	}
	for _, name := range []string{"nodes", "latency", "jitter", "loss", "bandwidth", "maxpeers", "seed"} {
		if !sc.Settings.Set[name] {
			t.Errorf("%s not marked as set", name)
		}
	}

	cfg := Config{MaxPeers: 50, NoDiscovery: true, Link: memnet.Link{Latency: time.Hour}}
	sc.Settings.Apply(&cfg)
	wantCfg := Config{Nodes: 200, Seed: 1<<64 - 1, MaxPeers: 0, NoDiscovery: true, Link: memnet.Link{
		Latency: 30 * time.Millisecond, Jitter: 5 * time.Millisecond, Loss: 0.01, Bandwidth: 1048576}}
	if cfg.Nodes != wantCfg.Nodes || cfg.Seed != wantCfg.Seed || cfg.MaxPeers != wantCfg.MaxPeers ||
		cfg.Link != wantCfg.Link || !cfg.NoDiscovery {
		t.Errorf("applied: %+v", cfg)
	}

	// Only what was set is applied.
	sc, err = ParseScenario(strings.NewReader("set latency 1ms\n"))
	if err != nil {
		t.Fatal(err)
	}
	cfg = Config{Nodes: 7, Link: memnet.Link{Jitter: time.Second}}
	sc.Settings.Apply(&cfg)
	if cfg.Nodes != 7 || cfg.Link != (memnet.Link{Latency: time.Millisecond, Jitter: time.Second}) {
		t.Errorf("applied: %+v", cfg)
	}
	if len(sc.Settings.Set) != 1 {
		t.Errorf("set %v", sc.Settings.Set)
	}
}

// TestParseScenarioErrors checks each error of the parser: its message
// names the line and says what is wrong.
func TestParseScenarioErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"unknown command", "\n\npartiton 1 2", `scenario line 3: unknown command "partiton" (want set or one of add, churn, connect, disconnect, gossip, heal, link, partition, remove, sleep, snapshot, wait)`},
		{"unknown condition", "# x\nwait conveged 5", `scenario line 2: "wait": unknown condition "conveged" (want converged N, components N, connected A B, disconnected A B)`},
		{"wait nothing", "wait", `scenario line 1: "wait": wrong arguments: want wait converged N`},
		{"wait timeout only", "wait timeout 5s", `scenario line 1: "wait": wrong arguments: want wait`},
		{"wait missing number", "wait connected 3", `scenario line 1: "wait": wrong arguments: "connected" takes 2 numbers: want wait`},
		{"wait extra number", "wait converged 3 4", `scenario line 1: "wait": wrong arguments: "converged" takes 1 numbers`},
		{"wait bad number", "wait components two", `scenario line 1: "wait": components: bad number "two" (want a whole number ≥ 0)`},
		{"wait negative", "wait converged -1", `scenario line 1: "wait": converged: bad number "-1"`},
		{"wait bad timeout", "wait converged 3 timeout 5", `scenario line 1: "wait": timeout: bad duration "5" (want a number with a unit, such as 300ms, 10s or 2m)`},
		{"wait zero timeout", "wait converged 3 timeout 0s", `scenario line 1: "wait": timeout 0: want a positive duration`},
		{"partition nothing", "partition", `scenario line 1: "partition": wrong arguments: want partition NODES | NODES ...`},
		{"partition empty group", "partition 0-3 | ", `scenario line 1: "partition": group 2: no node in ""`},
		{"partition twice", "partition 0-3 | 3-5", `scenario line 1: "partition": node 3 is in groups 1 and 2`},
		{"partition bad range", "partition 5-3", `scenario line 1: "partition": group 1: bad range "5-3" in "5-3" (want FIRST-LAST with FIRST ≤ LAST, such as 5-9)`},
		{"partition bad node", "partition a,b", `scenario line 1: "partition": group 1: bad node "a" in "a,b"`},
		{"heal argument", "heal now", `scenario line 1: "heal": wrong arguments: want heal`},
		{"link one node", "link 3", `scenario line 1: "link": wrong arguments: want link NODES NODES [latency D] [jitter D] [bandwidth N] [loss P]`},
		{"link odd", "link 3 4 latency", `scenario line 1: "link": wrong arguments`},
		{"link unknown field", "link 3 4 delay 5ms", `scenario line 1: "link": unknown link field "delay" (want latency D, jitter D, bandwidth N or loss P)`},
		{"link twice", "link 3 4 loss 0.1 loss 0.2", `scenario line 1: "link": loss given twice`},
		{"link bad loss", "link 3 4 loss 2", `scenario line 1: "link": loss: bad loss "2" (want a probability from 0 to 1, such as 0.01)`},
		{"link bad latency", "link 3 4 latency fast", `scenario line 1: "link": latency: bad duration "fast"`},
		{"link bad bandwidth", "link 3 4 bandwidth 1MB", `scenario line 1: "link": bandwidth: bad bandwidth "1MB" (want bytes per second`},
		{"link bad nodes", "link 3- 4", `scenario line 1: "link": bad range "3-" in "3-"`},
		{"add two", "add 1 2", `scenario line 1: "add": wrong arguments: want add [N]`},
		{"add bad", "add x", `scenario line 1: "add": bad number "x"`},
		{"remove nothing", "remove", `scenario line 1: "remove": wrong arguments: want remove NODES`},
		{"remove bad", "remove 1,,x", `scenario line 1: "remove": bad node "x" in "1,,x"`},
		{"remove huge", "remove 0-100000000", `scenario line 1: "remove": "0-100000000" names more than 1048576 nodes`},
		{"connect one", "connect 1", `scenario line 1: "connect": wrong arguments: want connect NODES NODES`},
		{"connect bad", "connect 1 -2", `scenario line 1: "connect": bad node "" in "-2"`},
		{"disconnect three", "disconnect 1 2 3", `scenario line 1: "disconnect": wrong arguments: want disconnect NODES NODES`},
		{"sleep nothing", "sleep", `scenario line 1: "sleep": wrong arguments: want sleep D`},
		{"sleep bad", "sleep 10", `scenario line 1: "sleep": bad duration "10"`},
		{"sleep negative", "sleep -1s", `scenario line 1: "sleep": bad duration "-1s"`},
		{"churn no for", "churn 10% 10m", `scenario line 1: "churn": wrong arguments: want churn RATE for D [keep N] [settle D] (RATE per minute: 10% or 0.1)`},
		{"churn bad rate", "churn fast for 1m", `scenario line 1: "churn": bad rate "fast" (want the share of nodes replaced a minute, such as 10% or 0.1)`},
		{"churn zero rate", "churn 0% for 1m", `scenario line 1: "churn": bad rate "0%" (want the share of nodes replaced a minute, such as 10% or 0.1)`},
		{"churn bad option", "churn 10% for 1m stay 1", `scenario line 1: "churn": wrong arguments: want churn RATE for D [keep N] [settle D] (RATE per minute: 10% or 0.1)`},
		{"gossip no size", "gossip", `scenario line 1: "gossip": wrong arguments: want gossip SIZE [from N] [timeout D] (SIZE: 4096, 64KiB, 1MiB)`},
		{"gossip bad size", "gossip 1GiB", `scenario line 1: "gossip": bad size "1GiB" (want bytes, such as 4096, 64KiB or 1MiB, from 1 byte to 15MiB)`},
		{"gossip too big", "gossip 16MiB", `scenario line 1: "gossip": bad size "16MiB" (want bytes, such as 4096, 64KiB or 1MiB, from 1 byte to 15MiB)`},
		{"gossip bad from", "gossip 10 from x", `scenario line 1: "gossip": bad number "x" (want a whole number ≥ 0)`},
		{"snapshot two", "snapshot a b", `scenario line 1: "snapshot": wrong arguments: want snapshot [PATH.json | PATH.svg]`},
		{"set after step", "set nodes 3\nheal\n\nset seed 1", `scenario line 4: "set" after the first step (line 2): move the settings to the top`},
		{"set unknown", "set node 3", `scenario line 1: "set": unknown setting "node" (want one of bandwidth, jitter, latency, loss, maxpeers, nodes, seed)`},
		{"set no value", "set nodes", `scenario line 1: "set": want set NAME VALUE (NAME one of bandwidth, jitter, latency, loss, maxpeers, nodes, seed)`},
		{"set twice", "set nodes 3\n# x\nset nodes 4", `scenario line 3: "set": nodes is set already on line 1`},
		{"set bad nodes", "set nodes many", `scenario line 1: set nodes: bad number "many"`},
		{"set bad latency", "set latency 30", `scenario line 1: set latency: bad duration "30"`},
		{"set bad jitter", "set jitter x", `scenario line 1: set jitter: bad duration "x"`},
		{"set bad loss", "set loss -0.1", `scenario line 1: set loss: bad loss "-0.1"`},
		{"set NaN loss", "set loss NaN", `scenario line 1: set loss: bad loss "NaN"`},
		{"set bad bandwidth", "set bandwidth -1", `scenario line 1: set bandwidth: bad bandwidth "-1"`},
		{"set bad maxpeers", "set maxpeers 1.5", `scenario line 1: set maxpeers: bad number "1.5"`},
		{"set bad seed", "set seed -1", `scenario line 1: set seed: bad seed "-1" (want a whole number from 0 to 2^64-1)`},
		{"line too long", "heal\n" + strings.Repeat("x", 70000), `scenario line 2: bufio.Scanner: token too long`},
	}
	lineRE := regexp.MustCompile(`^scenario line \d+: `)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, err := ParseScenario(strings.NewReader(tt.in))
			if err == nil {
				t.Fatalf("no error; steps %q", stepLines(sc))
			}
			if !lineRE.MatchString(err.Error()) {
				t.Errorf("error %q names no line", err)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error\n%s\nwant it to start with\n%s", err, tt.want)
			}
		})
	}
}

// TestParseScenarioExample parses testdata/example.scenario.
func TestParseScenarioExample(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "example.scenario"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc, err := ParseScenario(f)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Settings.Nodes != 200 || sc.Settings.Seed != 7 || len(sc.Settings.Set) != 7 {
		t.Errorf("settings %+v", sc.Settings)
	}
	if len(sc.steps) != 13 {
		t.Errorf("%d steps: %q", len(sc.steps), stepLines(sc))
	}
}

// ringScenario joins 12 nodes in a ring of static peerings, cuts it in two
// halves and heals it (the static peerings across the cut redial, within a
// second or two since the partition is short), then changes a link, drops
// a connection, adds two nodes and removes them.
const ringScenario = `# A ring of 12.
set nodes 12
set latency 5ms
set seed 3

connect 0 1
connect 1 2
connect 2 3
connect 3 4
connect 4 5
connect 5 6
connect 6 7
connect 7 8
connect 8 9
connect 9 10
connect 10 11
connect 11 0
wait converged 2 timeout 20s
snapshot ring.svg

partition 0-5 | 6-11
wait components 2 timeout 20s
snapshot split.json
heal
wait connected 5 6 timeout 30s
wait connected 11 0 timeout 30s

link 0 1 latency 20ms jitter 1ms
disconnect 0 1
wait disconnected 0 1 timeout 20s
add 2
connect 12 0
connect 13 12
wait connected 13 12 timeout 20s
wait components 1 timeout 20s
remove 12-13
sleep 10ms
snapshot
`

func TestScenarioRun(t *testing.T) {
	sc, err := ParseScenario(strings.NewReader(ringScenario))
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{NoDiscovery: true}
	sc.Settings.Apply(&cfg)
	s := newSim(t, cfg)
	sc.Dir = t.TempDir()
	var log bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start := time.Now()
	err = sc.Run(ctx, s, &log)
	t.Logf("run took %v; log:\n%s", time.Since(start).Round(time.Millisecond), log.String())
	if err != nil {
		t.Fatal(err)
	}

	for _, want := range []string{
		"s step 1 (line 6): connect 0 1\n",
		"s step 15 (line 21): partition 0-5 | 6-11\n",
		"  met after ",
		"  added nodes 12-13\n",
		"  wrote " + filepath.Join(sc.Dir, "ring.svg") + ": 12 nodes, 12 connections, 1 components",
		"s done: 31 steps\n",
	} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log has no %q", want)
		}
	}
	if n := len(s.Nodes()); n != 12 {
		t.Errorf("%d nodes after the run, want 12", n)
	}

	svg, err := os.ReadFile(filepath.Join(sc.Dir, "ring.svg"))
	if err != nil {
		t.Fatal(err)
	}
	if c := svgCounts(t, svg); c["circle"] != 12 || c["line"] != 12 {
		t.Errorf("ring.svg: %v", c)
	}
	js, err := os.ReadFile(filepath.Join(sc.Dir, "split.json"))
	if err != nil {
		t.Fatal(err)
	}
	var split Snapshot
	if err := json.Unmarshal(js, &split); err != nil {
		t.Fatal(err)
	}
	if comps := split.Components(); len(comps) != 2 || len(comps[0]) != 6 {
		t.Errorf("split.json has components %v, want two halves", comps)
	}
}

// TestScenarioRunErrors checks that a failing step ends the run with an
// error that names its line, and that the steps after it do not run.
func TestScenarioRunErrors(t *testing.T) {
	tests := []struct {
		name, in string
		want     string
		is       error
	}{
		{"no node", "heal\nremove 5\nadd 1", "scenario line 2 (remove 5): sim: no node 5", nil},
		{"connect no node", "connect 0 9\nadd 1", "scenario line 1 (connect 0 9): sim: no node 0 or 9", nil},
		{"wait times out", "# never\nwait connected 0 1 timeout 200ms\nadd 1",
			"scenario line 2 (wait connected 0 1 timeout 200ms): sim: condition not met", context.DeadlineExceeded},
		{"snapshot nowhere", "snapshot no/such/dir/x.json\nadd 1", "scenario line 1 (snapshot no/such/dir/x.json): open ", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, err := ParseScenario(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			sc.Dir = t.TempDir()
			s := newSim(t, Config{Nodes: 2, NoDiscovery: true})
			err = sc.Run(context.Background(), s, nil)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("error %v, want one that starts with %q", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
			if n := len(s.Nodes()); n != 2 {
				t.Errorf("%d nodes: a step after the failing one ran", n)
			}
		})
	}
}

// TestScenarioCancel checks that cancelling the context stops a run
// promptly, in a step and between steps.
func TestScenarioCancel(t *testing.T) {
	s := newSim(t, Config{Nodes: 2, NoDiscovery: true})
	for _, in := range []string{"sleep 1h", "wait connected 0 1 timeout 1h"} {
		sc, err := ParseScenario(strings.NewReader("heal\n" + in + "\nadd 1\n"))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		start := time.Now()
		err = sc.Run(ctx, s, nil)
		if !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), "scenario line 2 ("+in+"): ") {
			t.Errorf("%s: error %v, want line 2 cancelled", in, err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s: cancelled after %v", in, d)
		}
	}

	sc, err := ParseScenario(strings.NewReader("add 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := sc.Run(ctx, s, nil); !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "scenario line 1 (add 1): not started") {
		t.Errorf("cancelled before the start: %v", err)
	}
	if n := len(s.Nodes()); n != 2 {
		t.Errorf("%d nodes, want 2", n)
	}
}

// TestScenarioGossipChurn runs the gossip and churn steps on a ring of
// static peers: the results land in the Scenario.
func TestScenarioGossipChurn(t *testing.T) {
	const nodes = 12
	var in strings.Builder
	for i := range nodes {
		fmt.Fprintf(&in, "connect %d %d\nconnect %d %d\n", i, (i+1)%nodes, i, (i+5)%nodes)
	}
	in.WriteString("wait converged 2 timeout 1m\ngossip 64KiB from 2 timeout 1m\ngossip 100\nchurn 3000% for 2s keep 1 settle 1h\n")
	sc, err := ParseScenario(strings.NewReader(in.String()))
	if err != nil {
		t.Fatal(err)
	}
	sc.Gossip = NewGossip(GossipConfig{})
	s := newSim(t, Config{Nodes: nodes, NoDiscovery: true, Protocols: sc.Gossip.Protocols,
		Link: memnet.Link{Latency: 5 * time.Millisecond}})
	var log bytes.Buffer
	err = sc.Run(context.Background(), s, &log)
	t.Logf("log:\n%s", log.String())
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.GossipResults) != 2 || sc.GossipResults[0].Delivered != nodes || sc.GossipResults[0].Size != 64<<10 ||
		sc.GossipResults[0].Origin != 2 || sc.GossipResults[1].Delivered != nodes {
		t.Errorf("gossip results %+v", sc.GossipResults)
	}
	if len(sc.ChurnResults) != 1 || sc.ChurnResults[0].Replaced == 0 {
		t.Errorf("churn results %+v", sc.ChurnResults)
	}
	if n := len(s.Nodes()); n != nodes {
		t.Errorf("%d nodes after churn, want %d", n, nodes)
	}
	if !strings.Contains(log.String(), "  gossip ") || !strings.Contains(log.String(), "  churn: ") {
		t.Error("the log lacks the results")
	}

	// Without a Gossip, a gossip step fails and says what to do.
	sc2, _ := ParseScenario(strings.NewReader("gossip 10\n"))
	err = sc2.Run(context.Background(), s, nil)
	if err == nil || !strings.Contains(err.Error(), "p2psim -protocol gossip") {
		t.Errorf("gossip without a Gossip: %v", err)
	}
}
