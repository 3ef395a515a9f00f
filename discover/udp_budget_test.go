package discover

import (
	"net/netip"
	"testing"
	"time"
)

// TestReplyBudget checks the reply budget on a fake clock.
func TestReplyBudget(t *testing.T) {
	t0 := time.Unix(1000, 0)
	a := netip.MustParseAddr("192.0.2.1")
	sameBlock := netip.MustParseAddr("192.0.2.200")
	otherBlock := netip.MustParseAddr("198.51.100.1")

	t.Run("earned bytes pay first, then the block allowance", func(t *testing.T) {
		rb := newReplyBudget()
		rb.earn(a, 100, t0)
		if !rb.spend(sameBlock, 100+blockFreeBurst, t0) {
			t.Fatal("earned + allowance refused")
		}
		if rb.spend(a, 1, t0) {
			t.Fatal("spent beyond earned + allowance")
		}
		if rb.spend(otherBlock, blockFreeBurst+1, t0) {
			t.Fatal("another block spent beyond its allowance")
		}
		if !rb.spend(a, blockFreeRate, t0.Add(time.Second)) {
			t.Fatal("allowance did not refill")
		}
	})
	t.Run("earned bytes are capped", func(t *testing.T) {
		rb := newReplyBudget()
		rb.earn(a, 10*maxEarned, t0)
		if rb.spend(a, maxEarned+blockFreeBurst+1, t0) {
			t.Fatal("earned over the cap")
		}
	})
	t.Run("global allowance", func(t *testing.T) {
		rb := newReplyBudget()
		spent := 0
		for i := range 64 {
			ip := netip.AddrFrom4([4]byte{10, byte(i), 0, 1})
			for rb.spend(ip, 100, t0) {
				spent += 100
			}
		}
		if spent > globalFreeBurst {
			t.Fatalf("spent %d from the allowances, global burst %d", spent, globalFreeBurst)
		}
	})
	t.Run("IPv6 blocks are /48", func(t *testing.T) {
		rb := newReplyBudget()
		rb.earn(netip.MustParseAddr("2001:db8:1:ffff::1"), 1000, t0)
		if !rb.spend(netip.MustParseAddr("2001:db8:1::2"), 1000+blockFreeBurst, t0) {
			t.Fatal("same /48 did not share")
		}
		if !rb.spend(netip.MustParseAddr("2001:db8:2::1"), blockFreeBurst, t0) {
			t.Fatal("other /48 shared")
		}
	})
	t.Run("full table forgets refilled blocks only", func(t *testing.T) {
		rb := newReplyBudget()
		for i := range maxBudgetBlocks {
			ip := netip.AddrFrom4([4]byte{10, byte(i >> 8), byte(i), 1})
			rb.spend(ip, 1, t0)
		}
		if rb.spend(otherBlock, 1, t0) {
			t.Fatal("new block got an allowance while the table was full")
		}
		if !rb.spend(otherBlock, 1, t0.Add(time.Second)) {
			t.Fatal("refilled blocks were not forgotten")
		}
	})
}
