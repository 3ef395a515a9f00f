package harness

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"text/tabwriter"
	"time"
)

// Report is the result of one run of the benchmark program: one build
// variant on one machine.
type Report struct {
	// Variant names the build: "default" (ours pure Go, geth with cgo),
	// "nocgo" (both pure Go) or "libsecp256k1" (ours with the build tag,
	// geth with cgo).
	Variant string `json:"variant"`
	Env     Env    `json:"env"`

	Mode    string        `json:"mode"`
	Reps    int           `json:"reps"`
	Warmup  time.Duration `json:"warmup_ns"`
	Measure time.Duration `json:"measure_ns"`

	Cases []CaseResult `json:"cases"`
	// Pending lists workloads that cannot be measured yet, and why.
	Pending []string `json:"pending,omitempty"`
	// Targets are the goals checked against this report.
	Targets []Target `json:"targets,omitempty"`
	// Table is what WriteText prints, for readers of the JSON file; it is
	// filled by WriteJSON.
	Table []TableRow `json:"table,omitempty"`
}

// TableRow is a Row in JSON: figures that do not apply are left out.
type TableRow struct {
	Case       string   `json:"case"`
	Impl       string   `json:"impl"`
	Unit       string   `json:"unit"`
	Ours       float64  `json:"ours"`
	Geth       float64  `json:"geth"`
	Ratio      float64  `json:"ratio"`
	OursKeccak *float64 `json:"ours_keccak_fraction,omitempty"`
	GethKeccak *float64 `json:"geth_keccak_fraction,omitempty"`
	OursAllocs float64  `json:"ours_allocs_per_op"`
	GethAllocs float64  `json:"geth_allocs_per_op"`
}

// CaseResult holds every sample of one case.
type CaseResult struct {
	Name  string       `json:"name"`
	Kind  Kind         `json:"kind"`
	Impls []ImplResult `json:"impls"`
}

// ImplResult holds one implementation's samples and their medians.
type ImplResult struct {
	Name    string   `json:"name"`
	Samples []Sample `json:"samples"`
	Median  Summary  `json:"median"`
}

// Summary is the median of each figure over a set of samples.
type Summary struct {
	NsPerOp     float64 `json:"ns_per_op"`
	OpsPerSec   float64 `json:"ops_per_sec"`
	MBPerSec    float64 `json:"mb_per_sec"`
	AllocsPerOp float64 `json:"allocs_per_op"`

	// Latency cases: percentiles in nanoseconds.
	P50  float64 `json:"p50_ns,omitempty"`
	P99  float64 `json:"p99_ns,omitempty"`
	P999 float64 `json:"p999_ns,omitempty"`

	// Memory cases: peers held and what each costs the node.
	Peers             float64 `json:"peers,omitempty"`
	GoroutinesPerPeer float64 `json:"goroutines_per_peer,omitempty"`
	HeapStackPerPeer  float64 `json:"heap_stack_bytes_per_peer,omitempty"`
	RSSPerPeer        float64 `json:"rss_bytes_per_peer,omitempty"`
}

// Target is a goal for one row: a figure of the row at least (or, with
// AtMost, at most) Want.
type Target struct {
	Name string `json:"name"` // what is compared, in words
	Case string `json:"case"` // the case
	Impl string `json:"impl"` // our implementation in the comparison
	Unit string `json:"unit"` // the row's unit
	// Figure is the figure of the row compared with Want: FigureRatio (the
	// default), FigureOurs or FigureKeccak.
	Figure string  `json:"figure,omitempty"`
	Want   float64 `json:"want"`
	AtMost bool    `json:"at_most,omitempty"` // Want is a maximum, not a minimum
	// Measured is false when the case did not run in this report.
	Measured bool    `json:"measured"`
	Value    float64 `json:"value"` // the figure measured
}

// Figures a Target can compare.
const (
	// FigureRatio is the row's ratio, >1 meaning ours is better.
	FigureRatio = ""
	// FigureOurs is our figure in the row's unit.
	FigureOurs = "ours"
	// FigureKeccak is our MB/s as a fraction of the Keccak bound.
	FigureKeccak = "keccak"
)

// Met reports whether the target was measured and reached.
func (t Target) Met() bool {
	if !t.Measured {
		return false
	}
	if t.AtMost {
		return t.Value <= t.Want
	}
	return t.Value >= t.Want
}

// Describe prints the measured figure and the goal, in the figure's form.
func (t Target) Describe() string {
	cmp := ">="
	if t.AtMost {
		cmp = "<="
	}
	switch t.Figure {
	case FigureOurs:
		return fmt.Sprintf("%8s  want %s %s %s", num(t.Value), cmp, num(t.Want), t.Unit)
	case FigureKeccak:
		return fmt.Sprintf("%7.0f%%  want %s %.0f%% of the Keccak bound", 100*t.Value, cmp, 100*t.Want)
	default:
		return fmt.Sprintf("%7.2fx  want %s %.2fx", t.Value, cmp, t.Want)
	}
}

// Row is one line of the table: one of our implementations against the
// baseline in one figure.
type Row struct {
	Kind Kind
	Case string
	Impl string // our implementation
	Unit string // "ns/op", "ops/s", "MB/s", "msgs/s", "p50 µs", "peers", ...
	Ours float64
	Geth float64
	// Ratio is how many times better ours is: geth/ours for ns/op,
	// ours/geth for rates.
	Ratio float64
	// OursBound and GethBound are the figures as a fraction of the Keccak
	// bound (MB/s rows only), or NaN.
	OursBound, GethBound   float64
	OursAllocs, GethAllocs float64
}

// KeccakBound returns the Keccak-256 MB/s on one core that bounds frame
// throughput: the fastest implementation's median in the keccak case, or
// NaN if that case did not run.
func (r *Report) KeccakBound() float64 {
	bound := math.NaN()
	for _, c := range r.Cases {
		if c.Kind != KindKeccak {
			continue
		}
		for _, im := range c.Impls {
			if math.IsNaN(bound) || im.Median.MBPerSec > bound {
				bound = im.Median.MBPerSec
			}
		}
	}
	return bound
}

// Rows compares every non-baseline implementation with the baseline.
func (r *Report) Rows() []Row {
	bound := r.KeccakBound()
	var rows []Row
	for _, c := range r.Cases {
		var base *ImplResult
		for i := range c.Impls {
			if c.Impls[i].Name == Baseline {
				base = &c.Impls[i]
			}
		}
		if base == nil {
			continue
		}
		for _, im := range c.Impls {
			if im.Name == Baseline {
				continue
			}
			row := Row{Kind: c.Kind, Case: c.Name, Impl: im.Name, OursBound: math.NaN(), GethBound: math.NaN(),
				OursAllocs: im.Median.AllocsPerOp, GethAllocs: base.Median.AllocsPerOp}
			switch c.Kind {
			case KindTime:
				row.Unit, row.Ours, row.Geth = "ns/op", im.Median.NsPerOp, base.Median.NsPerOp
				row.Ratio = row.Geth / row.Ours
				rows = append(rows, row)
			case KindRate:
				row.Unit, row.Ours, row.Geth = "ops/s", im.Median.OpsPerSec, base.Median.OpsPerSec
				row.Ratio = row.Ours / row.Geth
				rows = append(rows, row)
			case KindKeccak, KindThroughput:
				mb := row
				mb.Unit, mb.Ours, mb.Geth = "MB/s", im.Median.MBPerSec, base.Median.MBPerSec
				mb.Ratio = mb.Ours / mb.Geth
				mb.OursBound, mb.GethBound = mb.Ours/bound, mb.Geth/bound
				rows = append(rows, mb)
				if c.Kind == KindThroughput {
					row.Unit, row.Ours, row.Geth = "msgs/s", im.Median.OpsPerSec, base.Median.OpsPerSec
					row.Ratio = row.Ours / row.Geth
					rows = append(rows, row)
				}
			case KindLatency:
				for _, f := range []struct {
					unit       string
					ours, geth float64
				}{
					{"p50 µs", im.Median.P50, base.Median.P50},
					{"p99 µs", im.Median.P99, base.Median.P99},
					{"p99.9 µs", im.Median.P999, base.Median.P999},
				} {
					row.Unit, row.Ours, row.Geth = f.unit, f.ours/1e3, f.geth/1e3
					row.Ratio = row.Geth / row.Ours
					rows = append(rows, row)
				}
			case KindMemory:
				row.OursAllocs, row.GethAllocs = 0, 0
				row.Unit, row.Ours, row.Geth = "peers", im.Median.Peers, base.Median.Peers
				row.Ratio = row.Ours / row.Geth
				rows = append(rows, row)
				for _, f := range []struct {
					unit       string
					ours, geth float64
				}{
					{"goroutines/peer", im.Median.GoroutinesPerPeer, base.Median.GoroutinesPerPeer},
					{"heap+stack B/peer", im.Median.HeapStackPerPeer, base.Median.HeapStackPerPeer},
					{"RSS B/peer", im.Median.RSSPerPeer, base.Median.RSSPerPeer},
				} {
					row.Unit, row.Ours, row.Geth = f.unit, f.ours, f.geth
					row.Ratio = row.Geth / row.Ours
					rows = append(rows, row)
				}
			}
		}
	}
	return rows
}

// Ratio returns the ratio of the row for case, impl and unit, or NaN.
func (r *Report) Ratio(caseName, impl, unit string) float64 {
	if row, ok := r.Row(caseName, impl, unit); ok {
		return row.Ratio
	}
	return math.NaN()
}

// Row returns the row for case, impl and unit, if r has it.
func (r *Report) Row(caseName, impl, unit string) (Row, bool) {
	for _, row := range r.Rows() {
		if row.Case == caseName && row.Impl == impl && row.Unit == unit {
			return row, true
		}
	}
	return Row{}, false
}

// WriteText prints the report as a table with its environment.
func (r *Report) WriteText(w io.Writer) {
	e := r.Env
	fmt.Fprintf(w, "== variant %s: ours %s; geth %s\n", r.Variant, e.Ours, e.Geth)
	cgo := 0
	if e.CGO {
		cgo = 1
	}
	fmt.Fprintf(w, "machine: %s, %d cores (GOMAXPROCS %d), %s/%s; %s; CGO_ENABLED=%d tags=%q\n",
		e.CPU, e.Cores, e.GOMAXPROCS, e.OS, e.Arch, e.GoVersion, cgo, e.Tags)
	fmt.Fprintf(w, "date: %s\ncommand: %s\n", e.Date, e.Command)
	fmt.Fprintf(w, "%s mode: %d repetitions per case, alternating ours and geth; each sample %v after %v warm-up; figures are medians\n",
		r.Mode, r.Reps, r.Measure, r.Warmup)
	fmt.Fprintf(w, "ratio = how many times better ours is (>1: ours better): geth/ours for ns/op, latencies and per-peer costs, ours/geth for ops/s, MB/s, msgs/s, peers\n")
	if b := r.KeccakBound(); !math.IsNaN(b) {
		fmt.Fprintf(w, "Keccak bound: %.0f MB/s (fastest Keccak-256 on one core); %%K = share of it\n", b)
	}
	fmt.Fprintln(w)

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "workload\tunit\tours\tgeth\tratio\tours %K\tgeth %K\tours allocs/op\tgeth allocs/op\t")
	for _, row := range r.Rows() {
		name := row.Case
		if row.Impl != "ours" {
			name += " [" + row.Impl + "]"
		}
		oa, ga := allocs(row.OursAllocs), allocs(row.GethAllocs)
		if row.Kind == KindMemory {
			oa, ga = "", ""
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.2fx\t%s\t%s\t%s\t%s\t\n", name, row.Unit,
			num(row.Ours), num(row.Geth), row.Ratio, pct(row.OursBound), pct(row.GethBound), oa, ga)
	}
	tw.Flush()
	if len(r.Targets) > 0 {
		fmt.Fprintln(w, "\ntargets (ratio, same run):")
		for _, t := range r.Targets {
			fmt.Fprintf(w, "  %-4s %-62s %s\n", verdict(t), t.Name, t.Describe())
		}
	}
	if len(r.Pending) > 0 {
		fmt.Fprintln(w, "\nnot measured yet:")
		for _, p := range r.Pending {
			fmt.Fprintf(w, "  %s\n", p)
		}
	}
	fmt.Fprintln(w)
}

func verdict(t Target) string {
	switch {
	case !t.Measured:
		return "n/a"
	case t.Met():
		return "ok"
	default:
		return "MISS"
	}
}

func num(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

func pct(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return fmt.Sprintf("%.0f%%", 100*v)
}

func allocs(v float64) string {
	if v >= 10 || v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

// WriteJSON writes reports to file as a JSON array.
func WriteJSON(file string, reports []*Report) error {
	for _, r := range reports {
		r.Table = r.Table[:0]
		for _, row := range r.Rows() {
			tr := TableRow{Case: row.Case, Impl: row.Impl, Unit: row.Unit, Ours: row.Ours, Geth: row.Geth,
				Ratio: row.Ratio, OursAllocs: row.OursAllocs, GethAllocs: row.GethAllocs}
			if !math.IsNaN(row.OursBound) {
				tr.OursKeccak, tr.GethKeccak = &row.OursBound, &row.GethBound
			}
			r.Table = append(r.Table, tr)
		}
	}
	b, err := json.MarshalIndent(reports, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(file, append(b, '\n'), 0o644)
}

// ReadJSON reads the reports that WriteJSON wrote.
func ReadJSON(file string) ([]*Report, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var rs []*Report
	if err := json.Unmarshal(b, &rs); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return rs, nil
}

// WriteSummary prints the targets of several reports in one list.
func WriteSummary(w io.Writer, reports []*Report) {
	fmt.Fprintln(w, "== targets over all variants (ratio >1: ours better)")
	for _, r := range reports {
		for _, t := range r.Targets {
			fmt.Fprintf(w, "  %-4s %-13s %-62s %s\n", verdict(t), r.Variant, t.Name, t.Describe())
		}
	}
	var b strings.Builder
	for _, r := range reports {
		fmt.Fprintf(&b, " %s", r.Variant)
	}
	fmt.Fprintf(w, "variants:%s\n", b.String())
}
