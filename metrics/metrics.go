// Package metrics is how the library reports its figures: a small interface,
// Provider, that a Server (and discovery) is given, and Registry, a
// dependency-free Provider that serves what it holds in the Prometheus text
// format.
//
// Nothing here is global. A Server reports only to the Provider in its
// Metrics field, and reports nothing when that is nil. Users of Prometheus's
// client library plug their own registry in with the adapter in the
// separate module github.com/seednet/p2p/metrics/prometheus, so that users who
// do not want it never download it.
//
// Every metric the library reports is named p2p_...; doc.go of the root
// package lists them. Label values are bounded: reasons come from fixed
// sets, message codes from a protocol's Length.
//
// # Writing a Provider
//
// Asking a Provider twice for a metric of the same name, kind and labels
// must give the same metric (the values carry on): a Server that is
// stopped and started again asks again. A Provider must be safe for
// concurrent use, and the values returned by With must be cheap to update
// from many goroutines at once: the library looks each one up once and
// keeps it, so With is off the hot path but Add and Observe are on it.
package metrics

// Provider makes the metrics the library reports to.
type Provider interface {
	// Counter returns a counter (a value that only goes up) with the given
	// label names.
	Counter(name, help string, labels ...string) Counter
	// Gauge returns a gauge (a value that goes up and down).
	Gauge(name, help string, labels ...string) Gauge
	// Histogram returns a histogram with the given bucket upper bounds, in
	// increasing order.
	Histogram(name, help string, buckets []float64, labels ...string) Histogram
	// Func registers figures that are read when the metrics are collected
	// rather than pushed as they change: collect is called then and calls
	// emit once per label combination. kind says how to expose them
	// (KindCounter or KindGauge). Registering a name again replaces the
	// earlier function.
	Func(name, help string, kind Kind, labels []string, collect func(emit func(value float64, labelValues ...string)))
}

// Kind is the type of a metric.
type Kind int

// The kinds of metrics.
const (
	KindCounter Kind = iota
	KindGauge
	KindHistogram
)

func (k Kind) String() string {
	switch k {
	case KindCounter:
		return "counter"
	case KindGauge:
		return "gauge"
	case KindHistogram:
		return "histogram"
	}
	return "untyped"
}

// Counter is a family of counters, one per combination of label values.
type Counter interface {
	// With returns the counter for the label values, given in the order of
	// the label names.
	With(labelValues ...string) Adder
}

// Adder is one counter.
type Adder interface {
	// Add adds delta, which must not be negative.
	Add(delta float64)
}

// Gauge is a family of gauges, one per combination of label values.
type Gauge interface {
	With(labelValues ...string) Setter
}

// Setter is one gauge.
type Setter interface {
	Set(value float64)
	Add(delta float64)
}

// Histogram is a family of histograms, one per combination of label values.
type Histogram interface {
	With(labelValues ...string) Observer
}

// Observer is one histogram.
type Observer interface {
	Observe(value float64)
}

// Nop is a Provider that keeps nothing. The library uses it when no
// Provider is configured.
var Nop Provider = nop{}

type nop struct{}

func (nop) Counter(string, string, ...string) Counter                           { return nopFamily{} }
func (nop) Gauge(string, string, ...string) Gauge                               { return nopGauge{} }
func (nop) Histogram(string, string, []float64, ...string) Histogram            { return nopHistogram{} }
func (nop) Func(string, string, Kind, []string, func(func(float64, ...string))) {}

type (
	nopFamily    struct{}
	nopGauge     struct{}
	nopHistogram struct{}
	nopValue     struct{}
)

func (nopFamily) With(...string) Adder       { return nopValue{} }
func (nopGauge) With(...string) Setter       { return nopValue{} }
func (nopHistogram) With(...string) Observer { return nopValue{} }
func (nopValue) Add(float64)                 {}
func (nopValue) Set(float64)                 {}
func (nopValue) Observe(float64)             {}
