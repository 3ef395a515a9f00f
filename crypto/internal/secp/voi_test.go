package secp

import "testing"

func TestVoiConformance(t *testing.T) { testConformance(t, Voi{}) }

func BenchmarkVoi(b *testing.B) { benchmarkBackend(b, Voi{}) }

// TestVoiAgreesWithDecred holds the two pure-Go backends to the same bytes
// and errors.
func TestVoiAgreesWithDecred(t *testing.T) { testBackendsAgree(t, Decred{}, Voi{}) }

// FuzzVoiAgreesWithDecred feeds the same arbitrary input to both pure-Go
// backends.
func FuzzVoiAgreesWithDecred(f *testing.F) { fuzzBackendsAgree(f, Decred{}, Voi{}) }
