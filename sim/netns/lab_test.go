// Copyright the seednet/p2p authors. Licensed under the Apache License 2.0.

package netns

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/seednet/p2p/internal/testutil"
)

// newLab makes a lab for the test, or skips the test with Available's
// line. Its cleanup closes the lab and checks that `ip netns list` shows
// none of its namespaces.
func newLab(t *testing.T, cfg Config) *Lab {
	t.Helper()
	if err := Available(); err != nil {
		t.Skip(err)
	}
	cfg.Logger = testutil.Logger(t)
	lab, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := lab.Close(); err != nil {
			t.Error(err)
		}
		if err := lab.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
		out, err := exec.Command("ip", "netns", "list").CombinedOutput()
		if err != nil {
			t.Fatalf("ip netns list: %v: %s", err, out)
		}
		for _, ns := range lab.Namespaces() {
			if bytes.Contains(out, []byte(ns)) {
				t.Errorf("namespace %s left after Close", ns)
			}
		}
	})
	return lab
}

func listen(t *testing.T, h *Host, port uint16) net.Listener {
	t.Helper()
	ln, err := h.Listen(netip.AddrPortFrom(h.Addr(), port).String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

func dial(t *testing.T, h *Host, network string, to net.Addr) net.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := h.DialContext(ctx, network, to.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// accept accepts one connection, within 10 s.
func accept(t *testing.T, ln net.Listener) net.Conn {
	t.Helper()
	ln.(*net.TCPListener).SetDeadline(time.Now().Add(10 * time.Second))
	c, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestSockets makes a TCP listener and a UDP socket on host 0 and reaches
// them from host 1, over the bridge; the root namespace reaches neither.
func TestSockets(t *testing.T) {
	lab := newLab(t, Config{Hosts: 2})
	h0, h1 := lab.Host(0), lab.Host(1)
	if lab.Host(2) != nil || lab.Host(-1) != nil || lab.Hosts() != 2 {
		t.Fatal("Host out of range is not nil")
	}
	if h0.Addr() != netip.MustParseAddr("10.213.0.1") || h1.Addr() != netip.MustParseAddr("10.213.0.2") {
		t.Fatalf("addresses %v %v", h0.Addr(), h1.Addr())
	}

	// TCP.
	ln := listen(t, h0, 30303)
	if _, ok := ln.Addr().(*net.TCPAddr); !ok {
		t.Fatalf("listener address %T", ln.Addr())
	}
	c1 := dial(t, h1, "tcp", ln.Addr())
	c0 := accept(t, ln)
	if got := c0.RemoteAddr().(*net.TCPAddr).AddrPort().Addr(); got != h1.Addr() {
		t.Errorf("connection from %v, want host 1 (%v)", got, h1.Addr())
	}
	if _, err := c1.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	c0.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadFull(c0, buf); err != nil || string(buf) != "hello" {
		t.Fatalf("read %q, %v", buf, err)
	}

	// UDP.
	u0, err := h0.ListenUDP(netip.AddrPortFrom(h0.Addr(), 30303).String())
	if err != nil {
		t.Fatal(err)
	}
	defer u0.Close()
	if _, ok := u0.LocalAddr().(*net.UDPAddr); !ok {
		t.Fatalf("UDP local address %T", u0.LocalAddr())
	}
	u1 := dial(t, h1, "udp", u0.LocalAddr())
	u0.(*net.UDPConn).SetReadDeadline(time.Now().Add(10 * time.Second))
	got := make(chan netip.AddrPort, 1)
	go func() {
		b := make([]byte, 16)
		_, from, err := u0.ReadFromUDPAddrPort(b)
		if err != nil {
			t.Error(err)
		}
		got <- from
	}()
	// Datagrams sent before the neighbour is resolved may be dropped:
	// send until one is read.
	for i := 0; ; i++ {
		if _, err := u1.Write([]byte("ping")); err != nil {
			t.Fatal(err)
		}
		select {
		case from := <-got:
			if from.Addr() != h1.Addr() {
				t.Errorf("datagram from %v, want host 1 (%v)", from, h1.Addr())
			}
		case <-time.After(100 * time.Millisecond):
			continue
		}
		break
	}

	// The root namespace has no way there. (A dial from it may still
	// succeed: some VMs send every outbound connection to a proxy. What
	// counts is that nothing arrives.)
	var d net.Dialer
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if c, err := d.DialContext(ctx, "tcp", ln.Addr().String()); err == nil {
		t.Logf("from the root namespace: connected to %v (not the lab's listener: %v)", c.RemoteAddr(), c.LocalAddr())
		c.Close()
	} else {
		t.Logf("from the root namespace: %v", err)
	}
	if c, err := net.Dial("udp", u0.LocalAddr().String()); err == nil {
		c.Write([]byte("root"))
		c.Close()
	}
	ln.(*net.TCPListener).SetDeadline(time.Now().Add(300 * time.Millisecond))
	if c, err := ln.Accept(); err == nil {
		c.Close()
		t.Errorf("host 0 accepted a connection from %v", c.RemoteAddr())
	}
	u0.(*net.UDPConn).SetReadDeadline(time.Now().Add(10 * time.Millisecond))
	for {
		_, from, err := u0.ReadFromUDPAddrPort(make([]byte, 16))
		if err != nil {
			break
		}
		if from.Addr() != h1.Addr() { // host 1's extra pings may be queued
			t.Errorf("host 0 got a datagram from %v", from)
		}
	}
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if strings.HasPrefix(a.String(), "10.213.") {
			t.Errorf("root namespace has address %v", a)
		}
	}

	// Sockets keep their namespace after Close; new ones fail.
	lab.Close()
	if _, err := h0.Listen("10.213.0.1:0"); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Listen after Close: %v", err)
	}
}

// TestPlace checks where Place puts nodes.
func TestPlace(t *testing.T) {
	lab := newLab(t, Config{Hosts: 3})
	for _, tc := range []struct {
		index int
		addr  string
		host  int
	}{
		{0, "10.213.0.1:30303", 0},
		{2, "10.213.0.3:30303", 2},
		{3, "10.213.0.1:30304", 0},
		{7, "10.213.0.2:30305", 1},
	} {
		p, err := lab.Place(tc.index)
		if err != nil {
			t.Fatal(err)
		}
		if p.ListenAddr != tc.addr || p.Network != lab.Host(tc.host) || p.Dialer != lab.Host(tc.host) {
			t.Errorf("node %d: %+v, want %s on host %d", tc.index, p, tc.addr, tc.host)
		}
	}
	if _, err := lab.Place(-1); err == nil {
		t.Error("Place(-1) did not fail")
	}
}

// transfer sends n bytes from host a to host b over TCP and returns how
// long it took, up to the deadline.
func transfer(t *testing.T, a, b *Host, n int, deadline time.Duration) time.Duration {
	t.Helper()
	ln := listen(t, b, 40000)
	c := dial(t, a, "tcp", ln.Addr())
	r := accept(t, ln)
	dl := time.Now().Add(deadline)
	c.SetDeadline(dl)
	r.SetDeadline(dl)
	start := time.Now()
	errc := make(chan error, 1)
	go func() {
		_, err := c.Write(make([]byte, n))
		errc <- err
	}()
	got, err := io.Copy(io.Discard, io.LimitReader(r, int64(n)))
	took := time.Since(start)
	if err != nil || got != int64(n) {
		t.Fatalf("read %d of %d bytes in %v: %v", got, n, took, err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	return took
}

func TestRate(t *testing.T) {
	const size = 2 << 20
	t.Run("1MiB/s", func(t *testing.T) {
		lab := newLab(t, Config{Hosts: 2, Link: Link{Rate: 1 << 20}})
		took := transfer(t, lab.Host(0), lab.Host(1), size, 30*time.Second)
		t.Logf("2 MiB at 1 MiB/s: %v (%.2f MiB/s)", took.Round(time.Millisecond), float64(size)/(1<<20)/took.Seconds())
		if took < 1500*time.Millisecond {
			t.Errorf("2 MiB at 1 MiB/s took %v, want ≥ 1.5 s", took)
		}
	})
	t.Run("unlimited", func(t *testing.T) {
		lab := newLab(t, Config{Hosts: 2})
		took := transfer(t, lab.Host(0), lab.Host(1), size, 30*time.Second)
		t.Logf("2 MiB unshaped: %v", took.Round(time.Microsecond))
		if took > time.Second {
			t.Errorf("2 MiB unshaped took %v, want < 1 s", took)
		}
	})
}

func TestLoss(t *testing.T) {
	lab := newLab(t, Config{Hosts: 2, Link: Link{Loss: 0.2}})
	if lab.Shaping().Loss == "" {
		t.Skip(lab.Shaping())
	}
	h0, h1 := lab.Host(0), lab.Host(1)
	u1, err := h1.ListenPacket(netip.AddrPortFrom(h1.Addr(), 30303).String())
	if err != nil {
		t.Fatal(err)
	}
	defer u1.Close()
	u0 := dial(t, h0, "udp", u1.LocalAddr())

	// Resolve the neighbour first: until then, the kernel queues only a
	// few datagrams.
	warm := make([]byte, 8)
	for {
		u0.Write([]byte("warm"))
		u1.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		if n, _ := u1.Read(warm); n == 4 {
			break
		}
	}

	const sent = 2000
	done := make(chan int, 1)
	go func() {
		b := make([]byte, 64)
		n := 0
		u1.SetReadDeadline(time.Now().Add(20 * time.Second))
		for {
			k, err := u1.Read(b)
			if err != nil {
				break
			}
			if string(b[:k]) == "datagram" {
				n++
			}
		}
		done <- n
	}()
	for i := range sent {
		if _, err := u0.Write([]byte("datagram")); err != nil {
			t.Fatal(err)
		}
		if i%10 == 9 {
			time.Sleep(time.Millisecond) // pace: 10 a millisecond at most
		}
	}
	time.Sleep(200 * time.Millisecond) // for the last to arrive
	u1.SetReadDeadline(time.Now())
	got := <-done
	frac := float64(got) / sent
	t.Logf("%d of %d datagrams received (%.1f%%), with Loss 0.2 by %s", got, sent, 100*frac, lab.Shaping().Loss)
	if frac < 0.70 || frac > 0.90 {
		t.Errorf("received %.1f%%, want 70%% to 90%%", 100*frac)
	}
}

func TestLatency(t *testing.T) {
	const latency = 20 * time.Millisecond
	lab := newLab(t, Config{Hosts: 2, Link: Link{Latency: latency}})
	t.Run("rtt", func(t *testing.T) {
		if lab.Shaping().Latency == "" {
			t.Skip(lab.Shaping())
		}
		h0, h1 := lab.Host(0), lab.Host(1)
		ln := listen(t, h1, 30303)
		c := dial(t, h0, "tcp", ln.Addr())
		r := accept(t, ln)
		go io.Copy(r, r) // echo
		c.SetDeadline(time.Now().Add(20 * time.Second))
		var best time.Duration
		b := make([]byte, 1)
		for i := range 10 {
			start := time.Now()
			if _, err := c.Write(b); err != nil {
				t.Fatal(err)
			}
			if _, err := io.ReadFull(c, b); err != nil {
				t.Fatal(err)
			}
			if rtt := time.Since(start); i == 0 || rtt < best {
				best = rtt
			}
		}
		t.Logf("round trip %v, Latency %v", best, latency)
		if best < 2*latency*9/10 || best > 2*latency+50*time.Millisecond {
			t.Errorf("round trip %v, want about %v", best, 2*latency)
		}
	})
}

// nsWithPrefix returns the namespaces of `ip netns list` whose name
// starts with prefix.
func nsWithPrefix(t *testing.T, prefix string) []string {
	t.Helper()
	out, err := exec.Command("ip", "netns", "list").CombinedOutput()
	if err != nil {
		t.Fatalf("ip netns list: %v: %s", err, out)
	}
	var names []string
	for _, line := range strings.Split(string(out), "\n") {
		if name, _, _ := strings.Cut(line, " "); strings.HasPrefix(name, prefix) {
			names = append(names, name)
		}
	}
	return names
}

// TestSweep leaves a namespace named for a process that is gone, and
// checks that New deletes it.
func TestSweep(t *testing.T) {
	if err := Available(); err != nil {
		t.Skip(err)
	}
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	stale := fmt.Sprintf("%s%d-1-hub", namePrefix, gone.Process.Pid)
	if out, err := exec.Command("ip", "netns", "add", stale).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "del", stale).Run() })
	newLab(t, Config{})
	if left := nsWithPrefix(t, stale); len(left) > 0 {
		t.Errorf("New left the stale namespace %s", stale)
	}
}

// TestNewFails makes New fail half-way, by taking the name of its second
// host first, and checks that it leaves no namespace of its own behind.
func TestNewFails(t *testing.T) {
	if err := Available(); err != nil {
		t.Skip(err)
	}
	prefix := fmt.Sprintf("%s%d-%d-", namePrefix, os.Getpid(), labCounter.Load()+1)
	taken := prefix + "h1"
	if out, err := exec.Command("ip", "netns", "add", taken).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "del", taken).Run() })
	lab, err := New(Config{Hosts: 3, Logger: testutil.Logger(t)})
	if err == nil {
		lab.Close()
		t.Fatal("New did not fail")
	}
	t.Logf("New: %v", err)
	// The taken name goes too: a lab deletes every namespace of its names.
	if left := nsWithPrefix(t, prefix); len(left) > 0 {
		t.Errorf("namespaces left: %v", left)
	}
}

// TestTwoLabs runs two labs at once: the same address and port in each,
// and each host reaches only its own lab's.
func TestTwoLabs(t *testing.T) {
	a, b := newLab(t, Config{Hosts: 2}), newLab(t, Config{Hosts: 2})
	lnA, lnB := listen(t, a.Host(0), 30303), listen(t, b.Host(0), 30303)
	if lnA.Addr().String() != lnB.Addr().String() {
		t.Fatalf("addresses %v and %v", lnA.Addr(), lnB.Addr())
	}
	for _, tc := range []struct {
		lab *Lab
		ln  net.Listener
	}{{a, lnA}, {b, lnB}} {
		c := dial(t, tc.lab.Host(1), "tcp", tc.ln.Addr())
		r := accept(t, tc.ln)
		if r.RemoteAddr().String() != c.LocalAddr().String() {
			t.Errorf("accepted %v, dialed from %v", r.RemoteAddr(), c.LocalAddr())
		}
	}
}
