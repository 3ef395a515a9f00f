package harness

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"time"
)

// Budget bounds one sample: a warm-up that is not measured, then a measured
// run of about Measure, never more than MaxOps operations.
type Budget struct {
	// Warmup is how long the operation runs before measuring starts. Zero
	// means no warm-up.
	Warmup time.Duration
	// Measure is the time the measured run aims for. Zero means a single
	// operation.
	Measure time.Duration
	// MaxOps caps the operations of the measured run. Zero means no cap
	// beyond Measure.
	MaxOps int64
}

// Sample is one measurement of one implementation.
type Sample struct {
	Ops        int64         `json:"ops"`
	Bytes      int64         `json:"bytes"` // payload bytes over all Ops; 0 where bytes mean nothing
	Elapsed    time.Duration `json:"elapsed_ns"`
	Allocs     uint64        `json:"allocs"`      // heap objects allocated during the run, whole process
	AllocBytes uint64        `json:"alloc_bytes"` // heap bytes allocated during the run, whole process

	// Latency cases (KindLatency): percentiles of the times of single
	// operations.
	P50  time.Duration `json:"p50_ns,omitempty"`
	P99  time.Duration `json:"p99_ns,omitempty"`
	P999 time.Duration `json:"p999_ns,omitempty"`

	// Mem is set in memory cases (KindMemory), where Ops is the number of
	// peers a node held and Elapsed the time they took to connect.
	Mem *Mem `json:"mem,omitempty"`
}

// Mem is what a node's process holds for its peers: the growth of each
// figure from before the peers connected to after, measured in the node's
// own process after a garbage collection.
type Mem struct {
	Goroutines int64 `json:"goroutines"`
	// HeapStack is runtime.MemStats HeapInuse + StackInuse, in bytes.
	HeapStack int64 `json:"heap_stack_bytes"`
	// Stack is the StackInuse part of HeapStack.
	Stack int64 `json:"stack_bytes"`
	// RSS is VmRSS from /proc/self/status, in bytes.
	RSS int64 `json:"rss_bytes"`
}

// PerPeer returns f of s's Mem divided by the peers held, or 0 when s has
// no Mem.
func (s Sample) PerPeer(f func(Mem) int64) float64 {
	if s.Mem == nil || s.Ops == 0 {
		return 0
	}
	return float64(f(*s.Mem)) / float64(s.Ops)
}

// NsPerOp is the time per operation in nanoseconds.
func (s Sample) NsPerOp() float64 { return float64(s.Elapsed.Nanoseconds()) / float64(s.Ops) }

// OpsPerSec is operations per second.
func (s Sample) OpsPerSec() float64 { return float64(s.Ops) / s.Elapsed.Seconds() }

// MBPerSec is payload throughput in MB/s (10^6 bytes, as package testing).
func (s Sample) MBPerSec() float64 { return float64(s.Bytes) / 1e6 / s.Elapsed.Seconds() }

// AllocsPerOp is heap allocations per operation.
func (s Sample) AllocsPerOp() float64 { return float64(s.Allocs) / float64(s.Ops) }

// maxBatch bounds one call of the operation, so a wrong rate estimate cannot
// run away.
const maxBatch = 1 << 24

// Loop measures op, which performs n operations per call. bytesPerOp is the
// payload size of one operation (0 if it has none). It first runs op for
// b.Warmup, which also estimates the rate, then measures calls of op until
// b.Measure has passed or b.MaxOps operations are done. Allocations are
// counted with runtime.ReadMemStats around the measured calls, so they
// include every goroutine of the process (both ends of a connection).
func Loop(b Budget, bytesPerOp int64, op func(n int) error) (Sample, error) {
	if op == nil {
		return Sample{}, errors.New("harness: nil operation")
	}
	// Warm-up: grow the batch until the warm-up time is used, which also
	// gives the rate used to size the measured batches.
	var (
		warmOps  int64
		warmTime time.Duration
		n        = 1
	)
	for {
		start := time.Now()
		if err := op(n); err != nil {
			return Sample{}, fmt.Errorf("warm-up: %w", err)
		}
		warmTime += time.Since(start)
		warmOps += int64(n)
		if warmTime >= b.Warmup {
			break
		}
		n = nextBatch(warmOps, warmTime, b.Warmup-warmTime, n, 0)
	}

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	var s Sample
	n = nextBatch(warmOps, warmTime, b.Measure, n, b.MaxOps)
	start := time.Now()
	for {
		if err := op(n); err != nil {
			return Sample{}, err
		}
		s.Ops += int64(n)
		s.Elapsed = time.Since(start)
		if s.Elapsed >= b.Measure || (b.MaxOps > 0 && s.Ops >= b.MaxOps) {
			break
		}
		n = nextBatch(s.Ops, s.Elapsed, b.Measure-s.Elapsed, n, b.MaxOps-s.Ops)
	}
	runtime.ReadMemStats(&after)
	s.Bytes = s.Ops * bytesPerOp
	s.Allocs = after.Mallocs - before.Mallocs
	s.AllocBytes = after.TotalAlloc - before.TotalAlloc
	return s, nil
}

// nextBatch sizes the next call: enough operations to fill remaining at the
// rate seen so far (ops in elapsed), at most 100 times the previous batch
// and at most limit operations when limit is positive.
func nextBatch(ops int64, elapsed, remaining time.Duration, prev int, limit int64) int {
	var n int64
	if elapsed <= 0 {
		n = int64(prev) * 100
	} else {
		n = int64(float64(ops) * float64(remaining) / float64(elapsed))
		n += n / 5 // aim a little past the end rather than stop short
	}
	n = min(n, int64(prev)*100, maxBatch)
	if limit > 0 {
		n = min(n, limit)
	}
	return int(max(n, 1))
}

// LatencyLoop measures the latency of op, one operation per call: it runs
// op for b.Warmup, then times each call until b.Measure has passed or
// b.MaxOps calls are done, and returns the 50th, 99th and 99.9th
// percentiles of those times besides the usual figures.
func LatencyLoop(b Budget, op func() error) (Sample, error) {
	if op == nil {
		return Sample{}, errors.New("harness: nil operation")
	}
	for start := time.Now(); time.Since(start) < b.Warmup; {
		if err := op(); err != nil {
			return Sample{}, fmt.Errorf("warm-up: %w", err)
		}
	}
	times := make([]time.Duration, 0, 1<<16)
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	prev := start
	for {
		if err := op(); err != nil {
			return Sample{}, err
		}
		now := time.Now()
		times = append(times, now.Sub(prev))
		prev = now
		if now.Sub(start) >= b.Measure || (b.MaxOps > 0 && int64(len(times)) >= b.MaxOps) {
			break
		}
	}
	runtime.ReadMemStats(&after)
	s := Sample{
		Ops:        int64(len(times)),
		Elapsed:    prev.Sub(start),
		Allocs:     after.Mallocs - before.Mallocs,
		AllocBytes: after.TotalAlloc - before.TotalAlloc,
	}
	slices.Sort(times)
	s.P50, s.P99, s.P999 = percentile(times, 0.5), percentile(times, 0.99), percentile(times, 0.999)
	return s, nil
}

// percentile returns the p-quantile of sorted by the nearest-rank method.
func percentile(sorted []time.Duration, p float64) time.Duration {
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}
