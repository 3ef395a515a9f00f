// Package network holds tests that run networks of many of our nodes on
// loopback addresses. They run without the race detector (see
// network_test.go); `make test` runs them in its NoRace pass.
package network
