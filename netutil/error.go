package netutil

import "errors"

// IsTemporaryError reports whether err is one that a socket may return and
// then work again: an error with a Temporary method that says so, or, on
// Windows, the error a UDP read returns for a datagram larger than its
// buffer (WSAEMSGSIZE). Read loops go on after such errors.
func IsTemporaryError(err error) bool {
	var temp interface{ Temporary() bool }
	if errors.As(err, &temp) && temp.Temporary() {
		return true
	}
	return isPacketTooBig(err)
}
