package netutil

import (
	"fmt"
	"net/netip"
	"testing"
	"time"
)

// fakeClock is a manually advanced clock.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func host(i int) netip.Addr { return netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)}) }

var (
	ep1 = netip.MustParseAddrPort("1.2.3.4:30303")
	ep2 = netip.MustParseAddrPort("1.2.3.4:40404")
	ep3 = netip.MustParseAddrPort("5.6.7.8:30303")
)

func TestIPTrackerPredict(t *testing.T) {
	type op struct {
		advance time.Duration
		// statements: from hosts [from, to) about endpoint ep
		from, to int
		ep       netip.AddrPort
		want     netip.AddrPort // zero: no prediction
	}
	tests := []struct {
		name string
		ops  []op
	}{
		{"too few", []op{{0, 0, 9, ep1, netip.AddrPort{}}}},
		{"enough", []op{{0, 0, 10, ep1, ep1}}},
		{"one host many times", []op{
			{0, 0, 1, ep1, netip.AddrPort{}}, {0, 0, 1, ep1, netip.AddrPort{}}, {0, 0, 1, ep1, netip.AddrPort{}},
		}},
		{"majority wins", []op{{0, 0, 10, ep1, ep1}, {0, 10, 25, ep2, ep2}}},
		{"host changes its mind", []op{{0, 0, 10, ep1, ep1}, {0, 0, 1, ep2, netip.AddrPort{}}}},
		{"statements expire", []op{
			{0, 0, 10, ep1, ep1},
			{4 * time.Minute, 10, 15, ep3, ep1},
			{2 * time.Minute, 15, 20, ep3, ep3}, // the first ten are over 5 minutes old
			{6 * time.Minute, 0, 0, ep3, netip.AddrPort{}},
		}},
		{"tie goes to the latest", []op{{0, 0, 10, ep1, ep1}, {time.Second, 10, 20, ep2, ep2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := &fakeClock{t: time.Unix(1e9, 0)}
			it := NewIPTracker(5*time.Minute, 10*time.Minute, 10, clock.now)
			for i, o := range tt.ops {
				clock.advance(o.advance)
				for h := o.from; h < o.to; h++ {
					it.AddStatement(host(h), o.ep)
				}
				got, ok := it.PredictEndpoint()
				if ok != o.want.IsValid() || got != o.want {
					t.Fatalf("op %d: prediction %v %v, want %v", i, got, ok, o.want)
				}
			}
		})
	}
}

func TestIPTrackerMappedHosts(t *testing.T) {
	it := NewIPTracker(time.Minute, time.Minute, 2, nil)
	a := netip.MustParseAddr("10.0.0.1")
	it.AddStatement(a, ep1)
	it.AddStatement(netip.AddrFrom16(a.As16()), ep1) // the same host, mapped
	if _, ok := it.PredictEndpoint(); ok {
		t.Fatal("mapped address counted as a second host")
	}
}

func TestIPTrackerFullConeNAT(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1e9, 0)}
	it := NewIPTracker(5*time.Minute, 10*time.Minute, 10, clock.now)
	for i := range 5 {
		it.AddContact(host(i))
	}
	clock.advance(time.Second)
	for i := range 5 {
		it.AddStatement(host(i), ep1)
	}
	if it.PredictFullConeNAT() {
		t.Fatal("all statements came from contacted hosts")
	}
	clock.advance(time.Second)
	it.AddStatement(host(100), ep1)
	if !it.PredictFullConeNAT() {
		t.Fatal("statement from an uncontacted host not noticed")
	}
	// The statement expires, and contacts made after a statement don't
	// count for it.
	clock.advance(6 * time.Minute)
	it.AddContact(host(200))
	clock.advance(time.Second)
	it.AddStatement(host(200), ep1)
	if it.PredictFullConeNAT() {
		t.Fatal("stale statement still counted")
	}
	clock.advance(time.Second)
	it.AddContact(host(200))
	if !it.PredictFullConeNAT() {
		t.Fatal("contact after the statement should not excuse it")
	}
}

func TestIPTrackerGC(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1e9, 0)}
	it := NewIPTracker(time.Minute, time.Minute, 1, clock.now)
	for i := range 1000 {
		it.AddStatement(host(i), ep1)
		it.AddContact(host(i))
		clock.advance(time.Second)
	}
	if n := len(it.statements); n > 130 {
		t.Errorf("%d statements kept, want about 60..120", n)
	}
	if n := len(it.contacts); n > 130 {
		t.Errorf("%d contacts kept, want about 60..120", n)
	}
}

func BenchmarkIPTrackerPredict(b *testing.B) {
	it := NewIPTracker(time.Hour, time.Hour, 10, nil)
	for i := range 200 {
		it.AddStatement(host(i), netip.MustParseAddrPort(fmt.Sprintf("1.2.3.4:%d", 1000+i%3)))
	}
	b.ReportAllocs()
	for b.Loop() {
		it.PredictEndpoint()
	}
}

func TestIPTrackerEndpoints(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1000, 0)}
	it := NewIPTracker(time.Minute, time.Minute, 10, clock.now)
	for i := range 3 {
		it.AddStatement(host(i), ep1)
	}
	it.AddStatement(host(3), ep2)
	it.AddStatement(host(0), ep3) // host 0 changes its mind
	if got := it.Endpoints(); len(got) != 3 || got[ep1] != 2 || got[ep2] != 1 || got[ep3] != 1 {
		t.Fatalf("Endpoints = %v", got)
	}
	clock.advance(2 * time.Minute)
	if got := it.Endpoints(); len(got) != 0 {
		t.Fatalf("after the window: %v", got)
	}
}
