package workloads

import (
	"fmt"

	"github.com/seednet/p2p/bench/harness"
)

// Workloads 3 to 6 of issue 6 measure our Server and Peer against
// go-ethereum's p2p.Server. Our Server does not exist yet, so each hook
// below returns no cases and the workload is listed as pending in every
// report. To add one, make its function return cases (with a Check, an
// "ours" and a harness.Baseline implementation, like the rlpx cases), and
// add its targets to Targets.
var serverHooks = []struct {
	id    int
	name  string
	what  string
	cases func() []harness.Case
}{
	{3, "server/throughput", "one protocol; msgs/s and MB/s at 256 B, 4 KiB, 64 KiB, 1 MiB, sender as fast as it can, receiver discards", serverThroughputCases},
	{4, "server/pingpong", "32-byte request and reply; latency p50, p99, p99.9", pingPongCases},
	{5, "server/setup", "full connection setups per second: TCP connect, RLPx, Hello, protocol start, disconnect", connSetupCases},
	{6, "server/idle", "1,000 and 10,000 idle peers on one node; goroutines, heap and RSS per peer on the hub", idlePeersCases},
}

// Pending lists the workloads that cannot run yet, for the report.
func Pending() []string {
	var p []string
	for _, h := range serverHooks {
		if len(h.cases()) == 0 {
			p = append(p, fmt.Sprintf("workload %d, %s (%s): needs our p2p.Server, which does not exist yet", h.id, h.name, h.what))
		}
	}
	return p
}

// serverThroughputCases is workload 3. Hook: start two Servers on loopback
// (ours and geth's p2p.Server with one protocol each), connect them, and
// measure one-way messages with the receiver discarding them; KindThroughput.
func serverThroughputCases() []harness.Case { return nil }

// pingPongCases is workload 4. Hook: request/reply of 32 bytes over a
// connected pair of Servers; needs a latency Kind in harness (p50, p99,
// p99.9 from per-operation timings).
func pingPongCases() []harness.Case { return nil }

// connSetupCases is workload 5. Hook: KindRate, one operation is dial,
// RLPx handshake, Hello, protocol start and disconnect, both sides.
func connSetupCases() []harness.Case { return nil }

// idlePeersCases is workload 6. Hook: one hub Server with 1,000 and 10,000
// idle peers (raise RLIMIT_NOFILE first); needs a memory Kind in harness
// (goroutines, heap and RSS per peer) rather than a timed loop.
func idlePeersCases() []harness.Case { return nil }
