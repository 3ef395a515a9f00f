package chunk

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"

	"github.com/seednet/p2p"
)

// Config holds the settings of Send and Receive. A nil *Config, like the
// zero Config, means the defaults.
type Config struct {
	// ChunkSize is the number of payload bytes in each chunk message Send
	// sends. Zero means DefaultChunkSize; more than MaxChunkSize is an error.
	// Receive ignores it.
	ChunkSize int

	// MaxChunkSize is the largest chunk size Receive accepts in a header,
	// which bounds the memory it uses. Zero means MaxChunkSize, any chunk
	// that fits in a message. Send ignores it.
	MaxChunkSize int

	// Other takes the messages of other codes that Receive reads between the
	// header and the trailer, in the order they arrive. Receive discards what
	// it leaves of the payload, and an error from it ends Receive with that
	// error (wrapped). Nil means such a message fails the transfer with
	// ErrUnexpectedMsg. Send ignores it.
	Other func(msg p2p.Msg) error
}

func (c *Config) chunkSize() (int, error) {
	switch {
	case c == nil || c.ChunkSize == 0:
		return DefaultChunkSize, nil
	case c.ChunkSize < 0 || c.ChunkSize > MaxChunkSize:
		return 0, fmt.Errorf("chunk: chunk size %d out of range 1..%d", c.ChunkSize, MaxChunkSize)
	}
	return c.ChunkSize, nil
}

func (c *Config) maxChunkSize() int {
	if c == nil || c.MaxChunkSize <= 0 || c.MaxChunkSize > MaxChunkSize {
		return MaxChunkSize
	}
	return c.MaxChunkSize
}

func (c *Config) other() func(p2p.Msg) error {
	if c == nil {
		return nil
	}
	return c.Other
}

// Send sends the next size bytes of r to the peer as one transfer under
// message code code: a header, the chunks and a trailer with their SHA-256
// (see the package doc for the layout). It reads r once, a chunk at a time,
// and holds one chunk in memory. It returns once the trailer is written, or
// at the first error: of w, of r (io.ErrUnexpectedEOF when r ends early), or
// of ctx, which it checks before each message. After an error the peer has
// part of a transfer; the connection should be ended.
func Send(ctx context.Context, w p2p.MsgWriter, code uint64, r io.Reader, size int64, cfg *Config) error {
	chunkSize, err := cfg.chunkSize()
	if err != nil {
		return err
	}
	if size < 0 {
		return fmt.Errorf("chunk: negative size %d", size)
	}
	buf := make([]byte, 0, min(int64(chunkSize), size)+chunkOverhead)
	write := func(payload []byte) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return w.WriteMsg(p2p.Msg{Code: code, Size: uint32(len(payload)), Payload: bytes.NewReader(payload)})
	}
	if err := write(appendHeader(buf[:0], uint64(size), uint64(chunkSize))); err != nil {
		return fmt.Errorf("chunk: sending header: %w", err)
	}
	hash := sha256.New()
	data := buf[chunkOverhead:cap(buf)] // room for the chunk's framing before it
	for index, left := uint64(0), size; left > 0; index++ {
		n := min(int64(len(data)), left)
		if _, err := io.ReadFull(r, data[:n]); err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return fmt.Errorf("chunk: reading chunk %d: %w", index, err)
		}
		hash.Write(data[:n])
		// The framing goes in the room left in front of the data, so that
		// the data is not copied.
		var prefix [chunkOverhead]byte
		head := appendChunkPrefix(prefix[:0], index, data[:n])
		msg := buf[chunkOverhead-len(head) : chunkOverhead+int(n)]
		copy(msg, head)
		if err := write(msg); err != nil {
			return fmt.Errorf("chunk: sending chunk %d: %w", index, err)
		}
		left -= n
	}
	var sum [sha256.Size]byte
	hash.Sum(sum[:0])
	if err := write(appendTrailer(buf[:0], sum)); err != nil {
		return fmt.Errorf("chunk: sending trailer: %w", err)
	}
	return nil
}

// headerSize bounds the payload of a header or a trailer.
const headerSize = 64

// Receive reads one transfer and writes its payload to dst as it comes.
// first is the transfer's header, a message the caller read from r (a
// protocol's Run reads a message, sees the code it gave to transfers and
// calls Receive); the transfer's code is first's. Receive reads the chunks
// and the trailer from r, and returns the number of bytes written to dst.
//
// It refuses a header that announces more than limit bytes, or a chunk size
// above cfg.MaxChunkSize, before reading any data. It holds at most one
// chunk message in memory (in a buffer as large as the largest message of
// the transfer, at most the chunk size plus 32 bytes), besides the message
// the connection holds. It checks each message of the transfer as it
// comes: the chunks' indexes and sizes, then the checksum in the trailer.
// Messages of other codes go to cfg.Other (see Config).
//
// Errors caused by the peer wrap p2p.ErrInvalidMsg and one of this package's
// errors (ErrMalformed, ErrTooLarge, ErrSequence, ErrChunkSize,
// ErrChecksum, ErrTruncated, ErrUnexpectedMsg). An error of dst or of
// cfg.Other, and ctx's error (checked before each read), are returned
// wrapped but as they are. On any error dst may hold part of the payload,
// not verified; see the package doc.
func Receive(ctx context.Context, r p2p.MsgReader, first p2p.Msg, dst io.Writer, limit int64, cfg *Config) (int64, error) {
	code := first.Code
	if first.Size > headerSize {
		first.Discard()
		return 0, fmt.Errorf("%w: first message of %d bytes, more than a header", ErrMalformed, first.Size)
	}
	var small [headerSize]byte
	b, err := readPayload(first, small[:])
	if err != nil {
		return 0, fmt.Errorf("chunk: header: %w", err)
	}
	f, err := decodeFrame(b)
	switch {
	case err != nil:
		return 0, fmt.Errorf("chunk: header: %w", err)
	case f.kind != kindHeader:
		return 0, fmt.Errorf("%w: kind %d where a header belongs", ErrSequence, f.kind)
	case limit < 0 || f.total > uint64(limit):
		return 0, fmt.Errorf("%w: %d bytes announced, at most %d accepted", ErrTooLarge, f.total, limit)
	case f.chunkSize == 0:
		return 0, fmt.Errorf("%w: header with chunk size 0", ErrMalformed)
	case f.chunkSize > uint64(cfg.maxChunkSize()):
		return 0, fmt.Errorf("%w: chunk size %d, at most %d accepted", ErrTooLarge, f.chunkSize, cfg.maxChunkSize())
	}
	total, chunkSize := f.total, f.chunkSize
	chunks := (total + chunkSize - 1) / chunkSize
	// The largest message of the transfer. The buffer grows to the size of
	// the messages that come, so a header alone costs nothing.
	msgLimit := max(min(total, chunkSize)+chunkOverhead, headerSize)
	var buf []byte
	hash := sha256.New()
	other := cfg.other()
	var n int64
	for next := uint64(0); ; {
		if err := ctx.Err(); err != nil {
			return n, fmt.Errorf("chunk: %w", err)
		}
		msg, err := r.ReadMsg()
		if err != nil {
			return n, fmt.Errorf("%w: after %d of %d bytes: %w", ErrTruncated, n, total, err)
		}
		if msg.Code != code {
			if other == nil {
				msg.Discard()
				return n, fmt.Errorf("%w: code %d (transfer of code %d)", ErrUnexpectedMsg, msg.Code, code)
			}
			err := other(msg)
			msg.Discard()
			if err != nil {
				return n, fmt.Errorf("chunk: message of code %d: %w", msg.Code, err)
			}
			continue
		}
		if uint64(msg.Size) > msgLimit {
			msg.Discard()
			return n, fmt.Errorf("%w: message of %d bytes, at most %d expected", ErrChunkSize, msg.Size, msgLimit)
		}
		if int(msg.Size) > len(buf) {
			buf = make([]byte, msg.Size)
		}
		b, err := readPayload(msg, buf)
		if err != nil {
			return n, fmt.Errorf("chunk: message %d of the transfer: %w", next+1, err)
		}
		f, err := decodeFrame(b)
		if err != nil {
			return n, err
		}
		switch f.kind {
		case kindHeader:
			return n, fmt.Errorf("%w: a header mid-transfer", ErrSequence)
		case kindTrailer:
			if next < chunks {
				return n, fmt.Errorf("%w: trailer after %d of %d chunks", ErrSequence, next, chunks)
			}
			if !bytes.Equal(f.sum[:], hash.Sum(nil)) {
				return n, fmt.Errorf("%w: the trailer's SHA-256 is %x, the data's %x", ErrChecksum, f.sum, hash.Sum(nil))
			}
			return n, nil
		}
		// A chunk.
		switch {
		case next == chunks:
			return n, fmt.Errorf("%w: chunk %d after the last (%d chunks)", ErrSequence, f.index, chunks)
		case f.index < next:
			return n, fmt.Errorf("%w: chunk %d again, expected chunk %d", ErrSequence, f.index, next)
		case f.index > next:
			return n, fmt.Errorf("%w: chunk %d, expected chunk %d", ErrSequence, f.index, next)
		}
		want := chunkSize
		if next == chunks-1 {
			want = total - next*chunkSize
		}
		if uint64(len(f.data)) != want {
			return n, fmt.Errorf("%w: chunk %d holds %d bytes, expected %d", ErrChunkSize, next, len(f.data), want)
		}
		hash.Write(f.data)
		m, err := dst.Write(f.data)
		n += int64(m)
		if err != nil {
			return n, fmt.Errorf("chunk: writing chunk %d: %w", next, err)
		}
		next++
	}
}

// readPayload reads msg's payload into buf and returns it. A payload larger
// than buf is discarded and refused with ErrChunkSize; one shorter than
// msg.Size gives ErrTruncated.
func readPayload(msg p2p.Msg, buf []byte) ([]byte, error) {
	if uint64(msg.Size) > uint64(len(buf)) {
		msg.Discard()
		return nil, fmt.Errorf("%w: message of %d bytes, at most %d expected", ErrChunkSize, msg.Size, len(buf))
	}
	b := buf[:msg.Size]
	if _, err := io.ReadFull(msg.Payload, b); err != nil {
		return nil, fmt.Errorf("%w: payload: %w", ErrTruncated, err)
	}
	return b, nil
}
