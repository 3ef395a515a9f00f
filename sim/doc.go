// Package sim runs a simulated network of p2p.Servers in one process: each
// node a real server of this library, with its discovery, on a host of an
// in-memory network (package memnet) whose links have latency, jitter,
// bandwidth and loss, on loopback sockets (127.0.0.x) when Config.Loopback
// is set, or on a network of the caller's through Config.Place (package
// sim/netns puts nodes in Linux network namespaces joined by veth links
// and shaped by tc: the kernel's network stack between them).
//
//	g := sim.NewGossip(sim.GossipConfig{})
//	s, err := sim.New(sim.Config{Nodes: 50, MaxPeers: 8, Protocols: g.Protocols,
//		Link: memnet.Link{Latency: 20 * time.Millisecond}})
//	if err != nil { ... }
//	defer s.Stop()
//	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
//	defer cancel()
//	_, err = s.WaitFor(ctx, sim.Converged(4)) // one component, every node ≥ 4 peers
//	id, err := g.Publish(0, payload)
//	res, err := g.Wait(ctx, s, id) // res.P50, res.P99: how fast it spread
//
// # Scenarios
//
// The scenario API: AddNode and RemoveNode, Connect and Disconnect (a
// static peering and its end), Partition and Heal, SetLink (a link's
// latency, jitter, bandwidth and loss: the faults), Churn (nodes replaced
// at a rate, with checks that the network holds together); WaitFor waits
// for a condition on a Snapshot (the nodes and the connections between
// them, which marshals to JSON and draws itself as SVG) until the
// context's deadline; Subscribe delivers an Event when a node joins or
// leaves or adds or drops a peer; Graph feeds the dashboard
// (dashboard.GraphSource) the whole network. ParseScenario reads the same
// steps from a file (see Scenario); cmd/p2psim runs such files.
//
// Gossip is a protocol to measure with: announce and fetch, so that each
// node receives a message about once; it reports per message how many
// nodes got it and the latency percentiles.
//
// Each node added is given Config.Bootnodes (3) bootstrap nodes, for both
// versions of discovery, picked from the first 16 nodes alive.
//
// # Reproducibility and time
//
// The in-memory network's jitter and loss, the bootnodes and Churn's
// picks come from Config.Seed. Goroutine scheduling does not, so two runs
// with one seed are alike, not identical.
//
// On a small machine the CPU is what limits a simulation in real time:
// every discovery packet is signed and its signature recovered (0.1 to
// 0.15ms each in pure Go on this project's machine), and hundreds of nodes that bootstrap at once
// make replies late, so that discovery's 500ms timeouts fire and the work
// is done again. Run the simulation inside a testing/synctest bubble
// (memnet uses nothing but channels and timers, so it works there) and
// time is virtual: it moves only when every goroutine waits, timeouts
// hold however slow the CPU is, and the times measured are the network's
// with unlimited CPU per node. TestNoRaceScale does that for 1,000 nodes
// (make sim-long); the README has the figures. Config.JoinInterval spaces
// the nodes' starts in real time.
//
// # Cost
//
// A node costs what a p2p.Server costs (its goroutines: a run loop, a
// dialer, discovery's loops, two or three per peer) plus one goroutine
// that forwards its peer events. The in-memory network adds no goroutine.
package sim
