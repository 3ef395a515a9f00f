package chunk

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	"github.com/seednet/p2p"
	"github.com/seednet/p2p/rlp"
)

// The kinds of message of a transfer, the first element of each payload.
const (
	kindHeader  = 0 // [0, total, chunkSize]
	kindChunk   = 1 // [1, index, data]
	kindTrailer = 2 // [2, sha256]
)

// chunkOverhead bounds the RLP around a chunk's data: a list header (at most
// 4 bytes below 16 MiB), the kind (1), the index (at most 9) and the data's
// string header (at most 4).
const chunkOverhead = 32

// Limits of the chunk size.
const (
	// MaxChunkSize is the largest chunk size: a chunk message of it is as
	// large as a message can be.
	MaxChunkSize = p2p.MaxMessageSize - chunkOverhead
	// DefaultChunkSize is the chunk size Send uses when Config.ChunkSize is
	// zero: 256 KiB less the chunk message's framing, so that a chunk
	// message fits in a 256 KiB buffer. Larger chunks are no faster over
	// RLPx and make the transport's pooled buffers larger: a 40 MiB transfer
	// between two servers in one process raised the heap in use by about
	// 5 MiB with this size and 14 MiB with 1 MiB chunks.
	DefaultChunkSize = 1<<18 - chunkOverhead
)

// Errors of Receive. Each wraps p2p.ErrInvalidMsg, so errors.Is matches both
// the error itself and p2p.ErrInvalidMsg.
var (
	// ErrMalformed: a message of the transfer's code that does not decode
	// (not RLP, an unknown kind, missing or extra fields).
	ErrMalformed = newError("malformed message")
	// ErrTooLarge: the header announces more than the receiver's limit, or a
	// chunk size above Config.MaxChunkSize.
	ErrTooLarge = newError("transfer too large")
	// ErrSequence: a message in the wrong place: a first message that is no
	// header, a second header, a chunk with an index other than the next
	// (missing, repeated or reordered), a chunk after the last, a trailer
	// before the last chunk.
	ErrSequence = newError("message out of sequence")
	// ErrChunkSize: a chunk of another size than the header implies (every
	// chunk is chunkSize bytes but the last, which holds the rest).
	ErrChunkSize = newError("wrong chunk size")
	// ErrChecksum: the trailer's SHA-256 differs from that of the data.
	ErrChecksum = newError("checksum mismatch")
	// ErrTruncated: the connection ended (ReadMsg failed) mid-transfer. The
	// error also wraps ReadMsg's error.
	ErrTruncated = newError("transfer truncated")
	// ErrUnexpectedMsg: a message of another code arrived mid-transfer and
	// Config.Other is nil.
	ErrUnexpectedMsg = newError("unexpected message during transfer")
)

// wireError is an error of this package that also is p2p.ErrInvalidMsg.
type wireError struct{ text string }

func newError(text string) *wireError { return &wireError{"chunk: " + text} }

func (e *wireError) Error() string { return e.text }

// Unwrap makes the error match p2p.ErrInvalidMsg.
func (e *wireError) Unwrap() error { return p2p.ErrInvalidMsg }

// frame is one decoded message of a transfer. Which fields are set depends
// on kind.
type frame struct {
	kind      uint64
	total     uint64            // header
	chunkSize uint64            // header
	index     uint64            // chunk
	data      []byte            // chunk: aliases the decoded bytes
	sum       [sha256.Size]byte // trailer
}

// decodeFrame decodes the payload of one message of a transfer. A chunk's
// data aliases b. It checks the shape only, not the sizes against a header.
func decodeFrame(b []byte) (frame, error) {
	var f frame
	content, rest, err := rlp.SplitList(b)
	if err != nil {
		return f, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if len(rest) != 0 {
		return f, fmt.Errorf("%w: %d bytes after the list", ErrMalformed, len(rest))
	}
	if f.kind, content, err = rlp.SplitUint64(content); err != nil {
		return f, fmt.Errorf("%w: kind: %v", ErrMalformed, err)
	}
	switch f.kind {
	case kindHeader:
		if f.total, content, err = rlp.SplitUint64(content); err != nil {
			return f, fmt.Errorf("%w: header total: %v", ErrMalformed, err)
		}
		if f.chunkSize, content, err = rlp.SplitUint64(content); err != nil {
			return f, fmt.Errorf("%w: header chunk size: %v", ErrMalformed, err)
		}
	case kindChunk:
		if f.index, content, err = rlp.SplitUint64(content); err != nil {
			return f, fmt.Errorf("%w: chunk index: %v", ErrMalformed, err)
		}
		if f.data, content, err = rlp.SplitString(content); err != nil {
			return f, fmt.Errorf("%w: chunk data: %v", ErrMalformed, err)
		}
	case kindTrailer:
		var sum []byte
		if sum, content, err = rlp.SplitString(content); err != nil {
			return f, fmt.Errorf("%w: trailer checksum: %v", ErrMalformed, err)
		}
		if len(sum) != sha256.Size {
			return f, fmt.Errorf("%w: trailer checksum of %d bytes", ErrMalformed, len(sum))
		}
		copy(f.sum[:], sum)
	default:
		return f, fmt.Errorf("%w: unknown kind %d", ErrMalformed, f.kind)
	}
	if len(content) != 0 {
		return f, fmt.Errorf("%w: extra elements after kind %d", ErrMalformed, f.kind)
	}
	return f, nil
}

// appendHeader appends the encoding of a header to b.
func appendHeader(b []byte, total, chunkSize uint64) []byte {
	size := uint64(1 + rlp.IntSize(total) + rlp.IntSize(chunkSize))
	b = rlp.AppendListHeader(b, size)
	b = rlp.AppendUint64(b, kindHeader)
	b = rlp.AppendUint64(b, total)
	return rlp.AppendUint64(b, chunkSize)
}

// appendChunk appends the encoding of a chunk to b.
func appendChunk(b []byte, index uint64, data []byte) []byte {
	return append(appendChunkPrefix(b, index, data), data...)
}

// appendChunkPrefix appends the encoding of a chunk up to its data to b:
// what goes in front of data to make the chunk message.
func appendChunkPrefix(b []byte, index uint64, data []byte) []byte {
	size := 1 + uint64(rlp.IntSize(index)) + rlp.BytesSize(data)
	b = rlp.AppendListHeader(b, size)
	b = rlp.AppendUint64(b, kindChunk)
	b = rlp.AppendUint64(b, index)
	switch n := len(data); {
	case n == 1 && data[0] < 0x80:
		return b // a single low byte is its own encoding
	case n < 56:
		return append(b, 0x80+byte(n))
	default:
		var be [8]byte
		binary.BigEndian.PutUint64(be[:], uint64(n))
		i := 0
		for be[i] == 0 {
			i++
		}
		b = append(b, 0xb7+byte(8-i))
		return append(b, be[i:]...)
	}
}

// appendTrailer appends the encoding of a trailer to b.
func appendTrailer(b []byte, sum [sha256.Size]byte) []byte {
	b = rlp.AppendListHeader(b, 1+rlp.BytesSize(sum[:]))
	b = rlp.AppendUint64(b, kindTrailer)
	return rlp.AppendBytes(b, sum[:])
}
