// Command p2pbench measures this library against go-ethereum v1.17.10 in
// one process, alternating between the two, and prints a table of both
// figures and their ratio, oriented so that a ratio above 1 means ours is
// better.
//
// Usage:
//
//	p2pbench [-short | -full] [-reps N] [-warmup D] [-time D] [-only REGEXP] [-json FILE] [-cpuprofile FILE]
//	p2pbench -list
//	p2pbench -merge [-json FILE] REPORT.json...
//
// -short (the default) takes 2 samples of each implementation, 300 ms each;
// -full takes 5 samples of 1 s each, and adds the cases marked full-only
// (10,000 idle peers). The figures are medians. The idle-peers cases run
// their hub in a second process: this program, started again with
// P2PBENCH_HUB set (see workloads.HubEnv). The build
// decides the secp256k1 implementations (see ../../run.sh, which builds
// the three variants and merges their reports with -merge).
package main

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"runtime/pprof"
	"time"

	"github.com/seednet/p2p/bench/harness"
	"github.com/seednet/p2p/bench/workloads"
)

const gethModule = "github.com/ethereum/go-ethereum"

func main() {
	// The idle-peers cases start this program again as their hub.
	workloads.RunHubIfAsked()
	var (
		short      = flag.Bool("short", false, "short run: 2 repetitions of 300 ms samples (the default)")
		full       = flag.Bool("full", false, "full run: 5 repetitions of 1 s samples")
		reps       = flag.Int("reps", 0, "repetitions per case, overriding -short/-full")
		warmup     = flag.Duration("warmup", 0, "warm-up per sample, overriding -short/-full")
		measure    = flag.Duration("time", 0, "measured time per sample, overriding -short/-full")
		only       = flag.String("only", "", "run only the cases whose names match this regular expression")
		jsonFile   = flag.String("json", "", "write the report(s) as JSON to this file")
		merge      = flag.Bool("merge", false, "print the JSON reports named as arguments together instead of measuring")
		list       = flag.Bool("list", false, "list the cases and exit")
		cpuprofile = flag.String("cpuprofile", "", "write a CPU profile of the measurements to this file")
		quiet      = flag.Bool("q", false, "no progress lines on stderr")
		timeout    = flag.Duration("timeout", 2*time.Minute, "fail if one sample takes longer than this")
	)
	flag.Parse()
	if *merge {
		if err := mergeReports(flag.Args(), *jsonFile); err != nil {
			fatal(err)
		}
		return
	}
	if flag.NArg() > 0 {
		fatal(fmt.Errorf("unexpected arguments %q", flag.Args()))
	}
	if *short && *full {
		fatal(fmt.Errorf("-short and -full exclude each other"))
	}

	cases := workloads.All()
	if *list {
		for _, c := range cases {
			fmt.Println(c.Name)
		}
		for _, p := range workloads.Pending() {
			fmt.Println("pending:", p)
		}
		return
	}

	opts := harness.Options{
		Mode:    "short",
		Reps:    2,
		Budget:  harness.Budget{Warmup: 100 * time.Millisecond, Measure: 300 * time.Millisecond},
		Timeout: *timeout,
	}
	if *full {
		opts.Mode = "full"
		opts.Reps = 5
		opts.Budget = harness.Budget{Warmup: 300 * time.Millisecond, Measure: time.Second}
	}
	if *reps > 0 {
		opts.Reps = *reps
	}
	if *warmup > 0 {
		opts.Budget.Warmup = *warmup
	}
	if *measure > 0 {
		opts.Budget.Measure = *measure
	}
	if *only != "" {
		re, err := regexp.Compile(*only)
		if err != nil {
			fatal(fmt.Errorf("-only: %w", err))
		}
		opts.Only = re
	}
	if !*quiet {
		opts.Progress = os.Stderr
	}

	env := harness.CollectEnv()
	variant := workloads.VariantOf(env)
	env.Ours, env.Geth = describe(variant)

	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fatal(err)
		}
		defer func() {
			pprof.StopCPUProfile()
			f.Close()
		}()
	}
	r, err := harness.Run(cases, opts)
	if err != nil {
		pprof.StopCPUProfile()
		fatal(err)
	}
	r.Variant, r.Env = variant, env
	r.Pending = workloads.Pending()
	r.Targets = workloads.Targets(r)
	r.WriteText(os.Stdout)
	if *jsonFile != "" {
		if err := harness.WriteJSON(*jsonFile, []*harness.Report{r}); err != nil {
			fatal(err)
		}
	}
}

// describe says how each side is built in a variant.
func describe(variant string) (ours, geth string) {
	gv := harness.ModuleVersion(gethModule)
	switch variant {
	case workloads.VariantNoCgo:
		return "secp256k1 in pure Go (secp256k1-voi, decred for signing)", "go-ethereum " + gv + ", secp256k1 in pure Go (decred, CGO_ENABLED=0)"
	case workloads.VariantLibsecp:
		return "secp256k1 from the system libsecp256k1 (cgo, -tags libsecp256k1)", "go-ethereum " + gv + ", secp256k1 from its bundled libsecp256k1 (cgo)"
	default:
		return "secp256k1 in pure Go (secp256k1-voi, decred for signing)", "go-ethereum " + gv + ", secp256k1 from its bundled libsecp256k1 (cgo)"
	}
}

// mergeReports prints the reports in files one after another, then every
// target in one list; with out set, it also writes them all to one file.
func mergeReports(files []string, out string) error {
	if len(files) == 0 {
		return fmt.Errorf("-merge needs JSON report files")
	}
	var all []*harness.Report
	for _, f := range files {
		rs, err := harness.ReadJSON(f)
		if err != nil {
			return err
		}
		all = append(all, rs...)
	}
	for _, r := range all {
		r.WriteText(os.Stdout)
	}
	harness.WriteSummary(os.Stdout, all)
	if out != "" {
		return harness.WriteJSON(out, all)
	}
	return nil
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "p2pbench:", err)
	os.Exit(1)
}
