package p2p

import "bytes"

// newPayloadReader wraps a received payload.
func newPayloadReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
