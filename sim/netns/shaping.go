// Copyright the seednet/p2p authors. Licensed under the Apache License 2.0.

package netns

import (
	"fmt"
	"log/slog"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// Link is how every host of a lab is joined to the others. The zero Link
// is the bare veth and bridge: no shaping at all, and no qdisc or
// nftables table installed.
type Link struct {
	// Latency is the one-way delay between two hosts: a packet waits this
	// long on its sender's veth, so a round trip takes twice as long.
	// It needs tc netem (see Shaping); without netem it is not applied.
	Latency time.Duration
	// Jitter varies Latency by up to this much either way (netem's
	// jitter, which reorders packets). Without netem it is not applied.
	Jitter time.Duration
	// Loss is the probability, from 0 to 1, that a packet from one host
	// to another is lost: dropped once, by netem on its sender's veth or,
	// without netem, by nftables as it reaches its receiver.
	Loss float64
	// Rate caps each host's traffic in bytes per second, each way: what
	// it sends on its veth and what the bridge sends it (by tbf). Zero
	// means unlimited.
	Rate int64
}

func (l Link) validate() error {
	switch {
	case l.Latency < 0 || l.Jitter < 0:
		return fmt.Errorf("netns: negative Link.Latency %v or Jitter %v", l.Latency, l.Jitter)
	case l.Loss < 0 || l.Loss > 1:
		return fmt.Errorf("netns: Link.Loss %v is not between 0 and 1", l.Loss)
	case l.Rate < 0:
		return fmt.Errorf("netns: negative Link.Rate %d", l.Rate)
	}
	return nil
}

// Kernel features that shape a Link, as Shaping names them.
const (
	ByNetem    = "netem"    // tc qdisc netem (sch_netem)
	ByTBF      = "tbf"      // tc qdisc tbf, a token bucket
	ByNftables = "nftables" // an nftables rule: numgen random ... drop
)

// Shaping says which kernel feature applies each property of a Link on
// this machine; an empty string means the property is not applied at
// all (the lab does not fake it). It is the same for every Link: a zero
// property installs nothing.
type Shaping struct {
	// Netem says whether the kernel has tc netem; NoNetem says why not.
	Netem   bool
	NoNetem string
	// Latency, Jitter, Loss and Rate are ByNetem, ByTBF, ByNftables or "".
	Latency, Jitter, Loss, Rate string
}

// String says it in one line, such as "tc netem unavailable (kernel
// lacks sch_netem): latency and jitter not shaped; rate by tbf, loss by
// nftables".
func (s Shaping) String() string {
	var b strings.Builder
	if s.Netem {
		b.WriteString("tc netem available")
	} else {
		fmt.Fprintf(&b, "tc netem unavailable (%s)", s.NoNetem)
	}
	var none, by []string
	for _, p := range []struct{ name, how string }{
		{"latency", s.Latency}, {"jitter", s.Jitter}, {"rate", s.Rate}, {"loss", s.Loss},
	} {
		if p.how == "" {
			none = append(none, p.name)
		} else {
			by = append(by, p.name+" by "+p.how)
		}
	}
	sep := ": "
	if len(none) > 0 {
		b.WriteString(sep + join(none) + " not shaped")
		sep = "; "
	}
	if len(by) > 0 {
		b.WriteString(sep + strings.Join(by, ", "))
	}
	return b.String()
}

// join joins words as English does: "a", "a and b", "a, b and c".
func join(w []string) string {
	if len(w) < 2 {
		return strings.Join(w, "")
	}
	return strings.Join(w[:len(w)-1], ", ") + " and " + w[len(w)-1]
}

// The kernel's features are probed once per process.
var (
	probeMu    sync.Mutex
	probed     bool
	probeState Shaping
)

// probeShaping finds out what the kernel can do, in namespace ns (a
// fresh one of a lab): whether tc can add a netem qdisc, and whether tc
// and nft are there at all.
func probeShaping(log *slog.Logger, ns string) Shaping {
	probeMu.Lock()
	defer probeMu.Unlock()
	if probed {
		return probeState
	}
	var s Shaping
	_, tcErr := exec.LookPath("tc")
	_, nftErr := exec.LookPath("nft")
	if tcErr != nil {
		s.NoNetem = "no tc command"
	} else {
		err := run(log, "", "tc", "-n", ns, "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms")
		switch {
		case err == nil:
			s.Netem = true
			run(log, "", "tc", "-n", ns, "qdisc", "del", "dev", "lo", "root")
		case strings.Contains(err.Error(), "unknown"):
			s.NoNetem = "kernel lacks sch_netem"
		default:
			s.NoNetem = err.Error()
		}
		s.Rate = ByTBF
	}
	switch {
	case s.Netem:
		s.Latency, s.Jitter, s.Loss = ByNetem, ByNetem, ByNetem
	case nftErr == nil:
		s.Loss = ByNftables
	}
	probed, probeState = true, s
	return s
}

// shape installs the link on every host of the lab: on each host's veth
// (what it sends) netem and tbf for the rate, or, for loss without netem,
// an nftables rule in the host's namespace on what it receives; on the
// hub's end of each veth (what the host receives) tbf for the rate.
func (lab *Lab) shape() error {
	l, s := lab.cfg.Link, lab.shaping
	if l.Rate > 0 && s.Rate == "" {
		return fmt.Errorf("netns: Link.Rate needs tc (%s)", s.NoNetem)
	}
	if l.Loss > 0 && s.Loss == "" {
		return fmt.Errorf("netns: Link.Loss needs tc netem or nft: %s, and no nft command", s.NoNetem)
	}
	netem := s.Netem && (l.Latency > 0 || l.Jitter > 0 || l.Loss > 0)
	var hub strings.Builder
	for _, h := range lab.hosts {
		if script := hostTC(l, netem); script != "" {
			if err := run(lab.log, script, "tc", "-n", h.ns, "-batch", "-"); err != nil {
				return fmt.Errorf("netns: shaping host %d: %w", h.index, err)
			}
		}
		if l.Loss > 0 && !netem {
			if err := run(lab.log, nftLoss(l.Loss), "ip", "netns", "exec", h.ns, "nft", "-f", "-"); err != nil {
				return fmt.Errorf("netns: loss on host %d: %w", h.index, err)
			}
		}
		if l.Rate > 0 {
			fmt.Fprintf(&hub, "qdisc add dev %s root handle 10: %s\n", hubIf(h.index), tbf(l.Rate))
		}
	}
	if hub.Len() > 0 {
		if err := run(lab.log, hub.String(), "tc", "-n", lab.hub, "-batch", "-"); err != nil {
			return fmt.Errorf("netns: shaping the hub: %w", err)
		}
	}
	return nil
}

// hostTC returns the tc batch that shapes what a host sends: netem (if
// netem is to be used) with tbf under it for the rate.
func hostTC(l Link, netem bool) string {
	var b strings.Builder
	parent := "root"
	if netem {
		fmt.Fprintf(&b, "qdisc add dev %s root handle 1: netem limit 10000 delay %dus %dus loss %.6f%%\n",
			hostIf, l.Latency.Microseconds(), l.Jitter.Microseconds(), 100*l.Loss)
		parent = "parent 1:1"
	}
	if l.Rate > 0 {
		fmt.Fprintf(&b, "qdisc add dev %s %s handle 10: %s\n", hostIf, parent, tbf(l.Rate))
	}
	return b.String()
}

// tbf returns the tc arguments of a token bucket of rate bytes per
// second: a burst of 10 ms of it (at least 16 KiB, more than a jumbo
// frame) and a queue of 100 ms more.
func tbf(rate int64) string {
	burst := max(rate/100, 16<<10)
	return fmt.Sprintf("tbf rate %dbit burst %d limit %d", rate*8, burst, burst+rate/10)
}

// nftTable is the table of the loss rule in each host's namespace; it
// goes with the namespace.
const nftTable = "p2psim"

// nftLoss returns an nftables script that drops the given fraction of
// the IP packets the host receives on its veth. It drops them as they
// arrive, not as they leave: a packet that netfilter drops on its way
// out fails the sender's write with EPERM, which no real network does.
func nftLoss(loss float64) string {
	const scale = 1_000_000
	return fmt.Sprintf(`table inet %s {
	chain loss {
		type filter hook prerouting priority -300; policy accept;
		iifname %q numgen random mod %d < %d drop
	}
}
`, nftTable, hostIf, scale, int64(loss*scale+0.5))
}
