package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

func TestRegistryText(t *testing.T) {
	r := NewRegistry()
	c := r.Counter("p2p_test_total", "Things counted.", "reason")
	c.With("b").Add(2)
	c.With("a").Add(1)
	c.With(`q"u\o` + "\n").Add(1)
	r.Gauge("p2p_level", "A level\nwith two lines.").With().Set(-1.5)
	h := r.Histogram("p2p_seconds", "Durations.", []float64{0.1, 1}, "dir")
	for _, v := range []float64{0.05, 0.1, 0.5, 3} {
		h.With("in").Observe(v)
	}
	r.Counter("p2p_empty_total", "No series yet.", "x")
	r.Gauge("p2p_unlabelled", "Shows as zero before it is set.")
	r.Func("p2p_func", "Read at collection.", KindGauge, []string{"k"}, func(emit func(float64, ...string)) {
		emit(2, "z")
		emit(1, "y")
		emit(9) // wrong number of labels: dropped
	})
	var sb strings.Builder
	if err := r.WriteText(&sb); err != nil {
		t.Fatal(err)
	}
	want := `# HELP p2p_func Read at collection.
# TYPE p2p_func gauge
p2p_func{k="y"} 1
p2p_func{k="z"} 2
# HELP p2p_level A level\nwith two lines.
# TYPE p2p_level gauge
p2p_level -1.5
# HELP p2p_seconds Durations.
# TYPE p2p_seconds histogram
p2p_seconds_bucket{dir="in",le="0.1"} 2
p2p_seconds_bucket{dir="in",le="1"} 3
p2p_seconds_bucket{dir="in",le="+Inf"} 4
p2p_seconds_sum{dir="in"} 3.65
p2p_seconds_count{dir="in"} 4
# HELP p2p_test_total Things counted.
# TYPE p2p_test_total counter
p2p_test_total{reason="a"} 1
p2p_test_total{reason="b"} 2
p2p_test_total{reason="q\"u\\o\n"} 1
# HELP p2p_unlabelled Shows as zero before it is set.
# TYPE p2p_unlabelled gauge
p2p_unlabelled 0
`
	if got := sb.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestRegistrySameMetricAgain(t *testing.T) {
	r := NewRegistry()
	r.Counter("p2p_x_total", "x", "a").With("1").Add(1)
	r.Counter("p2p_x_total", "x", "a").With("1").Add(2)
	var sb strings.Builder
	r.WriteText(&sb)
	if !strings.Contains(sb.String(), `p2p_x_total{a="1"} 3`) {
		t.Fatalf("values did not carry on:\n%s", sb.String())
	}
}

func TestRegistryMisuse(t *testing.T) {
	for name, f := range map[string]func(r *Registry){
		"other kind":     func(r *Registry) { r.Counter("m", ""); r.Gauge("m", "") },
		"other labels":   func(r *Registry) { r.Counter("m", "", "a"); r.Counter("m", "", "b") },
		"bad name":       func(r *Registry) { r.Counter("1m", "") },
		"bad label":      func(r *Registry) { r.Counter("m", "", "a-b") },
		"le label":       func(r *Registry) { r.Histogram("m", "", nil, "le") },
		"unsorted":       func(r *Registry) { r.Histogram("m", "", []float64{2, 1}) },
		"value count":    func(r *Registry) { r.Counter("m", "", "a").With() },
		"histogram func": func(r *Registry) { r.Func("m", "", KindHistogram, nil, nil) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			f(NewRegistry())
		})
	}
}

func TestRegistryConcurrent(t *testing.T) {
	r := NewRegistry()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			c := r.Counter("p2p_c_total", "", "g")
			h := r.Histogram("p2p_h", "", []float64{10, 100})
			for i := range 1000 {
				c.With(string(rune('a' + g%2))).Add(1)
				h.With().Observe(float64(i % 200))
			}
		})
		wg.Go(func() { r.WriteText(io.Discard) })
	}
	wg.Wait()
	var sb strings.Builder
	r.WriteText(&sb)
	for _, want := range []string{`p2p_c_total{g="a"} 4000`, `p2p_c_total{g="b"} 4000`,
		`p2p_h_bucket{le="10"} 440`, `p2p_h_bucket{le="100"} 4040`, `p2p_h_count 8000`} {
		if !strings.Contains(sb.String(), want) {
			t.Errorf("missing %q in\n%s", want, sb.String())
		}
	}
}

func TestRegistryHTTP(t *testing.T) {
	r := NewRegistry()
	r.Counter("p2p_x_total", "x").With().Add(1)
	ts := httptest.NewServer(r)
	defer ts.Close()
	resp, err := http.Get(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("Content-Type %q", ct)
	}
	if !strings.Contains(string(body), "p2p_x_total 1\n") {
		t.Errorf("body:\n%s", body)
	}
}

func TestNop(t *testing.T) {
	Nop.Counter("a", "").With("x").Add(1)
	Nop.Gauge("a", "").With().Set(1)
	Nop.Histogram("a", "", nil).With().Observe(1)
	Nop.Func("a", "", KindGauge, nil, nil)
}
