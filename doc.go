// Package p2p is devp2p-compatible peer-to-peer networking for Go: a
// Server that finds, connects and keeps peers, and runs your protocols
// with them over RLPx, speaking the same bytes as go-ethereum.
//
// # Using it
//
// A protocol is a name, a version, a number of message codes and a Run
// function, called in its own goroutine for every peer that speaks it:
//
//	proto := p2p.Protocol{Name: "MyProtocol", Version: 1, Length: 1,
//		Run: func(peer *p2p.Peer, rw p2p.MsgReadWriter) error {
//			for {
//				msg, err := rw.ReadMsg() // io.EOF once the peer is gone
//				if err != nil {
//					return err
//				}
//				var m string
//				if err := msg.Decode(&m); err != nil {
//					return err // disconnects with DiscProtocolError
//				}
//				if err := p2p.SendItems(rw, 0, "bar"); err != nil {
//					return err
//				}
//			}
//		}}
//
// A Server is configured with a struct literal and started:
//
//	srv := p2p.Server{MaxPeers: 10, PrivateKey: key, Name: "my node",
//		ListenAddr: ":30303", Protocols: []p2p.Protocol{proto}}
//	err := srv.Start()
//
// It listens on ListenAddr, runs discovery v4 on the same port over UDP,
// dials the nodes discovery and the protocols' DialCandidates find (up to
// MaxPeers/DialRatio of them) and the static nodes (StaticNodes, AddPeer),
// and admits inbound peers into the remaining slots. Stop ends it within
// about a second whatever the peers do; a stopped server can be started
// again.
//
// # Errors and disconnect reasons
//
// DiscReason values are both wire codes and errors. What Run returns
// decides the reason the peer is sent (see Protocol.Run); a peer that
// disconnected us ends with a *RemoteDisconnectError. SubscribeEvents
// delivers add and drop events (with the error) and, with
// EnableMsgEvents, every message; a subscriber never holds up the server.
// Stats counts every refusal, dial outcome, drop and message, and
// Diagnose turns those counters and the server's state into a readable
// answer to "why do I have no peers?", with a verdict and the next step.
//
// # Metrics
//
// A Server given a metrics.Provider in its Metrics field reports there
// (nothing is global; nil reports nothing). metrics.NewRegistry serves
// them in Prometheus's text format; the module
// github.com/seednet/p2p/metrics/prometheus reports to a registry of
// Prometheus's client library. The metrics, with their labels:
//
//	p2p_peers{direction}                         gauge      inbound, outbound
//	p2p_dials_total{outcome}                     counter    peer, dial failed, resolve failed, or the refusal reason
//	p2p_rejected_total{direction,reason}         counter    connections refused before they became peers
//	p2p_dropped_total{reason}                    counter    peers that went away ("remote: " when they left)
//	p2p_handshake_seconds{direction}             histogram  connection start to peer added
//	p2p_messages_total{protocol,code,direction}  counter    "p2p" is the base protocol; direction in, out
//	p2p_message_bytes_total{protocol,code,direction}  counter  payload bytes as on the wire
//	p2p_inbound_accepted_total                   counter    TCP connections accepted
//	p2p_pending_inbound                          gauge      inbound connections in the handshakes (at most MaxPendingPeers)
//	p2p_events_dropped_total                     counter    events a slow subscriber missed
//	p2p_offenses_total{offense}                  counter    offenses reported to the reputation policy
//	p2p_bans{kind}                               gauge      bans in force: node, ip
//	p2p_bandwidth_waits_total{direction}         counter    messages a bandwidth budget held
//	p2p_bandwidth_wait_seconds_total{direction}  counter    the time they waited
//	p2p_discv4_table_nodes, p2p_discv5_table_nodes                  gauge
//	p2p_discv4_packets_total{direction}, p2p_discv5_...             counter
//	p2p_discv4_packets_dropped_total{reason}, p2p_discv5_...        counter
//	p2p_discv4_lookup_seconds, p2p_discv5_lookup_seconds            histogram
//
// metrics/grafana-dashboard.json is a Grafana dashboard built on them.
//
// # Cost
//
// An idle peer costs two goroutines (its read loop and each protocol's
// Run) on small stacks and about 12 KB; writes are batched into few system
// calls; each protocol has its own bounded queue, so a slow protocol does
// not stall the others on the same peer. There is no global state: logs go
// to Server.Logger (silent when nil).
//
// # The packages below it
//
//   - rlp: the Recursive Length Prefix encoding.
//   - crypto (and crypto/ecies): secp256k1 keys and signatures, ECDH,
//     Keccak-256, ECIES; pure Go by default.
//   - rlpx: the encrypted, authenticated TCP transport.
//   - enr, enode: node records (EIP-778), node identities and enode URLs,
//     the local node, iterators of nodes.
//   - discover (with discover/v4wire and discover/v5wire): node discovery.
//   - nodedb: the node database behind discovery.
//   - netutil: address lists, LAN checks and endpoint prediction.
//
// A go-ethereum user migrates by changing import paths: the names and
// shapes of go-ethereum's p2p API are kept, except where the README's
// migration table says why ours differ.
package p2p
