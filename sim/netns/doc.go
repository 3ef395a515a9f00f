// Copyright the seednet/p2p authors. Licensed under the Apache License 2.0.

// Package netns runs a simulation (package sim) across Linux network
// namespaces, so that the kernel's network stack, not an in-memory
// network, carries the packets between nodes: real TCP with its
// congestion control, real UDP, real queues.
//
// A Lab is one hub namespace holding a Linux bridge, and Hosts host
// namespaces, each joined to the bridge by a veth pair and given an
// address of 10.213.0.0/16 (host 0 is 10.213.0.1, host 1 10.213.0.2, and
// so on), with its loopback up. Each lab has its own hub, so labs (of one
// process or of concurrent ones) never see each other; nothing is created
// in the caller's namespace, and no packet leaves the lab. Namespace names
// start with "p2psim-<pid>-<n>-"; New deletes those of processes that are
// gone, and Close deletes the lab's own.
//
//	lab, err := netns.New(netns.Config{Hosts: 3,
//		Link: netns.Link{Rate: 1 << 20, Loss: 0.01}})
//	if err != nil { ... }
//	defer lab.Close() // after s.Stop(): deferred calls run last first
//	s, err := sim.New(sim.Config{Nodes: 30, Place: lab.Place})
//	if err != nil { ... }
//	defer s.Stop()
//
// Lab.Place puts node i on host i % Hosts at port BasePort + i/Hosts. A
// Host is a p2p.Network and a p2p.NodeDialer: it makes each socket on a
// thread that has entered its namespace (setns), and the socket stays
// there. Such a thread is never given back to the Go runtime: the
// goroutine that used it ends locked to it, and the thread ends too.
//
// It needs root and the ip command (iproute2); Available says why not,
// in one line, when it cannot work, and tests skip with it.
//
// # Shaping
//
// A Link is applied to every host's veth pair:
//
//   - Rate: tc tbf at both ends of the veth, so that each host sends and
//     receives at most Rate bytes per second.
//   - Latency, Jitter and Loss: tc netem on the host's end, so that each
//     packet is delayed and dropped once, by its sender (a round trip
//     takes twice Latency).
//
// Without sch_netem in the kernel (some cloud and CI kernels lack it, and
// so do some minimal ones), Loss is applied by an nftables rule in each
// host's namespace (numgen random, drop) to the packets it receives (a
// drop on the way out would fail the sender's write with EPERM, which no
// real network does), and Latency and Jitter are not
// applied at all: the lab does not fake them by slowing its sockets down.
// Lab.Shaping says which feature applies what, and its String says so in
// one line, for logs and skipped tests. For delays on such a kernel, use
// the in-memory network (sim without Place).
//
// # Cost
//
// A lab of n hosts is 2+n runs of ip, and up to 2n+1 of tc or nft when its
// Link shapes; New and Close of a few hosts take some tens of
// milliseconds. Each socket made in a host (every Listen, ListenUDP and
// Dial) costs a new OS thread, tens of microseconds. The kernel's own cost
// is that of a veth and a bridge port per host: small next to a
// p2p.Server's.
package netns
