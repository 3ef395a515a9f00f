package rlpx

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"sync/atomic"
	"testing"
	"time"
)

func randomBytes(n int, seed uint64) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(seed, seed))
	for i := 0; i+8 <= n; i += 8 {
		binary.LittleEndian.PutUint64(b[i:], r.Uint64())
	}
	for i := n &^ 7; i < n; i++ {
		b[i] = byte(r.Uint32())
	}
	return b
}

// TestMessages sends messages of many sizes both ways, with and without
// snappy, over loopback TCP, and checks each one.
func TestMessages(t *testing.T) {
	sizes := []int{0, 1, 15, 16, 17, 255, 256, 1000, 4096, 64<<10 - 1, 64 << 10, 64<<10 + 1, 1 << 20, 3<<20 + 5, 1<<24 - 1 - 3}
	for _, snappy := range []bool{false, true} {
		name := "plain"
		if snappy {
			name = "snappy"
		}
		t.Run(name, func(t *testing.T) {
			ini, rec := connPair(t)
			ini.SetSnappy(snappy)
			rec.SetSnappy(snappy)
			for i, size := range sizes {
				data := randomBytes(size, uint64(i))
				// Random data grows under snappy: the largest message must
				// compress to fit in a frame.
				if (i%3 == 0 || snappy && size > 1<<23) && size > 0 {
					data = bytes.Repeat([]byte{byte(i)}, size) // compressible
				}
				code := uint64(i * 37)
				exchange(t, ini, rec, code, data)
				exchange(t, rec, ini, code+1, data)
			}
		})
	}
}

// TestMessageMaxSize checks the largest message: 2^24-1 bytes of payload
// including the code is the frame limit without snappy; with snappy the
// limit is on the uncompressed payload.
func TestMessageMaxSize(t *testing.T) {
	ini, rec := connPair(t)
	// Code 0 takes one byte, so the largest payload is 2^24-2 bytes.
	exchange(t, ini, rec, 0, make([]byte, maxUint24-1))
	if _, err := ini.Write(0, make([]byte, maxUint24)); !errors.Is(err, ErrMessageTooLarge) {
		t.Fatalf("frame over the limit: got %v", err)
	}
	if _, err := ini.Write(0, make([]byte, maxUint24+1)); !errors.Is(err, ErrMessageTooLarge) {
		t.Fatalf("message over the limit: got %v", err)
	}
	// The failed writes sent nothing: the stream is intact.
	exchange(t, ini, rec, 5, []byte("still fine"))

	ini.SetSnappy(true)
	rec.SetSnappy(true)
	exchange(t, ini, rec, 0, make([]byte, maxUint24))
	if _, err := ini.Write(0, make([]byte, maxUint24+1)); !errors.Is(err, ErrMessageTooLarge) {
		t.Fatalf("snappy message over the limit: got %v", err)
	}
}

// TestBufferedWrites sends many small messages with WriteBuffered and one
// Flush and counts the write system calls they took.
func TestBufferedWrites(t *testing.T) {
	ini, rec := connPair(t)
	counter := &countingConn{Conn: ini.conn}
	ini.conn = counter
	const n = 100
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		for i := range n {
			if _, err := ini.WriteBuffered(uint64(i), []byte("small message")); err != nil {
				t.Error(err)
				return
			}
		}
		if err := ini.Flush(); err != nil {
			t.Error(err)
		}
	}()
	for i := range n {
		code, data, _, err := rec.Read()
		if err != nil {
			t.Fatal(err)
		}
		if code != uint64(i) || string(data) != "small message" {
			t.Fatalf("message %d: code %d data %q", i, code, data)
		}
	}
	<-sent
	if w := counter.writes.Load(); w != 1 {
		t.Errorf("%d messages took %d writes, want 1", n, w)
	}
	// A lone Write is sent at once.
	counter.writes.Store(0)
	exchange(t, ini, rec, 1, []byte("lone"))
	if w := counter.writes.Load(); w != 1 {
		t.Errorf("lone message took %d writes", w)
	}
}

type countingConn struct {
	net.Conn
	writes atomic.Int64
}

func (c *countingConn) Write(b []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(b)
}

// rawFrame encodes a frame as c would send it, without sending it, and
// advances c's egress state as if it had.
func rawFrame(t testing.TB, c *Conn, code uint64, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := c.wr.writeMsg(&buf, code, data, false); err != nil {
		t.Fatal(err)
	}
	if err := c.wr.flush(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestBadFrames sends frames that must make the reader fail: each gives an
// error and closes the connection.
func TestBadFrames(t *testing.T) {
	snappyClaim := func(n uint64) []byte {
		return append(binary.AppendUvarint(nil, n), 0x00, 'a')
	}
	tests := []struct {
		name    string
		snappy  bool
		frame   func(t *testing.T, c *Conn) []byte
		wantErr error
	}{
		{"header-mac", false, func(t *testing.T, c *Conn) []byte {
			f := rawFrame(t, c, 1, []byte("hello"))
			f[20] ^= 1
			return f
		}, ErrBadHeaderMAC},
		{"header-ciphertext", false, func(t *testing.T, c *Conn) []byte {
			f := rawFrame(t, c, 1, []byte("hello"))
			f[0] ^= 1
			return f
		}, ErrBadHeaderMAC},
		{"frame-mac", false, func(t *testing.T, c *Conn) []byte {
			f := rawFrame(t, c, 1, []byte("hello"))
			f[len(f)-1] ^= 1
			return f
		}, ErrBadFrameMAC},
		{"frame-ciphertext", false, func(t *testing.T, c *Conn) []byte {
			f := rawFrame(t, c, 1, []byte("hello"))
			f[33] ^= 1
			return f
		}, ErrBadFrameMAC},
		{"truncated-header", false, func(t *testing.T, c *Conn) []byte {
			return rawFrame(t, c, 1, []byte("hello"))[:20]
		}, io.ErrUnexpectedEOF},
		{"truncated-body", false, func(t *testing.T, c *Conn) []byte {
			f := rawFrame(t, c, 1, make([]byte, 5000))
			return f[:len(f)-100]
		}, io.ErrUnexpectedEOF},
		{"snappy-claims-too-much", true, func(t *testing.T, c *Conn) []byte {
			return rawFrame(t, c, 1, snappyClaim(maxUint24+1))
		}, ErrMessageTooLarge},
		{"snappy-claims-4GB", true, func(t *testing.T, c *Conn) []byte {
			return rawFrame(t, c, 1, snappyClaim(1<<32-1))
		}, ErrMessageTooLarge},
		{"snappy-claims-2^40", true, func(t *testing.T, c *Conn) []byte {
			return rawFrame(t, c, 1, snappyClaim(1<<40))
		}, ErrBadSnappy},
		{"snappy-wrong-length", true, func(t *testing.T, c *Conn) []byte {
			return rawFrame(t, c, 1, snappyClaim(100))
		}, ErrBadSnappy},
		{"snappy-garbage", true, func(t *testing.T, c *Conn) []byte {
			return rawFrame(t, c, 1, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
		}, ErrBadSnappy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ini, rec := connPair(t)
			rec.SetSnappy(tt.snappy)
			f := tt.frame(t, ini)
			go func() {
				ini.conn.Write(f)
				ini.conn.(*net.TCPConn).CloseWrite()
			}()
			rec.SetReadDeadline(time.Now().Add(5 * time.Second))
			_, _, _, err := rec.Read()
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			}
			assertClosed(t, ini.conn)
			if _, _, _, err2 := rec.Read(); err2 != err {
				t.Fatalf("second read: %v", err2)
			}
		})
	}
}

// TestBadMessageCode sends frames whose body does not start with a
// canonical RLP integer.
func TestBadMessageCode(t *testing.T) {
	for _, body := range [][]byte{{0x00, 0xC0}, {0x81, 0x05}, {0x82, 0x00, 0x01}, {0x89}, {0xc0}, {0x83, 1}} {
		ini, rec := connPair(t)
		var buf bytes.Buffer
		if err := ini.wr.writeFrame(&buf, body, nil); err != nil {
			t.Fatal(err)
		}
		ini.wr.flush(&buf)
		go ini.conn.Write(buf.Bytes())
		if _, _, _, err := rec.Read(); !errors.Is(err, ErrBadMessageCode) {
			t.Fatalf("body %x: got %v", body, err)
		}
	}
}

// TestReadBufferGrowsWithData: a header that claims a 16 MiB frame, followed
// by a few bytes, must not make the reader allocate 16 MiB.
func TestReadBufferGrowsWithData(t *testing.T) {
	ini, rec := connPair(t)
	f := rawFrame(t, ini, 1, make([]byte, maxUint24-1))
	go ini.conn.Write(f[:32+1000])
	rec.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if _, _, _, err := rec.Read(); err == nil {
		t.Fatal("no error")
	}
	if n := len(*rec.rd.bufp); n > 8<<10+bufSlack {
		t.Fatalf("read buffer is %d bytes after 1032 bytes of a 16 MiB frame", n)
	}
}

// TestNoAllocs: steady-state Read and Write allocate nothing.
func TestNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	for _, snappy := range []bool{false, true} {
		for _, size := range []int{32, 4096, 100 << 10} {
			ini, rec := connPair(t)
			ini.SetSnappy(snappy)
			rec.SetSnappy(snappy)
			data := randomBytes(size, 1)
			// Warm up the pools.
			for range 4 {
				exchange(t, ini, rec, 1, data)
			}
			done := make(chan struct{})
			var readErr error
			go func() {
				defer close(done)
				for range 201 {
					if _, _, _, err := rec.Read(); err != nil {
						readErr = err
						return
					}
				}
			}()
			allocs := testing.AllocsPerRun(200, func() {
				if _, err := ini.Write(1, data); err != nil {
					t.Fatal(err)
				}
			})
			<-done
			if readErr != nil {
				t.Fatal(readErr)
			}
			if allocs > 0 {
				t.Errorf("snappy=%v size=%d: Write allocates %.1f times", snappy, size, allocs)
			}
			go func() {
				for range 201 {
					ini.Write(1, data)
				}
			}()
			allocs = testing.AllocsPerRun(200, func() {
				if _, _, _, err := rec.Read(); err != nil {
					t.Fatal(err)
				}
			})
			if allocs > 0 {
				t.Errorf("snappy=%v size=%d: Read allocates %.1f times", snappy, size, allocs)
			}
		}
	}
}

// TestConcurrentReadWrite has both sides read and write at the same time.
func TestConcurrentReadWrite(t *testing.T) {
	ini, rec := connPair(t)
	ini.SetSnappy(true)
	rec.SetSnappy(true)
	const n = 300
	errc := make(chan error, 4)
	send := func(c *Conn) {
		for i := range n {
			if _, err := c.WriteBuffered(uint64(i), randomBytes(i*50, uint64(i))); err != nil {
				errc <- err
				return
			}
			if i%7 == 0 {
				if err := c.Flush(); err != nil {
					errc <- err
					return
				}
			}
		}
		errc <- c.Flush()
	}
	recv := func(c *Conn) {
		for i := range n {
			code, data, _, err := c.Read()
			if err != nil {
				errc <- err
				return
			}
			if code != uint64(i) || !bytes.Equal(data, randomBytes(i*50, uint64(i))) {
				errc <- errors.New("message mismatch")
				return
			}
		}
		errc <- nil
	}
	go send(ini)
	go send(rec)
	go recv(ini)
	go recv(rec)
	for range 4 {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
}

// TestCloseUnblocksRead: Close from another goroutine ends a blocked Read.
func TestCloseUnblocksRead(t *testing.T) {
	_, rec := connPair(t)
	errc := make(chan error, 1)
	go func() {
		_, _, _, err := rec.Read()
		errc <- err
	}()
	time.Sleep(20 * time.Millisecond)
	rec.Close()
	if err := <-errc; err == nil {
		t.Fatal("no error")
	}
}

func TestNotHandshaked(t *testing.T) {
	a, _ := tcpPair(t)
	c := NewConn(a, nil)
	if _, _, _, err := c.Read(); !errors.Is(err, ErrNotHandshaked) {
		t.Fatal(err)
	}
	if _, err := c.Write(0, nil); !errors.Is(err, ErrNotHandshaked) {
		t.Fatal(err)
	}
}

// TestReadTimeoutResumable: a read deadline that passes between frames
// leaves the connection usable; one that passes inside a frame does not.
func TestReadTimeoutResumable(t *testing.T) {
	ini, rec := connPair(t)
	rec.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	if _, _, _, err := rec.Read(); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("got %v, want timeout", err)
	}
	rec.SetReadDeadline(time.Time{})
	exchange(t, ini, rec, 1, []byte("after timeout"))
	exchange(t, rec, ini, 2, []byte("reply"))

	// Half a header, then a timeout: still resumable.
	f := rawFrame(t, ini, 3, []byte("split"))
	ini.conn.Write(f[:10])
	rec.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if _, _, _, err := rec.Read(); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("got %v, want timeout", err)
	}
	ini.conn.Write(f[10:])
	rec.SetReadDeadline(time.Time{})
	if code, data, _, err := rec.Read(); err != nil || code != 3 || string(data) != "split" {
		t.Fatalf("after split header: %v %d %q", err, code, data)
	}

	// Header complete, body missing: the deadline breaks the connection.
	f = rawFrame(t, ini, 4, make([]byte, 100))
	ini.conn.Write(f[:40])
	rec.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if _, _, _, err := rec.Read(); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("got %v, want timeout", err)
	}
	if _, _, _, err := rec.Read(); err == nil {
		t.Fatal("connection still usable after a timeout inside a frame")
	}
}
