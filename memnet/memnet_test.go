package memnet

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"syscall"
	"testing"
	"testing/synctest"
	"time"
)

// pair returns a connection between two new hosts of n, dialer end first.
func pair(t *testing.T, n *Network) (a, b *Conn) {
	t.Helper()
	ha, hb := n.NewHost(), n.NewHost()
	l, err := hb.ListenTCP(":0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	type res struct {
		c   net.Conn
		err error
	}
	acc := make(chan res, 1)
	go func() { c, err := l.Accept(); acc <- res{c, err} }()
	a, err = ha.DialTCP(context.Background(), l.addr)
	if err != nil {
		t.Fatal(err)
	}
	r := <-acc
	if r.err != nil {
		t.Fatal(r.err)
	}
	return a, r.c.(*Conn)
}

func TestStreamLatency(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := New(Config{Link: Link{Latency: 50 * time.Millisecond}})
		defer n.Close()
		start := time.Now()
		a, b := pair(t, n)
		if d := time.Since(start); d != 100*time.Millisecond {
			t.Errorf("dial took %v, want one round trip, 100ms", d)
		}
		start = time.Now()
		if _, err := a.Write([]byte("hello")); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 10)
		k, err := b.Read(buf)
		if err != nil || string(buf[:k]) != "hello" {
			t.Fatalf("read %q, %v", buf[:k], err)
		}
		if d := time.Since(start); d != 50*time.Millisecond {
			t.Errorf("one-way delay %v, want 50ms", d)
		}
		// A change of link applies to what is sent next.
		n.SetLink(a.local.Addr(), b.local.Addr(), Link{Latency: 10 * time.Millisecond})
		start = time.Now()
		b.Write([]byte("x"))
		a.Read(buf)
		if d := time.Since(start); d != 10*time.Millisecond {
			t.Errorf("after SetLink: delay %v, want 10ms", d)
		}
	})
}

func TestStreamJitterKeepsOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := New(Config{Seed: 7, Link: Link{Latency: 10 * time.Millisecond, Jitter: 40 * time.Millisecond}})
		defer n.Close()
		a, b := pair(t, n)
		go func() {
			for i := range 200 {
				a.Write([]byte{byte(i)})
				time.Sleep(time.Millisecond)
			}
			a.Close()
		}()
		got, err := io.ReadAll(b)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 200 {
			t.Fatalf("got %d bytes, want 200", len(got))
		}
		for i, v := range got {
			if v != byte(i) {
				t.Fatalf("byte %d is %d: stream reordered", i, v)
			}
		}
	})
}

func TestStreamBandwidth(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const bw = 1 << 20 // 1 MiB/s
		n := New(Config{Link: Link{Latency: 5 * time.Millisecond, Bandwidth: bw}, StreamBuffer: 64 << 10})
		defer n.Close()
		a, b := pair(t, n)
		data := bytes.Repeat([]byte{0xab}, 2<<20)
		start := time.Now()
		go func() { a.Write(data); a.Close() }()
		got, err := io.ReadAll(b)
		if err != nil || len(got) != len(data) {
			t.Fatalf("read %d bytes, %v", len(got), err)
		}
		d := time.Since(start)
		want := 2*time.Second + 5*time.Millisecond
		if d < want-time.Millisecond || d > want+10*time.Millisecond {
			t.Errorf("2 MiB at 1 MiB/s took %v, want %v", d, want)
		}
	})
}

func TestStreamBackpressure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := New(Config{StreamBuffer: 1000})
		defer n.Close()
		a, b := pair(t, n)
		a.SetWriteDeadline(time.Now().Add(time.Second))
		k, err := a.Write(make([]byte, 5000))
		if k != 1000 || !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("write to a full buffer: %d, %v; want 1000, deadline exceeded", k, err)
		}
		// Reading makes room.
		a.SetWriteDeadline(time.Time{})
		done := make(chan error)
		go func() { _, err := a.Write(make([]byte, 1500)); done <- err }()
		io.ReadFull(b, make([]byte, 2500))
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}

func TestStreamDeadlines(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := New(Config{})
		defer n.Close()
		a, b := pair(t, n)
		start := time.Now()
		b.SetReadDeadline(start.Add(300 * time.Millisecond))
		_, err := b.Read(make([]byte, 1))
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("read: %v, want deadline exceeded", err)
		}
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Errorf("error %v is not a timeout net.Error", err)
		}
		if d := time.Since(start); d != 300*time.Millisecond {
			t.Errorf("deadline hit after %v, want 300ms", d)
		}
		// A deadline in the past wakes a blocked Read.
		b.SetReadDeadline(time.Time{})
		errc := make(chan error)
		go func() { _, err := b.Read(make([]byte, 1)); errc <- err }()
		time.Sleep(time.Second)
		synctest.Wait()
		b.SetDeadline(time.Now().Add(-time.Second))
		if err := <-errc; !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("read: %v, want deadline exceeded", err)
		}
		// Clearing it lets reads work again.
		b.SetDeadline(time.Time{})
		a.Write([]byte("z"))
		if _, err := b.Read(make([]byte, 1)); err != nil {
			t.Fatal(err)
		}
	})
}

func TestStreamClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := New(Config{Link: Link{Latency: 20 * time.Millisecond}})
		defer n.Close()
		a, b := pair(t, n)
		a.Write([]byte("last words"))
		a.Close()
		got, err := io.ReadAll(b)
		if err != nil || string(got) != "last words" {
			t.Fatalf("ReadAll: %q, %v", got, err)
		}
		if _, err := b.Write([]byte("x")); !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("write to a closed peer: %v, want ECONNRESET", err)
		}
		if _, err := a.Read(make([]byte, 1)); !errors.Is(err, net.ErrClosed) {
			t.Errorf("read after Close: %v, want net.ErrClosed", err)
		}
		b.Close()
		n.mu.Lock()
		left := len(n.conns)
		n.mu.Unlock()
		if left != 0 {
			t.Errorf("%d connections left after both ends closed", left)
		}
	})
}

func TestDialErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := New(Config{})
		defer n.Close()
		a, b := n.NewHost(), n.NewHost()
		ctx := context.Background()
		if _, err := a.DialTCP(ctx, netip.AddrPortFrom(b.Addr(), 1)); !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("dial nothing listening: %v, want ECONNREFUSED", err)
		}
		if _, err := a.DialTCP(ctx, netip.MustParseAddrPort("10.9.9.9:1")); !errors.Is(err, syscall.EHOSTUNREACH) {
			t.Errorf("dial no host: %v, want EHOSTUNREACH", err)
		}
		if _, err := b.Listen("10.9.9.9:1"); !errors.Is(err, syscall.EADDRNOTAVAIL) {
			t.Errorf("listen on another's address: %v", err)
		}
		l, _ := b.Listen(":5")
		defer l.Close()
		if _, err := b.Listen("0.0.0.0:5"); !errors.Is(err, syscall.EADDRINUSE) {
			t.Errorf("listen twice: %v", err)
		}
		if l.Addr().String() != b.Addr().String()+":5" {
			t.Errorf("listener address %v", l.Addr())
		}
		if _, ok := l.Addr().(*net.TCPAddr); !ok {
			t.Errorf("listener address is a %T", l.Addr())
		}
	})
}

func TestPartition(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := New(Config{Link: Link{Latency: time.Millisecond}})
		defer n.Close()
		a, b := pair(t, n)
		ipA, ipB := a.local.Addr(), b.local.Addr()
		pa, _ := n.Host(ipA).ListenPacket(":9")
		pb, _ := n.Host(ipB).ListenPacket(":9")

		n.Partition([]netip.Addr{ipA}, []netip.Addr{ipB})
		if _, err := b.Read(make([]byte, 1)); !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("read across a new partition: %v, want ECONNRESET", err)
		}
		if _, err := a.Write([]byte("x")); !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("write across a new partition: %v, want ECONNRESET", err)
		}
		if _, err := n.Host(ipA).DialTCP(context.Background(), b.local); !errors.Is(err, syscall.EHOSTUNREACH) {
			t.Errorf("dial across a partition: %v, want EHOSTUNREACH", err)
		}
		pa.WriteToUDPAddrPort([]byte("lost"), pb.addr)
		pb.SetReadDeadline(time.Now().Add(time.Second))
		if _, _, err := pb.ReadFromUDPAddrPort(make([]byte, 10)); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("datagram across a partition arrived (err %v)", err)
		}

		n.Heal()
		pa.WriteToUDPAddrPort([]byte("found"), pb.addr)
		pb.SetReadDeadline(time.Now().Add(time.Second))
		buf := make([]byte, 10)
		k, from, err := pb.ReadFromUDPAddrPort(buf)
		if err != nil || string(buf[:k]) != "found" || from != pa.addr {
			t.Errorf("after Heal: %q from %v, %v", buf[:k], from, err)
		}
		a.Close()
		b.Close()
		pa.Close()
		pb.Close()
	})
}

func TestPacketLatencyAndReorder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := New(Config{Seed: 3, Link: Link{Latency: 30 * time.Millisecond, Jitter: 20 * time.Millisecond}})
		defer n.Close()
		a, _ := n.NewHost().ListenPacket(":1")
		b, _ := n.NewHost().ListenPacket(":1")
		start := time.Now()
		for i := range 100 {
			a.WriteToUDPAddrPort([]byte{byte(i)}, b.addr)
		}
		reordered := false
		last := -1
		for range 100 {
			buf := make([]byte, 1)
			_, _, err := b.ReadFromUDPAddrPort(buf)
			if err != nil {
				t.Fatal(err)
			}
			d := time.Since(start)
			if d < 30*time.Millisecond || d >= 50*time.Millisecond {
				t.Errorf("datagram after %v, want in [30ms, 50ms)", d)
			}
			if int(buf[0]) < last {
				reordered = true
			}
			last = int(buf[0])
		}
		if !reordered {
			t.Error("jitter did not reorder any datagram")
		}
	})
}

func TestPacketLoss(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const sent, loss = 10000, 0.2
		n := New(Config{Seed: 1, Link: Link{Loss: loss}, PacketQueue: sent})
		defer n.Close()
		a, _ := n.NewHost().ListenPacket(":1")
		b, _ := n.NewHost().ListenPacket(":1")
		for range sent {
			a.WriteToUDPAddrPort([]byte{1}, b.addr)
		}
		st := n.Stats()
		rate := float64(st.PacketsLost) / sent
		if rate < loss-0.02 || rate > loss+0.02 {
			t.Errorf("loss rate %.3f, want %.2f±0.02", rate, loss)
		}
		if st.PacketsLost+st.PacketsDelivered != sent {
			t.Errorf("stats %+v do not add up to %d", st, sent)
		}
		// The same seed loses the same datagrams.
		n2 := New(Config{Seed: 1, Link: Link{Loss: loss}, PacketQueue: sent})
		defer n2.Close()
		a2, _ := n2.NewHost().ListenPacket(":1")
		b2, _ := n2.NewHost().ListenPacket(":1")
		for range sent {
			a2.WriteToUDPAddrPort([]byte{1}, b2.addr)
		}
		if l2 := n2.Stats().PacketsLost; l2 != st.PacketsLost {
			t.Errorf("same seed lost %d, then %d", st.PacketsLost, l2)
		}
	})
}

func TestPacketQueueFull(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := New(Config{PacketQueue: 10})
		defer n.Close()
		a, _ := n.NewHost().ListenPacket(":1")
		b, _ := n.NewHost().ListenPacket(":1")
		for range 15 {
			a.WriteToUDPAddrPort([]byte{1}, b.addr)
		}
		if st := n.Stats(); st.PacketsDelivered != 10 || st.PacketsDropped != 5 {
			t.Errorf("stats %+v, want 10 delivered and 5 dropped", st)
		}
	})
}

func TestPacketBandwidth(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := New(Config{Link: Link{Bandwidth: 100_000}})
		defer n.Close()
		a, _ := n.NewHost().ListenPacket(":1")
		b, _ := n.NewHost().ListenPacket(":1")
		start := time.Now()
		for range 10 {
			a.WriteToUDPAddrPort(make([]byte, 1000), b.addr)
		}
		for range 10 {
			b.ReadFromUDPAddrPort(make([]byte, 1000))
		}
		if d := time.Since(start); d != 100*time.Millisecond {
			t.Errorf("10 kB at 100 kB/s took %v, want 100ms", d)
		}
	})
}

func TestNAT(t *testing.T) {
	cases := []struct {
		nat                                      NATType
		unsolicited, fromPeer, fromPeerOtherPort bool
	}{
		{NoNAT, true, true, true},
		{FullCone, false, true, true},
		{RestrictedCone, false, true, true},
		{Symmetric, false, true, false},
	}
	for _, tc := range cases {
		t.Run(tc.nat.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				n := New(Config{})
				defer n.Close()
				in, out, other := n.NewHost(), n.NewHost(), n.NewHost()
				in.SetNAT(tc.nat)
				s, _ := in.ListenPacket(":1")
				o1, _ := out.ListenPacket(":1")
				o2, _ := out.ListenPacket(":2")
				x, _ := other.ListenPacket(":1")
				arrives := func(from *PacketConn) bool {
					from.WriteToUDPAddrPort([]byte{1}, s.addr)
					s.SetReadDeadline(time.Now().Add(time.Second))
					_, _, err := s.ReadFromUDPAddrPort(make([]byte, 1))
					return err == nil
				}
				if got := arrives(o1); got != tc.unsolicited {
					t.Errorf("unsolicited datagram arrives: %v, want %v", got, tc.unsolicited)
				}
				s.WriteToUDPAddrPort([]byte{1}, o1.addr)
				if got := arrives(o1); got != tc.fromPeer {
					t.Errorf("answer arrives: %v, want %v", got, tc.fromPeer)
				}
				if got := arrives(o2); got != tc.fromPeerOtherPort {
					t.Errorf("from the peer's other port: %v, want %v", got, tc.fromPeerOtherPort)
				}
				if got := arrives(x); got != (tc.nat == NoNAT || tc.nat == FullCone) {
					t.Errorf("from a third host: %v", got)
				}
				_, err := out.DialTCP(context.Background(), netip.AddrPortFrom(in.Addr(), 1))
				if tc.nat != NoNAT && !errors.Is(err, syscall.EHOSTUNREACH) {
					t.Errorf("dial behind NAT: %v, want EHOSTUNREACH", err)
				}
			})
		})
	}
}

func TestNetworkClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := New(Config{Link: Link{Latency: time.Millisecond}})
		a, b := pair(t, n)
		l, _ := n.NewHost().Listen(":1")
		pc, _ := n.NewHost().ListenPacket(":1")
		errs := make(chan error, 4)
		go func() { _, err := a.Read(make([]byte, 1)); errs <- err }()
		go func() { _, err := b.Read(make([]byte, 1)); errs <- err }()
		go func() { _, err := l.Accept(); errs <- err }()
		go func() { _, _, err := pc.ReadFromUDPAddrPort(make([]byte, 1)); errs <- err }()
		synctest.Wait()
		n.Close()
		n.Close()
		for range 4 {
			if err := <-errs; err == nil {
				t.Error("blocked call returned no error after Close")
			}
		}
		if _, err := n.NewHost().Listen(":1"); err == nil {
			t.Error("listen on a closed network")
		}
	})
}
