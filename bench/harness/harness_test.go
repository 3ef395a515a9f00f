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
	s, err := Loop(Budget{MaxOps: 1000}, 0, func(n int) error {
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
	r.Targets = []Target{{Name: "x faster", Case: "x", Impl: "ours", Unit: "MB/s", Want: 1.5, Measured: true, Ratio: 2}}
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
