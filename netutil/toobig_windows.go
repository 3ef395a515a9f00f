//go:build windows

package netutil

import (
	"errors"
	"syscall"
)

// wsaeMsgSize is WSAEMSGSIZE, which Windows returns when a datagram does not
// fit the read buffer.
const wsaeMsgSize = syscall.Errno(10040)

func isPacketTooBig(err error) bool {
	return errors.Is(err, wsaeMsgSize)
}
