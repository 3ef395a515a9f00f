package discover

import (
	"net/netip"
	"time"
)

// The reply budget of discovery v4: what keeps a node from sending an
// address that has not proved its endpoint more bytes than came from it.
// The bounds are documented in doc.go ("Replies to unverified senders").
const (
	// blockFreeBurst and blockFreeRate make the allowance of one address
	// block (a /24 for IPv4, a /48 for IPv6, as the table's IP limits):
	// bytes we may send its unverified senders beyond those they sent us.
	blockFreeBurst = 4096 // bytes
	blockFreeRate  = 256  // bytes per second
	// globalFreeBurst and globalFreeRate bound the allowance of all blocks
	// together.
	globalFreeBurst = 8 << 10 // bytes
	globalFreeRate  = 2 << 10 // bytes per second
	// maxEarned caps the bytes a block has sent us and we have not yet
	// spent on replies.
	maxEarned = 4096
	// maxBudgetBlocks is the most blocks the budget tracks. When it is
	// full, blocks whose allowance has refilled are forgotten; if none
	// has, a new block gets nothing beyond what it sends.
	maxBudgetBlocks = 4096
	// maxExpirationAhead is how far in the future a packet's expiration
	// may lie: our packets live 20 s, so this tolerates a sender's clock
	// running up to 9 min 40 s ahead of ours, and bounds how long a
	// captured packet can be replayed.
	maxExpirationAhead = 10 * time.Minute
)

// blockBudget is the budget of one address block.
type blockBudget struct {
	earned float64     // bytes received from the block's unverified senders, not yet spent
	free   tokenBucket // the block's allowance
}

// replyBudget accounts for the bytes exchanged with senders that have not
// proved their endpoint, per address block. A reply of n bytes to such a
// sender is paid from what its block sent us (earned); what earned does
// not cover comes from the block's allowance and the global allowance,
// both of which must hold it. So over any period of T seconds, the bytes
// we send a block's unverified senders are at most the bytes they sent us
// plus blockFreeBurst + blockFreeRate*T, and for all blocks together at
// most the bytes all of them sent plus globalFreeBurst + globalFreeRate*T.
//
// It is not safe for concurrent use; UDPv4 uses it in its read loop only.
type replyBudget struct {
	global tokenBucket
	blocks map[netip.Prefix]*blockBudget
}

func newReplyBudget() *replyBudget {
	return &replyBudget{
		global: tokenBucket{tokens: globalFreeBurst},
		blocks: make(map[netip.Prefix]*blockBudget),
	}
}

// addrBlock is the block of ip: its /24 or /48.
func addrBlock(ip netip.Addr) netip.Prefix {
	ip = ip.Unmap()
	bits := subnetBits6
	if ip.Is4() {
		bits = subnetBits4
	}
	p, _ := ip.Prefix(bits)
	return p
}

// block returns the budget of ip's block, creating it if there is room,
// refilled to now; nil if there is no room.
func (rb *replyBudget) block(ip netip.Addr, now time.Time) *blockBudget {
	key := addrBlock(ip)
	b := rb.blocks[key]
	if b == nil {
		if len(rb.blocks) >= maxBudgetBlocks && !rb.sweep(now) {
			return nil
		}
		b = &blockBudget{free: tokenBucket{tokens: blockFreeBurst, last: now}}
		rb.blocks[key] = b
	}
	b.free.refill(now, blockFreeRate, blockFreeBurst)
	return b
}

// sweep forgets the blocks whose allowance is full again, and reports
// whether there is room now. Forgetting a block loses what it earned,
// which only makes us send less.
func (rb *replyBudget) sweep(now time.Time) bool {
	for k, b := range rb.blocks {
		b.free.refill(now, blockFreeRate, blockFreeBurst)
		if b.free.tokens >= blockFreeBurst {
			delete(rb.blocks, k)
		}
	}
	return len(rb.blocks) < maxBudgetBlocks
}

// earn credits ip's block with n bytes received from an unverified sender.
func (rb *replyBudget) earn(ip netip.Addr, n int, now time.Time) {
	if b := rb.block(ip, now); b != nil {
		b.earned = min(maxEarned, b.earned+float64(n))
	}
}

// spend reports whether a reply of n bytes to an unverified sender at ip
// fits the budget, and takes it from the budget if so.
func (rb *replyBudget) spend(ip netip.Addr, n int, now time.Time) bool {
	b := rb.block(ip, now)
	if b == nil {
		return false
	}
	if rb.global.last.IsZero() {
		rb.global.last = now
	}
	rb.global.refill(now, globalFreeRate, globalFreeBurst)
	fromEarned := min(b.earned, float64(n))
	need := float64(n) - fromEarned
	if need > 0 && (b.free.tokens < need || rb.global.tokens < need) {
		return false
	}
	b.earned -= fromEarned
	b.free.tokens -= need
	rb.global.tokens -= need
	return true
}
