//go:build race

package rlp

// raceEnabled: under the race detector sync.Pool drops items at random, so
// allocation counts of pooled paths are not exact.
const raceEnabled = true
