package harness

import (
	"errors"
	"math"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestLoopBounds(t *testing.T) {
	for _, tc := range []struct {
		name    string
		budget  Budget
		wantOps func(int64) bool
	}{
		{"maxops", Budget{Measure: time.Hour, MaxOps: 5}, func(n int64) bool { return n == 5 }},
		{"zero", Budget{}, func(n int64) bool { return n == 1 }},
		{"time", Budget{Warmup: 5 * time.Millisecond, Measure: 20 * time.Millisecond}, func(n int64) bool { return n >= 2 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var total int64
			s, err := Loop(tc.budget, 10, func(n int) error {
				total += int64(n)
				for range n {
					time.Sleep(time.Microsecond)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !tc.wantOps(s.Ops) {
				t.Fatalf("measured %d ops", s.Ops)
			}
			if s.Bytes != 10*s.Ops || total < s.Ops {
				t.Fatalf("bytes %d for %d ops, %d ops run", s.Bytes, s.Ops, total)
			}
			if tc.budget.MaxOps == 0 && s.Elapsed < tc.budget.Measure {
				t.Fatalf("measured %v, want at least %v", s.Elapsed, tc.budget.Measure)
			}
		})
	}
}

func TestLoopError(t *testing.T) {
	boom := errors.New("boom")
	if _, err := Loop(Budget{}, 0, func(int) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("got %v", err)
	}
}

func TestLoopAllocs(t *testing.T) {
	var sink []byte
	// 100,000 operations, so that an allocation by another goroutine in
	// the window does not count (with Budget{MaxOps: 1000} alone the run
	// is a single operation, and one CI run saw 8 allocs/op).
	s, err := Loop(Budget{Measure: time.Hour, MaxOps: 100_000}, 0, func(n int) error {
		for range n {
			sink = make([]byte, 100)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = sink
	if a := s.AllocsPerOp(); a < 0.9 || a > 1.5 {
		t.Fatalf("%.2f allocs/op, want 1", a)
	}
}

func fakeCase(name string, kind Kind, ours, geth time.Duration) Case {
	run := func(d time.Duration) func(Budget) (Sample, error) {
		return func(Budget) (Sample, error) { return Sample{Ops: 1000, Bytes: 1e6, Elapsed: d}, nil }
	}
	return Case{Name: name, Kind: kind, Impls: []Impl{{"ours", run(ours)}, {Baseline, run(geth)}}}
}

// TestRatioOrientation: a ratio above 1 means ours is better, whatever the
// unit.
func TestRatioOrientation(t *testing.T) {
	cases := []Case{
		fakeCase("k", KindKeccak, time.Second, 2*time.Second),
		fakeCase("t", KindTime, time.Second, 2*time.Second),
		fakeCase("r", KindRate, time.Second, 2*time.Second),
		fakeCase("x", KindThroughput, time.Second, 2*time.Second),
		fakeCase("skipped", KindTime, time.Second, time.Second),
	}
	var calls []string
	cases[1].Check = func() error { calls = append(calls, "check"); return nil }
	r, err := Run(cases, Options{Reps: 3, Only: regexp.MustCompile("^[ktrx]$")})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 1 || len(r.Cases) != 4 {
		t.Fatalf("checks %v, %d cases", calls, len(r.Cases))
	}
	rows := r.Rows()
	if len(rows) != 5 {
		t.Fatalf("%d rows, want 5", len(rows))
	}
	for _, row := range rows {
		if math.Abs(row.Ratio-2) > 1e-9 {
			t.Errorf("%s %s: ratio %v, want 2", row.Case, row.Unit, row.Ratio)
		}
	}
	if b := r.KeccakBound(); b != 1 {
		t.Errorf("Keccak bound %v MB/s, want 1", b)
	}
	if got := r.Ratio("x", "ours", "MB/s"); got != 2 {
		t.Errorf("Ratio = %v", got)
	}

	// JSON round trip, then the text forms.
	file := filepath.Join(t.TempDir(), "r.json")
	r.Variant = "test"
	r.Targets = []Target{{Name: "x faster", Case: "x", Impl: "ours", Unit: "MB/s", Want: 1.5, Measured: true, Value: 2}}
	if err := WriteJSON(file, []*Report{r}); err != nil {
		t.Fatal(err)
	}
	rs, err := ReadJSON(file)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || len(rs[0].Rows()) != 5 || len(rs[0].Table) != 5 {
		t.Fatalf("read back %d reports", len(rs))
	}
	var sb strings.Builder
	rs[0].WriteText(&sb)
	WriteSummary(&sb, rs)
	out := sb.String()
	for _, want := range []string{"2.00x", "ok   x faster", "ratio = how many times better ours is"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestMedian(t *testing.T) {
	ss := []Sample{{Ops: 1, Elapsed: 3}, {Ops: 1, Elapsed: 1}, {Ops: 1, Elapsed: 2}}
	if m := median(ss); m.NsPerOp != 2 {
		t.Fatalf("median %v ns/op, want 2", m.NsPerOp)
	}
	if m := median(ss[:2]); m.NsPerOp != 2 {
		t.Fatalf("median of two: %v ns/op, want 2", m.NsPerOp)
	}
}

func TestCPUModel(t *testing.T) {
	if e := CollectEnv(); e.CPU == "" || e.Cores < 1 || e.GoVersion == "" {
		t.Fatalf("env %+v", e)
	}
}

func TestLatencyLoop(t *testing.T) {
	var calls int
	s, err := LatencyLoop(Budget{Warmup: time.Millisecond, Measure: time.Hour, MaxOps: 1000}, func() error {
		calls++
		if calls%100 == 0 {
			time.Sleep(2 * time.Millisecond) // the slowest 1%
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if s.Ops != 1000 || calls < 1000 {
		t.Fatalf("%d ops measured, %d calls", s.Ops, calls)
	}
	if s.P50 >= time.Millisecond || s.P999 < 2*time.Millisecond || s.P99 > s.P999 || s.P50 > s.P99 {
		t.Fatalf("p50 %v, p99 %v, p99.9 %v", s.P50, s.P99, s.P999)
	}
}

func TestPercentile(t *testing.T) {
	d := []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for _, tc := range []struct {
		p    float64
		want time.Duration
	}{{0.5, 5}, {0.99, 10}, {0.999, 10}, {0, 1}} {
		if got := percentile(d, tc.p); got != tc.want {
			t.Errorf("percentile(%v) = %v, want %v", tc.p, got, tc.want)
		}
	}
}

// TestLatencyAndMemoryRows: lower latencies and costs make ratios above 1;
// more peers too.
func TestLatencyAndMemoryRows(t *testing.T) {
	lat := func(p50 time.Duration) func(Budget) (Sample, error) {
		return func(Budget) (Sample, error) {
			return Sample{Ops: 10, Elapsed: time.Second, P50: p50, P99: 2 * p50, P999: 4 * p50}, nil
		}
	}
	mem := func(peers int64, g int64) func(Budget) (Sample, error) {
		return func(Budget) (Sample, error) {
			return Sample{Ops: peers, Elapsed: time.Second, Mem: &Mem{Goroutines: g * peers, HeapStack: 1000 * g * peers, RSS: 2000 * g * peers}}, nil
		}
	}
	cases := []Case{
		{Name: "lat", Kind: KindLatency, Impls: []Impl{{"ours", lat(time.Microsecond)}, {Baseline, lat(2 * time.Microsecond)}}},
		{Name: "mem", Kind: KindMemory, Impls: []Impl{{"ours", mem(100, 2)}, {Baseline, mem(50, 4)}}},
		{Name: "big", Kind: KindMemory, FullOnly: true, Impls: []Impl{{"ours", mem(1, 1)}, {Baseline, mem(1, 1)}}},
	}
	r, err := Run(cases, Options{Mode: "short", Reps: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Cases) != 2 {
		t.Fatalf("%d cases run, want 2 (the full-only one skipped)", len(r.Cases))
	}
	want := map[string]float64{"p50 µs": 2, "p99 µs": 2, "p99.9 µs": 2, "peers": 2, "goroutines/peer": 2, "heap+stack B/peer": 2, "RSS B/peer": 2}
	rows := r.Rows()
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(rows), len(want))
	}
	for _, row := range rows {
		if math.Abs(row.Ratio-want[row.Unit]) > 1e-9 {
			t.Errorf("%s %s: ratio %v, want %v", row.Case, row.Unit, row.Ratio, want[row.Unit])
		}
	}
	if row, _ := r.Row("lat", "ours", "p50 µs"); row.Ours != 1 {
		t.Errorf("p50 %v µs, want 1", row.Ours)
	}
	if row, _ := r.Row("mem", "ours", "heap+stack B/peer"); row.Ours != 2000 || row.Geth != 4000 {
		t.Errorf("heap+stack per peer %v and %v, want 2000 and 4000", row.Ours, row.Geth)
	}
	// JSON must take every row (no NaN, no Inf).
	if err := WriteJSON(filepath.Join(t.TempDir(), "r.json"), []*Report{r}); err != nil {
		t.Fatal(err)
	}
}

func TestTargetMet(t *testing.T) {
	for _, tc := range []struct {
		t    Target
		want bool
	}{
		{Target{Want: 2, Value: 2, Measured: true}, true},
		{Target{Want: 2, Value: 1.9, Measured: true}, false},
		{Target{Want: 2, Value: 3}, false},
		{Target{Want: 2, Value: 1.5, AtMost: true, Measured: true, Figure: FigureOurs}, true},
		{Target{Want: 2, Value: 2.5, AtMost: true, Measured: true, Figure: FigureOurs}, false},
	} {
		if got := tc.t.Met(); got != tc.want {
			t.Errorf("%+v: Met() = %v", tc.t, got)
		}
	}
}
