// Package prometheus reports the library's metrics to a registry of
// Prometheus's Go client library (github.com/prometheus/client_golang).
//
// It is a Go module of its own, so that only programs that import it
// download the client library:
//
//	reg := prometheus.NewRegistry() // the client library's
//	srv := p2p.Server{Metrics: p2pprom.New(reg), ...}
//	http.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
//
// Nothing is registered with the client library's global registry unless
// the caller passes prometheus.DefaultRegisterer itself.
package prometheus

import (
	"errors"
	"sync"

	prom "github.com/prometheus/client_golang/prometheus"

	"github.com/seednet/p2p/metrics"
)

// New returns a metrics.Provider that registers the library's metrics with
// reg. Use prometheus.WrapRegistererWith to tell several servers' metrics
// apart by a label, or WrapRegistererWithPrefix to rename them.
//
// Asking again for a metric reg already has (a Server started a second
// time) returns the registered one, so its values carry on. The provider
// panics if reg refuses a metric for any other reason (a name registered
// as another kind or with other labels): a programming error, found the
// first time the code runs.
func New(reg prom.Registerer) metrics.Provider {
	return &provider{reg: reg}
}

type provider struct {
	reg prom.Registerer
}

// register registers c, or returns the collector already registered in its
// place.
func (p *provider) register(c prom.Collector) prom.Collector {
	err := p.reg.Register(c)
	var are prom.AlreadyRegisteredError
	switch {
	case err == nil:
		return c
	case errors.As(err, &are):
		return are.ExistingCollector
	}
	panic("metrics/prometheus: " + err.Error())
}

func (p *provider) Counter(name, help string, labels ...string) metrics.Counter {
	c := prom.NewCounterVec(prom.CounterOpts{Name: name, Help: help}, labels)
	return counterVec{p.register(c).(*prom.CounterVec)}
}

func (p *provider) Gauge(name, help string, labels ...string) metrics.Gauge {
	g := prom.NewGaugeVec(prom.GaugeOpts{Name: name, Help: help}, labels)
	return gaugeVec{p.register(g).(*prom.GaugeVec)}
}

func (p *provider) Histogram(name, help string, buckets []float64, labels ...string) metrics.Histogram {
	h := prom.NewHistogramVec(prom.HistogramOpts{Name: name, Help: help, Buckets: buckets}, labels)
	return histogramVec{p.register(h).(*prom.HistogramVec)}
}

func (p *provider) Func(name, help string, kind metrics.Kind, labels []string, collect func(emit func(float64, ...string))) {
	vt := prom.CounterValue
	if kind == metrics.KindGauge {
		vt = prom.GaugeValue
	}
	fc := &funcCollector{desc: prom.NewDesc(name, help, labels, nil), valueType: vt, collect: collect}
	if existing, ok := p.register(fc).(*funcCollector); ok && existing != fc {
		existing.set(collect) // registered again: the new function replaces the old
	}
}

type counterVec struct{ v *prom.CounterVec }
type gaugeVec struct{ v *prom.GaugeVec }
type histogramVec struct{ v *prom.HistogramVec }

func (c counterVec) With(values ...string) metrics.Adder      { return c.v.WithLabelValues(values...) }
func (g gaugeVec) With(values ...string) metrics.Setter       { return g.v.WithLabelValues(values...) }
func (h histogramVec) With(values ...string) metrics.Observer { return h.v.WithLabelValues(values...) }

// funcCollector reads figures from a function when Prometheus collects.
type funcCollector struct {
	desc      *prom.Desc
	valueType prom.ValueType

	mu      sync.Mutex
	collect func(emit func(float64, ...string))
}

func (f *funcCollector) set(collect func(emit func(float64, ...string))) {
	f.mu.Lock()
	f.collect = collect
	f.mu.Unlock()
}

func (f *funcCollector) Describe(ch chan<- *prom.Desc) { ch <- f.desc }

func (f *funcCollector) Collect(ch chan<- prom.Metric) {
	f.mu.Lock()
	collect := f.collect
	f.mu.Unlock()
	collect(func(v float64, values ...string) {
		if m, err := prom.NewConstMetric(f.desc, f.valueType, v, values...); err == nil {
			ch <- m
		}
	})
}
