package rlpx

import (
	"io"
	"testing"
)

// TestReadCleanEOF: a stream that ends between two frames reads as io.EOF
// (as go-ethereum's reader: found by interop/difffuzz, F1). A stream cut
// inside a frame gives an error too (TestFrameFaults).
func TestReadCleanEOF(t *testing.T) {
	t.Run("between frames", func(t *testing.T) {
		ini, rec := connPair(t)
		if _, err := ini.Write(16, []byte("last")); err != nil {
			t.Fatal(err)
		}
		ini.Close()
		if _, data, _, err := rec.Read(); err != nil || string(data) != "last" {
			t.Fatalf("read %q, %v", data, err)
		}
		if _, _, _, err := rec.Read(); err != io.EOF {
			t.Fatalf("at the end: %v, want io.EOF", err)
		}
	})
}
