// Package sim runs a simulated network of p2p.Servers in one process: each
// node a real server of this library, with its discovery, on a host of an
// in-memory network (package memnet) whose links have latency, jitter,
// bandwidth and loss, or on loopback sockets (127.0.0.x) when
// Config.Loopback is set.
//
//	s, err := sim.New(sim.Config{Nodes: 50, MaxPeers: 8,
//		Link: memnet.Link{Latency: 20 * time.Millisecond}})
//	if err != nil { ... }
//	defer s.Stop()
//	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
//	defer cancel()
//	err = s.WaitFor(ctx, sim.Converged(4)) // one component, every node ≥ 4 peers
//
// The scenario API: AddNode and RemoveNode, Connect and Disconnect (a
// static peering and its end), Partition and Heal, SetLink; WaitFor waits
// for a condition on a Snapshot (the nodes and the connections between
// them, which marshals to JSON) with the context's deadline; Subscribe
// delivers an Event each time a node adds or drops a peer; Graph feeds the
// dashboard (dashboard.GraphSource) the whole network.
//
// Each node added is given Config.Bootnodes (3) bootstrap nodes, for both
// versions of discovery, picked from the first 16 nodes alive.
//
// # Cost
//
// A node costs what a p2p.Server costs (its goroutines: a run loop, a
// dialer, discovery's loops, two or three per peer) plus one goroutine
// that forwards its peer events. The in-memory network adds no goroutine.
// Figures for 100 to 1,000 nodes are in the tests (TestNoRaceConverge).
package sim
