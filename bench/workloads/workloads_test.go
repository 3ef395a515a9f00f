package workloads

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/seednet/p2p/bench/harness"
)

func TestMain(m *testing.M) {
	RunHubIfAsked() // the idle cases start this binary as their hub
	// go-ethereum's node database is goleveldb, whose memory-pool drainer
	// outlives DB.Close until its next tick; it is not ours to stop.
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/syndtr/goleveldb/leveldb.(*DB).mpoolDrain"))
}

// TestSmoke runs every case's Check and one tiny sample of every
// implementation: both sides must do the same work, and every sample must
// count its operations and bytes.
func TestSmoke(t *testing.T) {
	tiny := harness.Budget{MaxOps: 2}
	for _, c := range All() {
		t.Run(c.Name, func(t *testing.T) {
			if c.Check == nil && c.Name != "crypto/generatekey" {
				t.Fatal("case has no Check")
			}
			if c.Check != nil {
				if err := c.Check(); err != nil {
					t.Fatal("check:", err)
				}
			}
			var bytesPerOp []int64
			for _, im := range c.Impls {
				s, err := im.Run(tiny)
				if err != nil {
					t.Fatalf("%s: %v", im.Name, err)
				}
				if s.Ops < 1 || s.Ops > tiny.MaxOps || s.Elapsed <= 0 {
					t.Fatalf("%s: %d ops in %v, want 1 to %d", im.Name, s.Ops, s.Elapsed, tiny.MaxOps)
				}
				bytesPerOp = append(bytesPerOp, s.Bytes/s.Ops)
			}
			for i, b := range bytesPerOp {
				if b != bytesPerOp[0] {
					t.Fatalf("%s processed %d bytes per operation, %s %d", c.Impls[i].Name, b, c.Impls[0].Name, bytesPerOp[0])
				}
				wantBytes := c.Kind == harness.KindThroughput || c.Kind == harness.KindKeccak
				if wantBytes != (b > 0) {
					t.Fatalf("%s: %d bytes per operation in a %s case", c.Impls[i].Name, b, c.Kind)
				}
			}
		})
	}
}

// TestCases checks the shape of the case list: unique names, one baseline
// each, ours first.
func TestCases(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range All() {
		if seen[c.Name] {
			t.Errorf("duplicate case %s", c.Name)
		}
		seen[c.Name] = true
		base := 0
		for _, im := range c.Impls {
			if im.Name == harness.Baseline {
				base++
			}
		}
		if base != 1 || c.Impls[0].Name != "ours" {
			t.Errorf("case %s: impls %v, want ours first and one %s", c.Name, c.Impls, harness.Baseline)
		}
	}
	if p := Pending(); len(p) != 0 {
		t.Errorf("pending workloads: %q", p)
	}
}

// TestTargets checks that every target names a case and row that exist.
func TestTargets(t *testing.T) {
	for _, variant := range []string{VariantDefault, VariantNoCgo, VariantLibsecp} {
		r := &harness.Report{Variant: variant}
		for _, c := range All() {
			cr := harness.CaseResult{Name: c.Name, Kind: c.Kind}
			for _, im := range c.Impls {
				cr.Impls = append(cr.Impls, harness.ImplResult{Name: im.Name,
					Median: harness.Summary{NsPerOp: 1, OpsPerSec: 1, MBPerSec: 1, P50: 1, P99: 1, P999: 1,
						Peers: 1, GoroutinesPerPeer: 1, HeapStackPerPeer: 1, RSSPerPeer: 1}})
			}
			r.Cases = append(r.Cases, cr)
		}
		for _, tg := range Targets(r) {
			// Every figure is 1 (the Keccak bound too, so shares are 1).
			if !tg.Measured || tg.Value != 1 {
				t.Errorf("%s: target %q: measured %v, value %v", variant, tg.Name, tg.Measured, tg.Value)
			}
		}
	}
}

func TestVariantOf(t *testing.T) {
	for _, tc := range []struct {
		env  harness.Env
		want string
	}{
		{harness.Env{CGO: true}, VariantDefault},
		{harness.Env{CGO: false}, VariantNoCgo},
		{harness.Env{CGO: true, Tags: "foo,libsecp256k1"}, VariantLibsecp},
	} {
		if got := VariantOf(tc.env); got != tc.want {
			t.Errorf("VariantOf(%+v) = %s, want %s", tc.env, got, tc.want)
		}
	}
}
