// Package harness measures workloads that several implementations run, and
// reports them side by side.
//
// A [Case] is one workload at one setting with a list of implementations,
// one of them the [Baseline] (go-ethereum). [Run] first calls the case's
// Check, which runs every implementation once and fails unless they did the
// same work, then takes Reps samples of each implementation in turn (ours,
// geth, ours, geth, ...), so that a change in machine load during the run
// hits both sides. Each sample is a [Loop]: a warm-up that also estimates
// the rate, then timed batches of operations until the budget's time or
// operation cap is reached, with allocations counted by runtime.MemStats.
//
// A [Report] keeps every sample and the medians, prints a table of ratios
// oriented so that a ratio above 1 means ours is better, and round-trips
// through JSON so that reports of several builds (cgo on and off, build
// tags) can be merged into one summary.
package harness
