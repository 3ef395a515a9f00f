package enode

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
)

// Distances between node IDs are those of Kademlia: the XOR of the two IDs,
// read as a 256-bit big-endian number.

// DistCmp compares the distances from a and from b to target. It returns -1
// if a is closer, 1 if b is closer and 0 if a and b are equally far (a == b).
func DistCmp(target, a, b ID) int {
	for i := 0; i < len(target); i += 8 {
		t := binary.BigEndian.Uint64(target[i:])
		da := binary.BigEndian.Uint64(a[i:]) ^ t
		db := binary.BigEndian.Uint64(b[i:]) ^ t
		switch {
		case da < db:
			return -1
		case da > db:
			return 1
		}
	}
	return 0
}

// LogDist returns the logarithmic distance between a and b: the bit length
// of a XOR b, from 0 (a == b) to 256. Discovery v4 puts a node with LogDist n
// from the local node in bucket n.
func LogDist(a, b ID) int {
	for i := 0; i < len(a); i += 8 {
		x := binary.BigEndian.Uint64(a[i:]) ^ binary.BigEndian.Uint64(b[i:])
		if x != 0 {
			return (len(a)-i)*8 - bits.LeadingZeros64(x)
		}
	}
	return 0
}

// RandomID returns a random ID at logarithmic distance n from a, which
// Kademlia tables use to refresh bucket n. n is clamped to 0..256; RandomID
// returns a itself for 0. The randomness comes from math/rand/v2: fine for
// choosing lookup targets, not for secrets.
func RandomID(a ID, n int) ID {
	n = min(max(n, 0), len(a)*8)
	if n == 0 {
		return a
	}
	b := a
	// Bit n-1 (counting from the least significant end) is flipped, bits
	// above it are kept and bits below it are random.
	pos := len(a) - 1 - (n-1)/8
	bit := byte(1) << ((n - 1) % 8)
	b[pos] ^= bit
	b[pos] = b[pos]&^(bit-1) | byte(rand.Uint32())&(bit-1)
	var buf [8]byte
	for i := pos + 1; i < len(b); i += 8 {
		binary.LittleEndian.PutUint64(buf[:], rand.Uint64())
		copy(b[i:], buf[:])
	}
	return b
}
