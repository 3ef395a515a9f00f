package rlpx

import (
	"fmt"
	"net"
	"testing"

	"github.com/seednet/p2p/internal/testutil"
)

// BenchmarkHandshake measures complete handshakes, both sides, each over a
// new loopback TCP connection.
func BenchmarkHandshake(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	iniKey, recKey := testutil.NewKey(b), testutil.NewKey(b)
	errc := make(chan error, 1)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_, err = NewConn(c, nil).Handshake(recKey)
			c.Close()
			errc <- err
		}
	}()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			b.Fatal(err)
		}
		if _, err := NewConn(c, &recKey.PublicKey).Handshake(iniKey); err != nil {
			b.Fatal(err)
		}
		c.Close()
		if err := <-errc; err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "handshakes/s")
}

var benchSizes = []struct {
	name string
	size int
}{{"256B", 256}, {"4KiB", 4 << 10}, {"64KiB", 64 << 10}, {"1MiB", 1 << 20}}

// BenchmarkThroughput sends random payloads one way over loopback TCP; the
// receiver reads and discards. "write" flushes every message as go-ethereum
// does; "buffered" uses WriteBuffered and flushes every 64 messages.
func BenchmarkThroughput(b *testing.B) {
	for _, snappy := range []bool{false, true} {
		for _, mode := range []string{"write", "buffered"} {
			for _, sz := range benchSizes {
				name := fmt.Sprintf("snappy=%v/%s/%s", snappy, mode, sz.name)
				b.Run(name, func(b *testing.B) {
					benchThroughput(b, sz.size, snappy, mode == "buffered")
				})
			}
		}
	}
}

func benchThroughput(b *testing.B, size int, snappy, buffered bool) {
	ini, rec := connPair(b)
	ini.SetSnappy(snappy)
	rec.SetSnappy(snappy)
	data := randomBytes(size, 42)
	done := make(chan error, 1)
	go func() {
		for range b.N {
			if _, _, _, err := rec.Read(); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		var err error
		if buffered {
			_, err = ini.WriteBuffered(1, data)
			if err == nil && (i%64 == 63 || i == b.N-1) {
				err = ini.Flush()
			}
		} else {
			_, err = ini.Write(1, data)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
