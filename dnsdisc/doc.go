// Package dnsdisc reads and publishes DNS node lists (EIP-1459): signed,
// updatable lists of node records that anyone can fetch through DNS, given
// the list's domain and the public key that signs it.
//
// # The format
//
// A list is named by a URL of the "enrtree" scheme:
//
//	enrtree://AKPYQIUQIL7PSIACI32J7FGZW56E5FKHEFCCOFHILBIMW3M6LWXS2@nodes.example.org
//
// where the user part is the base32 (no padding) of the signer's compressed
// secp256k1 key. The list is a merkle tree of TXT records. The root, at the
// domain itself, names the roots of two subtrees (e= for nodes, l= for links
// to other lists), carries a sequence number and is signed:
//
//	enrtree-root:v1 e=JWXYDBPXYWG6FX3GMDIBFA6CJ4 l=C7HRFPF3BLGF3YR4DY5KX3SMBE seq=1 sig=o908WmNp...
//
// Every other entry lies at <hash>.<domain>, where the hash is the base32 of
// the first 16 bytes of the Keccak-256 of the entry's text, so the root's
// signature covers the whole tree. An entry is a branch
// ("enrtree-branch:<hash>,<hash>,..."), a node record ("enr:...") in the
// node subtree, or a link to another list ("enrtree://<key>@<domain>") in
// the link subtree.
//
// # Reading lists
//
// A Client looks entries up through a Resolver (a *net.Resolver is one;
// the default is net.DefaultResolver) and checks everything it gets: the
// root's signature against the URL's key, each entry's hash against the
// name it came from, the entry types allowed in each subtree. Client.SyncTree
// downloads a whole tree. Client.NewIterator returns an enode.Iterator that
// walks the nodes of one or more trees, and of the trees they link to, in
// random order and endlessly, the way a dialer wants them. A server uses it
// as a source of dial candidates:
//
//	client := dnsdisc.NewClient(dnsdisc.Config{})
//	it, err := client.NewIterator("enrtree://AKPY...@nodes.example.org")
//	if err != nil { ... }       // a malformed URL; no lookup happens yet
//	proto.DialCandidates = it   // the server closes it when it stops
//
// The iterator does its lookups inside Next, which blocks while lookups
// are rate limited (Config.RateLimit, 3 per second by default, cache hits
// included, so that a consumer cannot make it spin) and, once every tree is
// idle, until the next root check. Close the iterator to end it: a blocked
// Next returns false at once. Each lookup runs in a goroutine of its own,
// which ends when the resolver returns (within Config.Timeout, for a
// resolver that honours its context, as net.Resolver does); the Client has
// no other goroutines and needs no closing.
//
// # What callers must know
//
//   - Roots are checked again every Config.RecheckInterval (30 minutes by
//     default), and after a run of failed lookups. A root whose sequence
//     number is lower than one the client has already seen for the same
//     tree is refused (ErrStaleRoot), so an old, replayed root cannot take
//     a tree back; the iterator goes on with the root it has.
//   - Nothing from DNS makes the client panic or grow without bound. A TXT
//     record longer than 512 bytes is refused (ErrRecordTooLong; the
//     longest valid entry, a node record, is 404 bytes). A subtree may be
//     at most 32 branch levels deep (ErrTooDeep) and hold at most 65,536
//     entries (ErrTooManyEntries); an entry listed twice is visited once.
//     An iterator follows at most 256 trees. Each lookup is bounded by
//     Config.Timeout (ErrTimeout). The cache holds Config.CacheLimit
//     entries.
//   - SyncTree fails on the first bad entry. The iterator logs a bad or
//     unreachable entry (at debug level), skips it and its subtree, and
//     goes on with the rest of the tree; it tries again when it next walks
//     the tree.
//   - Errors are exported values for errors.Is (ErrInvalidSig,
//     ErrHashMismatch...) inside a *NameError (the DNS name concerned) and,
//     for entries that do not parse, an *EntryError (the entry type).
//   - Names are looked up as given. With a resolver that uses a search
//     list, give domains with at least one dot, or a final dot.
//
// # Publishing lists
//
// MakeTree builds the tree of a set of nodes and links, Tree.Sign signs it
// and returns its URL, and Tree.ToTXT gives the TXT records by name, for a
// DNS provider's API or for WriteZoneFile, which writes an RFC 1035 zone
// file that an authoritative server such as NSD loads. Both libraries'
// MakeTree give the same records for the same nodes, links and key
// (interop/dnsdisc checks it). The command cmd/p2pnode has "dns sign",
// "dns to-txt", "dns to-zonefile" and "dns sync". Package dnstest, below
// this one, serves lists to tests: from memory, or from NSD run on a
// loopback port.
//
// # Differences from go-ethereum
//
// The API is that of go-ethereum's p2p/dnsdisc, with these differences:
// Config.Logger is a *slog.Logger; a negative Config.RateLimit means no
// limit; Client.SyncTreeContext takes a context; Tree.Nodes and Tree.Links
// are sorted, and MakeTree drops duplicate nodes and links, so its output
// depends only on its input sets; Tree.Sign refuses a domain that is not a
// DNS name; errors are exported; WriteZoneFile is new. The client checks
// root sequence numbers (go-ethereum does not), refuses non-canonical text
// (hashes, keys and records with stray bits or line breaks, roots not
// written the canonical way, whose signature could not be checked as
// written), skips unrelated TXT records at a name, takes the highest of
// several valid roots, returns from Next at Close even if the resolver is
// slow to notice, and bounds what a tree can make it do, as above. Hashes
// of 12 to 32 bytes are accepted, as in go-ethereum; 16 bytes are written.
package dnsdisc
