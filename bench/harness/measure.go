package harness

import (
	"errors"
	"fmt"
	"runtime"
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
