package metrics

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Registry is a Provider that keeps its metrics in memory and writes them
// in the Prometheus text exposition format (version 0.0.4). It serves them
// over HTTP too, so a program can mount it at /metrics without any other
// dependency:
//
//	reg := metrics.NewRegistry()
//	srv := p2p.Server{Metrics: reg, ...}
//	http.Handle("GET /metrics", reg)
//
// Asking for a name that exists with another kind or other labels panics:
// that is a programming error, found the first time the code runs.
type Registry struct {
	mu       sync.Mutex
	families map[string]*family
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{families: make(map[string]*family)}
}

// family is the metrics of one name.
type family struct {
	name, help string
	kind       Kind
	labels     []string
	buckets    []float64 // histograms

	mu      sync.RWMutex
	series  map[string]*series // by joined label values
	collect func(emit func(float64, ...string))
}

// series is one metric of a family: one combination of label values.
type series struct {
	values []string
	fam    *family
	bits   atomic.Uint64 // float64 bits: counters and gauges; histograms' sum
	counts []atomic.Uint64
	count  atomic.Uint64
}

func (s *series) Add(delta float64) {
	for {
		old := s.bits.Load()
		if s.bits.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+delta)) {
			return
		}
	}
}

func (s *series) Set(v float64) { s.bits.Store(math.Float64bits(v)) }

func (s *series) Observe(v float64) {
	s.count.Add(1)
	s.Add(v)
	// counts[i] holds the observations <= buckets[i] that are above
	// buckets[i-1]; writing makes them cumulative.
	if i, _ := slices.BinarySearch(s.fam.buckets, v); i < len(s.counts) {
		s.counts[i].Add(1)
	}
}

func (r *Registry) family(name, help string, kind Kind, labels []string, buckets []float64) *family {
	if !validName(name) {
		panic(fmt.Sprintf("metrics: invalid metric name %q", name))
	}
	for _, l := range labels {
		if !validName(l) || l == "le" {
			panic(fmt.Sprintf("metrics: %s: invalid label name %q", name, l))
		}
	}
	if kind == KindHistogram && !slices.IsSorted(buckets) {
		panic(fmt.Sprintf("metrics: %s: buckets not in increasing order", name))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if f, ok := r.families[name]; ok {
		if f.kind != kind || !slices.Equal(f.labels, labels) || !slices.Equal(f.buckets, buckets) {
			panic(fmt.Sprintf("metrics: %s registered again as another %s or with other labels", name, kind))
		}
		return f
	}
	f := &family{name: name, help: help, kind: kind, labels: slices.Clone(labels),
		buckets: slices.Clone(buckets), series: make(map[string]*series)}
	r.families[name] = f
	return f
}

// Counter implements Provider.
func (r *Registry) Counter(name, help string, labels ...string) Counter {
	return counterFamily{r.family(name, help, KindCounter, labels, nil)}
}

// Gauge implements Provider.
func (r *Registry) Gauge(name, help string, labels ...string) Gauge {
	return gaugeFamily{r.family(name, help, KindGauge, labels, nil)}
}

// Histogram implements Provider.
func (r *Registry) Histogram(name, help string, buckets []float64, labels ...string) Histogram {
	return histogramFamily{r.family(name, help, KindHistogram, labels, buckets)}
}

// Func implements Provider.
func (r *Registry) Func(name, help string, kind Kind, labels []string, collect func(emit func(float64, ...string))) {
	if kind != KindCounter && kind != KindGauge {
		panic(fmt.Sprintf("metrics: %s: Func takes counters and gauges, not %s", name, kind))
	}
	f := r.family(name, help, kind, labels, nil)
	f.mu.Lock()
	f.collect = collect
	f.mu.Unlock()
}

type (
	counterFamily   struct{ f *family }
	gaugeFamily     struct{ f *family }
	histogramFamily struct{ f *family }
)

func (c counterFamily) With(values ...string) Adder      { return c.f.with(values) }
func (g gaugeFamily) With(values ...string) Setter       { return g.f.with(values) }
func (h histogramFamily) With(values ...string) Observer { return h.f.with(values) }

func (f *family) with(values []string) *series {
	if len(values) != len(f.labels) {
		panic(fmt.Sprintf("metrics: %s has %d labels, given %d values", f.name, len(f.labels), len(values)))
	}
	key := strings.Join(values, "\xff")
	f.mu.RLock()
	s := f.series[key]
	f.mu.RUnlock()
	if s != nil {
		return s
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if s = f.series[key]; s == nil {
		s = &series{values: slices.Clone(values), fam: f}
		if f.kind == KindHistogram {
			s.counts = make([]atomic.Uint64, len(f.buckets))
		}
		f.series[key] = s
	}
	return s
}

// ServeHTTP writes the metrics in the text exposition format.
func (r *Registry) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	r.WriteText(w)
}

// WriteText writes every metric in the Prometheus text exposition format,
// families sorted by name and series by label values.
func (r *Registry) WriteText(w io.Writer) error {
	r.mu.Lock()
	fams := make([]*family, 0, len(r.families))
	for _, f := range r.families {
		fams = append(fams, f)
	}
	r.mu.Unlock()
	slices.SortFunc(fams, func(a, b *family) int { return strings.Compare(a.name, b.name) })
	bw := bufio.NewWriter(w)
	for _, f := range fams {
		f.write(bw)
	}
	return bw.Flush()
}

type sample struct {
	values []string
	value  float64
}

func (f *family) write(w *bufio.Writer) {
	f.mu.RLock()
	collect := f.collect
	all := make([]*series, 0, len(f.series))
	for _, s := range f.series {
		all = append(all, s)
	}
	f.mu.RUnlock()
	var samples []sample
	if collect != nil {
		collect(func(v float64, values ...string) {
			if len(values) == len(f.labels) {
				samples = append(samples, sample{slices.Clone(values), v})
			}
		})
	}
	if len(all) == 0 && len(samples) == 0 && len(f.labels) > 0 {
		return
	}
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", f.name, escapeHelp(f.help), f.name, f.kind)
	if collect != nil {
		slices.SortFunc(samples, func(a, b sample) int { return slices.Compare(a.values, b.values) })
		for _, s := range samples {
			f.line(w, f.name, s.values, "", "", s.value)
		}
		return
	}
	if len(f.labels) == 0 && len(all) == 0 {
		all = append(all, f.with(nil))
	}
	slices.SortFunc(all, func(a, b *series) int { return slices.Compare(a.values, b.values) })
	for _, s := range all {
		if f.kind != KindHistogram {
			f.line(w, f.name, s.values, "", "", math.Float64frombits(s.bits.Load()))
			continue
		}
		// Read the count first: observations that land meanwhile make
		// the buckets, at worst, a little ahead of it, never behind.
		count := s.count.Load()
		var cum uint64
		for i, b := range f.buckets {
			cum += s.counts[i].Load()
			f.line(w, f.name+"_bucket", s.values, "le", formatFloat(b), float64(cum))
		}
		f.line(w, f.name+"_bucket", s.values, "le", "+Inf", float64(max(count, cum)))
		f.line(w, f.name+"_sum", s.values, "", "", math.Float64frombits(s.bits.Load()))
		f.line(w, f.name+"_count", s.values, "", "", float64(max(count, cum)))
	}
}

func (f *family) line(w *bufio.Writer, name string, values []string, extraLabel, extraValue string, v float64) {
	w.WriteString(name)
	if len(values) > 0 || extraLabel != "" {
		w.WriteByte('{')
		for i, l := range f.labels {
			if i > 0 {
				w.WriteByte(',')
			}
			w.WriteString(l)
			w.WriteString(`="`)
			w.WriteString(escapeLabel(values[i]))
			w.WriteByte('"')
		}
		if extraLabel != "" {
			if len(values) > 0 {
				w.WriteByte(',')
			}
			w.WriteString(extraLabel)
			w.WriteString(`="`)
			w.WriteString(extraValue)
			w.WriteByte('"')
		}
		w.WriteByte('}')
	}
	w.WriteByte(' ')
	w.WriteString(formatFloat(v))
	w.WriteByte('\n')
}

func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

var (
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
	labelEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
)

func escapeHelp(s string) string  { return helpEscaper.Replace(s) }
func escapeLabel(s string) string { return labelEscaper.Replace(s) }

// validName reports whether s is a valid metric or label name:
// [a-zA-Z_][a-zA-Z0-9_]* (colons, allowed in metric names, are reserved for
// recording rules and not used here).
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		switch {
		case c == '_', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
