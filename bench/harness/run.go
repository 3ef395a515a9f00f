package harness

import (
	"fmt"
	"io"
	"regexp"
	"runtime"
	"slices"
	"time"
)

// Baseline is the name of the implementation every other one is compared
// with.
const Baseline = "geth"

// Kind says how a case is measured and which figures the table shows.
type Kind string

const (
	// KindTime: ns/op, lower is better (RLP, crypto primitives).
	KindTime Kind = "time"
	// KindRate: operations per second, higher is better (handshakes).
	KindRate Kind = "rate"
	// KindThroughput: MB/s and messages/s, higher is better, also shown as a
	// percentage of the Keccak bound (RLPx frames).
	KindThroughput Kind = "throughput"
	// KindKeccak: MB/s of Keccak-256 on one core; the fastest implementation
	// sets the bound that throughput cases are compared with.
	KindKeccak Kind = "keccak"
	// KindLatency: p50, p99 and p99.9 of single operations, lower is better
	// (ping-pong); samples come from LatencyLoop.
	KindLatency Kind = "latency"
	// KindMemory: what a node holds per peer (goroutines, heap and stack,
	// RSS), lower is better, and how many peers it held, higher is better;
	// samples carry a Mem.
	KindMemory Kind = "memory"
)

// Case is one workload at one setting, run by several implementations.
type Case struct {
	// Name identifies the case, e.g. "rlpx/64KiB/plain". The -only flag
	// matches it.
	Name string
	Kind Kind
	// Impls are the implementations, run in this order in every repetition.
	// Exactly one is named Baseline.
	Impls []Impl
	// Check, if not nil, runs every implementation once and returns an error
	// unless they all did the same work (same bytes out, same result). The
	// runner calls it before measuring.
	Check func() error
	// FullOnly cases run only in full mode (Options.Mode "full").
	FullOnly bool
}

// Impl is one implementation of a case.
type Impl struct {
	// Name is "ours", Baseline, or "ours" with a suffix naming a variant of
	// ours ("ours+batch").
	Name string
	// Run measures one sample within the budget.
	Run func(Budget) (Sample, error)
}

// Options control a run.
type Options struct {
	Mode   string // "short" or "full", for the report
	Reps   int    // repetitions of each implementation, alternating
	Budget Budget // per sample
	// Only, if not nil, selects the cases whose names it matches.
	Only *regexp.Regexp
	// Timeout bounds one sample (Check included); the run fails past it.
	// Zero means no bound.
	Timeout time.Duration
	// Progress, if not nil, receives a line per sample.
	Progress io.Writer
}

// Run checks and measures cases: for each case, Reps rounds in each of which
// every implementation takes one sample, so implementations alternate and
// drift in machine load spreads over all of them.
func Run(cases []Case, opts Options) (*Report, error) {
	if opts.Reps < 1 {
		opts.Reps = 1
	}
	r := &Report{
		Mode:    opts.Mode,
		Reps:    opts.Reps,
		Warmup:  opts.Budget.Warmup,
		Measure: opts.Budget.Measure,
	}
	for _, c := range cases {
		if opts.Only != nil && !opts.Only.MatchString(c.Name) {
			continue
		}
		if c.FullOnly && opts.Mode != "full" {
			continue
		}
		if !slices.ContainsFunc(c.Impls, func(im Impl) bool { return im.Name == Baseline }) {
			return nil, fmt.Errorf("case %s has no %q implementation", c.Name, Baseline)
		}
		if c.Check != nil {
			if err := bounded(opts.Timeout, c.Check); err != nil {
				return nil, fmt.Errorf("case %s: check: %w", c.Name, err)
			}
		}
		cr := CaseResult{Name: c.Name, Kind: c.Kind}
		for _, im := range c.Impls {
			cr.Impls = append(cr.Impls, ImplResult{Name: im.Name})
		}
		for rep := range opts.Reps {
			for i, im := range c.Impls {
				runtime.GC()
				var s Sample
				err := bounded(opts.Timeout, func() (err error) {
					s, err = im.Run(opts.Budget)
					return err
				})
				if err != nil {
					return nil, fmt.Errorf("case %s, %s: %w", c.Name, im.Name, err)
				}
				if s.Ops <= 0 || s.Elapsed <= 0 {
					return nil, fmt.Errorf("case %s, %s: empty sample", c.Name, im.Name)
				}
				cr.Impls[i].Samples = append(cr.Impls[i].Samples, s)
				if opts.Progress != nil {
					fmt.Fprintf(opts.Progress, "%-34s %-10s rep %d/%d: %s\n", c.Name, im.Name, rep+1, opts.Reps, brief(c.Kind, s))
				}
			}
		}
		for i := range cr.Impls {
			cr.Impls[i].Median = median(cr.Impls[i].Samples)
		}
		r.Cases = append(r.Cases, cr)
	}
	return r, nil
}

// bounded runs f and fails if it takes longer than d. A sample that hangs
// is a bug in a workload (every socket there has a deadline too); the
// goroutine is abandoned because the program is about to exit anyway.
func bounded(d time.Duration, f func() error) error {
	if d <= 0 {
		return f()
	}
	done := make(chan error, 1)
	go func() { done <- f() }()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-t.C:
		return fmt.Errorf("timed out after %v", d)
	}
}

func brief(k Kind, s Sample) string {
	switch k {
	case KindTime:
		return fmt.Sprintf("%.0f ns/op, %.1f allocs/op", s.NsPerOp(), s.AllocsPerOp())
	case KindRate:
		return fmt.Sprintf("%.0f ops/s, %.1f allocs/op", s.OpsPerSec(), s.AllocsPerOp())
	case KindLatency:
		return fmt.Sprintf("p50 %v, p99 %v, p99.9 %v, %.1f allocs/op", s.P50, s.P99, s.P999, s.AllocsPerOp())
	case KindMemory:
		return fmt.Sprintf("%d peers in %v; per peer: %.2f goroutines, %.0f B heap+stack, %.0f B RSS", s.Ops,
			s.Elapsed.Round(time.Millisecond), s.PerPeer(memGoroutines), s.PerPeer(memHeapStack), s.PerPeer(memRSS))
	default:
		return fmt.Sprintf("%.1f MB/s, %.0f ops/s, %.2f allocs/op", s.MBPerSec(), s.OpsPerSec(), s.AllocsPerOp())
	}
}

// median summarizes samples by the median of each figure.
func median(ss []Sample) Summary {
	pick := func(f func(Sample) float64) float64 {
		v := make([]float64, len(ss))
		for i, s := range ss {
			v[i] = f(s)
		}
		slices.Sort(v)
		if len(v)%2 == 1 {
			return v[len(v)/2]
		}
		return (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	return Summary{
		NsPerOp:     pick(Sample.NsPerOp),
		OpsPerSec:   pick(Sample.OpsPerSec),
		MBPerSec:    pick(Sample.MBPerSec),
		AllocsPerOp: pick(Sample.AllocsPerOp),

		P50:  pick(func(s Sample) float64 { return float64(s.P50) }),
		P99:  pick(func(s Sample) float64 { return float64(s.P99) }),
		P999: pick(func(s Sample) float64 { return float64(s.P999) }),

		Peers:             pick(func(s Sample) float64 { return float64(s.Ops) * b2f(s.Mem != nil) }),
		GoroutinesPerPeer: pick(func(s Sample) float64 { return s.PerPeer(memGoroutines) }),
		HeapStackPerPeer:  pick(func(s Sample) float64 { return s.PerPeer(memHeapStack) }),
		RSSPerPeer:        pick(func(s Sample) float64 { return s.PerPeer(memRSS) }),
	}
}

func memGoroutines(m Mem) int64 { return m.Goroutines }
func memHeapStack(m Mem) int64  { return m.HeapStack }
func memRSS(m Mem) int64        { return m.RSS }

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
