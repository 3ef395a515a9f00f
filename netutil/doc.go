// Package netutil holds network helpers of the devp2p stack that need no
// sockets:
//
//   - Netlist, a list of IP networks: the NetRestrict whitelist of p2p.Server
//     and discovery, which both check addresses with (*Netlist).Permits.
//   - AddrIsLAN, AddrIsSpecialNetwork and CheckRelayAddr, which classify
//     addresses and decide whether an address one node tells another about is
//     worth contacting.
//   - DistinctNetSet, which counts addresses per subnet to enforce the IP
//     limits of a node table.
//   - IPTracker, which predicts the local node's external endpoint from what
//     other nodes say they see (the "to" field of discovery PONGs);
//     enode.LocalNode uses it to put that endpoint into the node record.
//
// The names and semantics follow go-ethereum's p2p/netutil, so that code
// written against it compiles after changing the import path. Functions come
// in pairs where go-ethereum has both: one taking a net.IP (IsLAN) and one
// taking a netip.Addr (AddrIsLAN). All of them unmap IPv4-mapped IPv6
// addresses first.
package netutil
