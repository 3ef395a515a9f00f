//go:build libsecp256k1

package secp

import "testing"

func TestLibSecp256k1Conformance(t *testing.T) { testConformance(t, LibSecp256k1{}) }

func BenchmarkLibSecp256k1(b *testing.B) { benchmarkBackend(b, LibSecp256k1{}) }

// TestBackendsAgree holds the two backends to the same bytes and errors.
func TestBackendsAgree(t *testing.T) { testBackendsAgree(t, Decred{}, LibSecp256k1{}) }

// FuzzBackendsAgree feeds the same arbitrary input to both backends.
func FuzzBackendsAgree(f *testing.F) { fuzzBackendsAgree(f, Decred{}, LibSecp256k1{}) }
