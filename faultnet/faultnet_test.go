package faultnet

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// tcpPair returns the two ends of a loopback TCP connection.
func tcpPair(t *testing.T) (dialed, accepted net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ch := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		ch <- c
	}()
	dialed, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	accepted = <-ch
	if accepted == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { dialed.Close(); accepted.Close() })
	return dialed, accepted
}

// readAll reads from c until an error, with a deadline.
func readAll(c net.Conn) ([]byte, error) {
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	var out []byte
	buf := make([]byte, 4096)
	for {
		n, err := c.Read(buf)
		out = append(out, buf[:n]...)
		if err != nil {
			return out, err
		}
	}
}

func payload(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i * 7)
	}
	return b
}

func TestConnWriteFaults(t *testing.T) {
	data := payload(10000)
	tests := []struct {
		name    string
		f       Faults
		wantErr error // from Write
		check   func(t *testing.T, got []byte, rerr error, s Stats)
	}{
		{"none", Faults{}, nil, func(t *testing.T, got []byte, rerr error, s Stats) {
			if !bytes.Equal(got, data) || rerr != io.EOF || s.Total() != 0 || s.Bytes != uint64(len(data)) {
				t.Errorf("got %d bytes, err %v, stats %+v", len(got), rerr, s)
			}
		}},
		{"delay", Faults{Delay: 20 * time.Millisecond, Jitter: 10 * time.Millisecond}, nil, func(t *testing.T, got []byte, rerr error, s Stats) {
			if !bytes.Equal(got, data) || s.Delayed != 1 {
				t.Errorf("got %d bytes, stats %+v", len(got), s)
			}
		}},
		{"corrupt-at", Faults{CorruptAt: []int64{0, 5000, 20000}}, nil, func(t *testing.T, got []byte, rerr error, s Stats) {
			want := append([]byte(nil), data...)
			want[0] ^= 1
			want[5000] ^= 1
			if !bytes.Equal(got, want) || s.Corrupted != 2 {
				t.Errorf("corruption not where expected; stats %+v", s)
			}
		}},
		{"corrupt-random", Faults{Corrupt: 1}, nil, func(t *testing.T, got []byte, rerr error, s Stats) {
			if diffBits(got, data) != 1 || s.Corrupted != 1 {
				t.Errorf("%d bits differ, stats %+v", diffBits(got, data), s)
			}
		}},
		{"truncate-after", Faults{TruncateAfter: 1234}, ErrTruncated, func(t *testing.T, got []byte, rerr error, s Stats) {
			if !bytes.Equal(got, data[:1234]) || rerr != io.EOF || s.Truncated != 1 {
				t.Errorf("got %d bytes, err %v, stats %+v", len(got), rerr, s)
			}
		}},
		{"reset-after", Faults{ResetAfter: 1000}, ErrReset, func(t *testing.T, got []byte, rerr error, s Stats) {
			if !errors.Is(rerr, syscall.ECONNRESET) || s.Resets != 1 || len(got) > 1000 {
				t.Errorf("got %d bytes, err %v, stats %+v", len(got), rerr, s)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := tcpPair(t)
			fc := Wrap(a, Config{Seed: 1, Write: tt.f})
			n, err := fc.Write(data)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Write: %d, %v; want %v", n, err, tt.wantErr)
			}
			if err == nil {
				fc.Close()
			} else if _, err2 := fc.Write(data); !errors.Is(err2, tt.wantErr) {
				t.Errorf("Write after the fault: %v", err2)
			}
			got, rerr := readAll(b)
			tt.check(t, got, rerr, fc.Stats())
		})
	}
}

func TestConnReadFaults(t *testing.T) {
	data := payload(5000)
	tests := []struct {
		name  string
		f     Faults
		check func(t *testing.T, got []byte, rerr error, s Stats)
	}{
		{"corrupt-at", Faults{CorruptAt: []int64{3}}, func(t *testing.T, got []byte, rerr error, s Stats) {
			if diffBits(got, data) != 1 || got[3] == data[3] || rerr != io.EOF {
				t.Errorf("err %v stats %+v", rerr, s)
			}
		}},
		{"truncate-after", Faults{TruncateAfter: 100}, func(t *testing.T, got []byte, rerr error, s Stats) {
			if !bytes.Equal(got, data[:100]) || rerr != io.EOF {
				t.Errorf("got %d, err %v", len(got), rerr)
			}
		}},
		{"reset-after", Faults{ResetAfter: 100}, func(t *testing.T, got []byte, rerr error, s Stats) {
			if !bytes.Equal(got, data[:100]) || !errors.Is(rerr, ErrReset) || s.Resets != 1 {
				t.Errorf("got %d, err %v", len(got), rerr)
			}
		}},
		{"delay", Faults{Delay: 10 * time.Millisecond}, func(t *testing.T, got []byte, rerr error, s Stats) {
			if !bytes.Equal(got, data) || s.Delayed == 0 {
				t.Errorf("got %d, stats %+v", len(got), s)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := tcpPair(t)
			fc := Wrap(b, Config{Read: tt.f})
			go func() {
				a.Write(data)
				a.Close()
			}()
			got, rerr := readAll(fc)
			tt.check(t, got, rerr, fc.Stats())
			fc.Close()
		})
	}
}

// TestConnDeadline checks that a delay longer than the deadline ends at
// the deadline with a timeout error.
func TestConnDeadline(t *testing.T) {
	a, _ := tcpPair(t)
	fc := Wrap(a, Config{Write: Faults{Delay: time.Hour}})
	fc.SetWriteDeadline(time.Now().Add(50 * time.Millisecond))
	start := time.Now()
	_, err := fc.Write([]byte("x"))
	var ne net.Error
	if !errors.Is(err, os.ErrDeadlineExceeded) || !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("err %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("took %v", d)
	}
	// Close ends a wait at once.
	fc2 := Wrap(a, Config{Write: Faults{Delay: time.Hour}})
	go func() { time.Sleep(20 * time.Millisecond); fc2.Close() }()
	if _, err := fc2.Write([]byte("x")); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
}

func TestBandwidth(t *testing.T) {
	a, b := tcpPair(t)
	fc := Wrap(a, Config{Write: Faults{BytesPerSecond: 100_000}})
	go io.Copy(io.Discard, b)
	start := time.Now()
	for range 10 {
		fc.Write(make([]byte, 3000)) // 30 kB at 100 kB/s: 0.27 s at least after the first
	}
	if d := time.Since(start); d < 250*time.Millisecond || d > 3*time.Second {
		t.Fatalf("30 kB at 100 kB/s took %v", d)
	}
	fc.Close()
}

func diffBits(a, b []byte) int {
	n := 0
	for i := range min(len(a), len(b)) {
		for x := a[i] ^ b[i]; x != 0; x &= x - 1 {
			n++
		}
	}
	return n
}

func udpPair(t *testing.T) (a, b *net.UDPConn) {
	t.Helper()
	listen := func() *net.UDPConn {
		c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	return listen(), listen()
}

// recvAll reads packets until none comes for a while.
func recvAll(c interface {
	ReadFromUDPAddrPort([]byte) (int, netip.AddrPort, error)
	SetReadDeadline(time.Time) error
}) [][]byte {
	var out [][]byte
	buf := make([]byte, 2048)
	for {
		c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		n, _, err := c.ReadFromUDPAddrPort(buf)
		if err != nil {
			return out
		}
		out = append(out, append([]byte(nil), buf[:n]...))
	}
}

func TestPacketFaults(t *testing.T) {
	const count = 100
	tests := []struct {
		name  string
		f     Faults
		check func(t *testing.T, got [][]byte, s Stats)
	}{
		{"none", Faults{}, func(t *testing.T, got [][]byte, s Stats) {
			if len(got) != count || !inOrder(got) || s.Total() != 0 {
				t.Errorf("%d packets, in order %v, stats %+v", len(got), inOrder(got), s)
			}
		}},
		{"drop", Faults{Drop: 0.3}, func(t *testing.T, got [][]byte, s Stats) {
			if len(got)+int(s.Dropped) != count || s.Dropped < count/5 || s.Dropped > count/2 {
				t.Errorf("%d packets, stats %+v", len(got), s)
			}
		}},
		{"duplicate", Faults{Duplicate: 0.2}, func(t *testing.T, got [][]byte, s Stats) {
			if len(got) != count+int(s.Duplicated) || s.Duplicated == 0 {
				t.Errorf("%d packets, stats %+v", len(got), s)
			}
		}},
		{"reorder", Faults{Reorder: 0.2}, func(t *testing.T, got [][]byte, s Stats) {
			if s.Reordered == 0 || inOrder(got) || len(got) < count-1 {
				t.Errorf("%d packets, in order %v, stats %+v", len(got), inOrder(got), s)
			}
		}},
		{"delay-jitter", Faults{Delay: 5 * time.Millisecond, Jitter: 20 * time.Millisecond}, func(t *testing.T, got [][]byte, s Stats) {
			if len(got) != count || s.Delayed != count {
				t.Errorf("%d packets, stats %+v", len(got), s)
			}
		}},
		{"corrupt", Faults{Corrupt: 0.5}, func(t *testing.T, got [][]byte, s Stats) {
			bad := 0
			for _, p := range got {
				if p[len(p)-1] != p[0] {
					bad++
				}
			}
			if bad == 0 || s.Corrupted == 0 {
				t.Errorf("%d corrupted of %d, stats %+v", bad, len(got), s)
			}
		}},
		{"truncate", Faults{Truncate: 0.5}, func(t *testing.T, got [][]byte, s Stats) {
			short := 0
			for _, p := range got {
				if len(p) < 100 {
					short++
				}
			}
			if short == 0 || short != int(s.Truncated) {
				t.Errorf("%d short, stats %+v", short, s)
			}
		}},
	}
	for _, dir := range []string{"write", "read"} {
		for _, tt := range tests {
			t.Run(dir+"/"+tt.name, func(t *testing.T) {
				a, b := udpPair(t)
				var cfg Config
				cfg.Seed = 7
				if dir == "write" {
					cfg.Write = tt.f
				} else {
					cfg.Read = tt.f
				}
				fa, fb := WrapPacket(a, Config{}), WrapPacket(b, Config{})
				if dir == "write" {
					fa = WrapPacket(a, cfg)
				} else {
					fb = WrapPacket(b, cfg)
				}
				to := b.LocalAddr().(*net.UDPAddr).AddrPort()
				for i := range count {
					p := bytes.Repeat([]byte{byte(i)}, 100)
					if _, err := fa.WriteToUDPAddrPort(p, to); err != nil {
						t.Fatal(err)
					}
					if i%20 == 0 {
						time.Sleep(time.Millisecond) // keep within the socket buffer
					}
				}
				got := recvAll(fb)
				s := fa.Stats()
				if dir == "read" {
					s = fb.Stats()
				}
				tt.check(t, got, s)
				fa.Close()
				fb.Close()
			})
		}
	}
}

func inOrder(ps [][]byte) bool {
	for i := 1; i < len(ps); i++ {
		if ps[i][0] < ps[i-1][0] {
			return false
		}
	}
	return true
}

// TestPacketDeterministic checks that one seed gives the same faults.
func TestPacketDeterministic(t *testing.T) {
	run := func(seed uint64) Stats {
		a, b := udpPair(t)
		fa := WrapPacket(a, Config{Seed: seed, Write: Faults{Drop: 0.3, Duplicate: 0.1, Reorder: 0.1, Corrupt: 0.2}})
		to := b.LocalAddr().(*net.UDPAddr).AddrPort()
		for range 100 {
			fa.WriteToUDPAddrPort(make([]byte, 50), to)
		}
		fa.Close()
		return fa.Stats()
	}
	s1, s2, s3 := run(1), run(1), run(2)
	if s1 != s2 {
		t.Errorf("same seed, different faults: %+v %+v", s1, s2)
	}
	if s1 == s3 {
		t.Errorf("seeds 1 and 2 gave the same faults: %+v", s1)
	}
}

// TestPacketCloseStopsTimers closes a conn with packets still delayed:
// no goroutine stays (goleak checks in TestMain) and they are not sent.
func TestPacketCloseStopsTimers(t *testing.T) {
	a, b := udpPair(t)
	fa := WrapPacket(a, Config{Write: Faults{Delay: time.Hour}})
	to := b.LocalAddr().(*net.UDPAddr).AddrPort()
	for range 10 {
		fa.WriteToUDPAddrPort([]byte("x"), to)
	}
	if err := fa.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := fa.WriteToUDPAddrPort([]byte("x"), to); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("write after Close: %v", err)
	}
	if fa.Close() == nil {
		t.Fatal("second Close: no error")
	}
}

func TestPacketConnNetAddr(t *testing.T) {
	a, b := udpPair(t)
	fa, fb := WrapPacket(a, Config{}), WrapPacket(b, Config{})
	var _ net.PacketConn = fa
	if _, err := fa.WriteTo([]byte("hi"), b.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	fb.SetReadDeadline(time.Now().Add(2 * time.Second))
	buf := make([]byte, 10)
	n, from, err := fb.ReadFrom(buf)
	if err != nil || string(buf[:n]) != "hi" || from.String() != a.LocalAddr().String() {
		t.Fatalf("%q from %v, %v", buf[:n], from, err)
	}
	fa.Close()
	fb.Close()
}

func TestListenerDialer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fl := Listen(ln, Config{Read: Faults{CorruptAt: []int64{0}}})
	defer fl.Close()
	d := &Dialer{Config: Config{Write: Faults{CorruptAt: []int64{1}}}}
	done := make(chan []byte, 1)
	go func() {
		c, err := fl.Accept()
		if err != nil {
			done <- nil
			return
		}
		got, _ := readAll(c)
		c.Close()
		done <- got
	}()
	c, err := d.DialContext(t.Context(), "tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c.Write([]byte{0, 0, 0})
	c.Close()
	if got := <-done; !bytes.Equal(got, []byte{1, 1, 0}) {
		t.Fatalf("got %x", got)
	}
	if fl.Stats().Corrupted != 1 || d.Stats().Corrupted != 1 {
		t.Fatalf("listener %+v dialer %+v", fl.Stats(), d.Stats())
	}
}

// TestSkipAndSet checks that Skip lets the first calls through and that
// offsets count from the first call after them, and from SetWriteFaults.
func TestSkipAndSet(t *testing.T) {
	a, b := net.Pipe()
	fc := Wrap(a, Config{Write: Faults{Skip: 1, CorruptAt: []int64{1}}})
	go func() {
		fc.Write([]byte{0, 0}) // skipped
		fc.Write([]byte{0, 0}) // second byte flipped
		fc.SetWriteFaults(Faults{CorruptAt: []int64{0}})
		fc.Write([]byte{0, 0}) // first byte flipped
		fc.Close()
	}()
	got, _ := io.ReadAll(b)
	if !bytes.Equal(got, []byte{0, 0, 0, 1, 1, 0}) {
		t.Fatalf("got %x", got)
	}
}
