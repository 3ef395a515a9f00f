package difffuzz

import (
	"errors"

	gethrlp "github.com/ethereum/go-ethereum/rlp"

	"github.com/seednet/p2p/rlp"
)

// knownCanonDiff reports whether a rejection by ours and an acceptance by
// geth is known difference D3: ours checks that a RawValue (alone, as a
// struct's tail, as the value of a record's pair) is well-formed canonical
// RLP down to everything nested in it; geth's Stream.Raw checks the outer
// header only (and not even that a one-byte string is not a byte below
// 0x80). It holds only if our error is one of those checks' and the input
// does hold a malformed value: one that geth's own Split functions reject.
func knownCanonDiff(in []byte, errO, errG error) bool {
	if errG != nil || canonical(in) {
		return false
	}
	for _, e := range []error{rlp.ErrCanonSize, rlp.ErrElemTooLarge, rlp.ErrValueTooLarge} {
		if errors.Is(errO, e) {
			return true
		}
	}
	return false
}

// canonical walks every value in b (and every value nested in the lists)
// with go-ethereum's Split, which checks each header.
func canonical(b []byte) bool {
	for len(b) > 0 {
		k, content, rest, err := gethrlp.Split(b)
		if err != nil {
			return false
		}
		if k == gethrlp.List && !canonical(content) {
			return false
		}
		b = rest
	}
	return true
}
