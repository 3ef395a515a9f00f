//go:build !windows

package netutil

// isPacketTooBig reports false: outside Windows, a UDP read of a datagram
// larger than the buffer truncates it without an error.
func isPacketTooBig(error) bool { return false }
