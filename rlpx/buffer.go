package rlpx

import (
	"math/bits"
	"sync"
)

// Buffers for frames come from pools in size classes, so that connections
// that are busy reuse memory and connections that are idle hold none.
//
// Class i holds buffers of minBufSize<<i + bufSlack bytes. The slack lets a
// frame whose payload is a power of two (a 64 KiB message, say) fit in the
// class of its payload size together with the header, code, padding and MAC.
const (
	minBufShift = 12 // 4 KiB
	minBufSize  = 1 << minBufShift
	bufSlack    = 128
	numClasses  = 13 // up to 16 MiB (+slack), enough for the largest frame
)

var bufPools [numClasses]sync.Pool

// classFor returns the smallest size class holding n bytes, or -1 if n is
// larger than the largest class.
func classFor(n int) int {
	if n <= minBufSize+bufSlack {
		return 0
	}
	c := bits.Len(uint(n-bufSlack-1)) - minBufShift
	if c >= numClasses {
		return -1
	}
	return c
}

func classSize(c int) int { return minBufSize<<c + bufSlack }

// getBuf returns a buffer whose length is at least n (the length of its
// size class). A request larger than the largest class gets a buffer of its
// own that putBuf will not pool.
func getBuf(n int) *[]byte {
	c := classFor(n)
	if c < 0 {
		b := make([]byte, n)
		return &b
	}
	if p, _ := bufPools[c].Get().(*[]byte); p != nil {
		return p
	}
	b := make([]byte, classSize(c))
	return &b
}

// putBuf returns a buffer from getBuf to its pool.
func putBuf(p *[]byte) {
	if p == nil {
		return
	}
	n := len(*p)
	c := classFor(n)
	if c < 0 || classSize(c) != n {
		return
	}
	bufPools[c].Put(p)
}
