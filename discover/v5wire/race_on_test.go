//go:build race

package v5wire

const raceEnabled = true
