// Package enode identifies devp2p nodes: node IDs, Nodes built from verified
// node records (package enr) or from enode URLs, the "v4" identity scheme,
// the local node's own record, and iterators over nodes.
//
// # Node identity
//
// A node's ID is its address in the discovery DHT. Under the "v4" identity
// scheme (V4ID, the only one on the network) it is the Keccak-256 hash of
// the node's 64-byte secp256k1 public key (PubkeyToIDV4), the same key that
// RLPx authenticates. DistCmp and LogDist measure Kademlia (XOR) distances;
// RandomID makes lookup targets at a given distance.
//
// # Nodes
//
// A Node is immutable. New makes one from a record that must verify against
// the given schemes (ValidSchemes); its endpoint is taken from the record's
// ip/ip6 and tcp/udp entries. NewV4 makes one from a public key and an
// address, as known from an enode URL; such a node has no signed record.
// The two text forms are:
//
//	enr:-IS4QHCYrYZbAKWCBRlAy5zzaDZXJBGkcnh4MHcBFZntXNFrdvJjX04jRzjzCBOonrkTfj...
//	enode://<128 hex digits of the public key>@10.3.58.6:30303?discport=30301
//
// Parse reads both, ParseV4 only the URL; Node.String writes the record form
// when there is a signed record, else the URL (URLv4).
//
// The host of an enode URL may be a DNS name (enode://<key>@boot.example.org:30303).
// ParseV4 never touches the network: such a node keeps the name (Hostname)
// and has no IP address, hence no TCP or UDP endpoint, until ResolveHostname
// looks the name up, with a context and a resolver of the caller's choosing
// (a *net.Resolver). The dialer does that before each dial of a static node,
// so that a name that moves to another address is followed. ResolveV4 parses
// and resolves in one call.
//
// # The local node
//
// LocalNode holds our own record: it signs it with our key, increases its
// sequence number on each change (persisting it through a SeqStore, which the
// node database implements) and fills in our external UDP endpoint as other
// nodes report it in discovery PONGs (see UDPEndpointStatement). The server
// and discovery share one LocalNode.
//
// # Iterators
//
// Discovery produces nodes through the Iterator interface; the dialer consumes
// them. Filter, ReadNodes, IterNodes and CycleNodes are the small tools;
// FairMix merges several sources with a per-source timeout.
//
// # What callers must know
//
// Parse, ParseV4, New and record decoding never panic on bad input; their
// errors wrap exported sentinels (ErrInvalidNode, ErrHostname, and those of
// package enr) for errors.Is. MustParse and HexID do panic, for constants in
// code. Records from the network must be checked with ValidSchemes;
// ValidSchemesForTesting also accepts unsigned "null" records.
package enode
