package dnsdisc

import (
	"bytes"
	"cmp"
	"crypto/ecdsa"
	"fmt"
	"slices"
	"strings"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/enr"
)

// Tree is a node list as a merkle tree of entries: what MakeTree builds for
// publishing and what Client.SyncTree downloads. A Tree is not safe for
// concurrent use while it is being signed.
type Tree struct {
	root    *rootEntry
	entries map[string]entry // every entry below the root, by hash name
}

// MakeTree builds the tree of the given nodes and links (enrtree:// URLs of
// other lists), with sequence number seq. The tree must be signed (Sign, or
// SetSignature with a signature made elsewhere) before it is published.
//
// Every node must have a signed record whose port entries decode as 16-bit
// numbers. Nodes with the same ID are put in once, with the record of the
// highest sequence number; links are put in once. The output depends only
// on the sets of nodes and links, not on their order: leaves are sorted (by
// node ID, by link text) and grouped into branches of at most 13 hashes,
// which keeps every record within a 512-byte UDP answer.
func MakeTree(seq uint, nodes []*enode.Node, links []string) (*Tree, error) {
	records := slices.Clone(nodes)
	for _, n := range records {
		if n == nil {
			return nil, fmt.Errorf("dnsdisc: nil node")
		}
		if !strings.HasPrefix(n.String(), enrPrefix) {
			return nil, fmt.Errorf("dnsdisc: can't add node %v: unsigned node record", n.ID())
		}
		if err := checkRecordPorts(n.Record()); err != nil {
			return nil, fmt.Errorf("dnsdisc: can't add node %v: %w", n.ID(), err)
		}
	}
	// By ID; of one ID, the highest seq first (then by text, to be
	// deterministic), and only that one is kept.
	slices.SortFunc(records, func(a, b *enode.Node) int {
		if c := bytes.Compare(a.ID().Bytes(), b.ID().Bytes()); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Seq(), a.Seq()); c != 0 {
			return c
		}
		return strings.Compare(a.String(), b.String())
	})
	records = slices.CompactFunc(records, func(a, b *enode.Node) bool { return a.ID() == b.ID() })

	linkEntries := make([]*linkEntry, 0, len(links))
	for _, l := range links {
		le, err := parseLink(l)
		if err != nil {
			return nil, fmt.Errorf("dnsdisc: link %q: %w", l, err)
		}
		linkEntries = append(linkEntries, le)
	}
	slices.SortFunc(linkEntries, func(a, b *linkEntry) int { return strings.Compare(a.str, b.str) })
	linkEntries = slices.CompactFunc(linkEntries, func(a, b *linkEntry) bool { return a.str == b.str })

	t := &Tree{entries: make(map[string]entry)}
	enrLeaves := make([]entry, len(records))
	for i, n := range records {
		enrLeaves[i] = &enrEntry{node: n}
	}
	linkLeaves := make([]entry, len(linkEntries))
	for i, le := range linkEntries {
		linkLeaves[i] = le
	}
	t.root = &rootEntry{
		eroot: t.build(enrLeaves),
		lroot: t.build(linkLeaves),
		seq:   seq,
	}
	return t, nil
}

// build adds the subtree of the given leaves to t and returns the hash of
// its root: the leaf itself if there is one, an empty branch if none.
func (t *Tree) build(leaves []entry) string {
	level := leaves
	if len(level) == 0 {
		level = []entry{&branchEntry{}}
	}
	for len(level) > 1 {
		var next []entry
		for chunk := range slices.Chunk(level, maxChildren) {
			if len(chunk) == 1 {
				next = append(next, chunk[0]) // no branch of one child
				continue
			}
			b := &branchEntry{children: make([]string, len(chunk))}
			for i, e := range chunk {
				b.children[i] = t.add(e)
			}
			next = append(next, b)
		}
		level = next
	}
	return t.add(level[0])
}

func (t *Tree) add(e entry) string {
	h := hashName(e.String())
	t.entries[h] = e
	return h
}

// checkRecordPorts checks that the port entries of r, where present, decode
// as 16-bit numbers: a record keeps values it cannot decode as they are, and
// a tree must not carry such a record to clients that read ports strictly.
func checkRecordPorts(r *enr.Record) error {
	for _, key := range []string{"tcp", "tcp6", "udp", "udp6", "quic", "quic6"} {
		var port uint16
		if err := r.Load(enr.WithEntry(key, &port)); err != nil && !enr.IsNotFound(err) {
			return err
		}
	}
	return nil
}

// Sign signs the tree's root with key and returns the tree's URL,
// enrtree://<key>@<domain>.
func (t *Tree) Sign(key *ecdsa.PrivateKey, domain string) (url string, err error) {
	if !validDomain(domain) {
		return "", fmt.Errorf("%w: %q", ErrInvalidDomain, domain)
	}
	root := *t.root
	if root.sig, err = crypto.Sign(root.sigHash(), key); err != nil {
		return "", err
	}
	t.root = &root
	return newLinkEntry(domain, &key.PublicKey).String(), nil
}

// SetSignature sets the root's signature to signature (unpadded URL-safe
// base64, as Signature returns it), if it is pubkey's signature of the
// root; otherwise it returns ErrInvalidSig and leaves the tree as it was.
func (t *Tree) SetSignature(pubkey *ecdsa.PublicKey, signature string) error {
	sig, err := b64.DecodeString(signature)
	if err != nil || len(sig) != crypto.SignatureLength {
		return ErrInvalidSig
	}
	root := *t.root
	root.sig = sig
	if !root.verify(pubkey) {
		return ErrInvalidSig
	}
	t.root = &root
	return nil
}

// Seq returns the tree's sequence number.
func (t *Tree) Seq() uint { return t.root.seq }

// Signature returns the root's signature in unpadded URL-safe base64, ""
// if the tree is not signed.
func (t *Tree) Signature() string { return b64.EncodeToString(t.root.sig) }

// ToTXT returns the tree's TXT records by DNS name: the root at domain,
// every other entry at <hash>.<domain> (at <hash> if domain is "").
func (t *Tree) ToTXT(domain string) map[string]string {
	records := map[string]string{domain: t.root.String()}
	for h, e := range t.entries {
		name := h
		if domain != "" {
			name = h + "." + domain
		}
		records[name] = e.String()
	}
	return records
}

// Nodes returns the tree's nodes, sorted by ID.
func (t *Tree) Nodes() []*enode.Node {
	var nodes []*enode.Node
	for _, e := range t.entries {
		if ee, ok := e.(*enrEntry); ok {
			nodes = append(nodes, ee.node)
		}
	}
	slices.SortFunc(nodes, func(a, b *enode.Node) int { return bytes.Compare(a.ID().Bytes(), b.ID().Bytes()) })
	return nodes
}

// Links returns the tree's links to other trees (enrtree:// URLs), sorted.
func (t *Tree) Links() []string {
	var links []string
	for _, e := range t.entries {
		if le, ok := e.(*linkEntry); ok {
			links = append(links, le.String())
		}
	}
	slices.Sort(links)
	return links
}
