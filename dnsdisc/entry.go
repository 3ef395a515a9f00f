package dnsdisc

import (
	"bytes"
	"crypto/ecdsa"
	"encoding/base32"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/enr"
)

// The text forms of the entries (EIP-1459):
//
//	enrtree-root:v1 e=<enr-root> l=<link-root> seq=<seq> sig=<signature>
//	enrtree-branch:<hash>,<hash>,...
//	enrtree://<key>@<domain>
//	enr:<node record>
//
// A hash is the base32 (RFC 4648, no padding) of the first bytes of the
// Keccak-256 of an entry's text: we write 16 bytes (26 characters), and
// accept 12 to 32 as go-ethereum does. The signature is the 65-byte
// R || S || V secp256k1 signature of the Keccak-256 of the root's text up to
// " sig=", in unpadded URL-safe base64. The key is the base32 of the 33-byte
// compressed public key.
const (
	rootPrefix   = "enrtree-root:v1"
	branchPrefix = "enrtree-branch:"
	linkPrefix   = "enrtree://"
	enrPrefix    = "enr:"
)

// Sizes and bounds of entries.
const (
	hashLen      = 16 // bytes of Keccak-256 in the hashes we write
	minHashLen   = 12 // fewest hash bytes accepted
	maxHashLen   = 32
	maxChildren  = 13  // hashes per branch we write, as go-ethereum (EIP-1459: records fit a 512-byte UDP answer)
	maxRecordLen = 512 // longest TXT record accepted; the longest entry the format allows is a 404-byte enr: leaf
	maxDomainLen = 253 // longest DNS name, without the final dot
	maxLabelLen  = 63
)

var (
	b32 = base32.StdEncoding.WithPadding(base32.NoPadding)
	b64 = base64.RawURLEncoding.Strict()
)

// entry is a parsed tree entry; String returns its text.
type entry interface {
	String() string
}

type (
	rootEntry struct {
		eroot, lroot string // hashes of the node and link subtrees
		seq          uint
		sig          []byte // 65 bytes; nil before signing
	}
	branchEntry struct {
		children []string // hashes
	}
	enrEntry struct {
		node *enode.Node
	}
	linkEntry struct {
		str    string // "<key>@<domain>", the URL without its scheme
		domain string
		pubkey *ecdsa.PublicKey
	}
)

// hashName returns the name (the hash) under which an entry of the given
// text is published.
func hashName(text string) string {
	h := crypto.Keccak256Hash([]byte(text))
	return b32.EncodeToString(h[:hashLen])
}

// decodeHash returns the bytes of a hash, false if it is not the canonical
// base32 of minHashLen to maxHashLen bytes. (The decoder would skip line
// breaks and ignore the unused low bits of the last character; requiring
// the canonical text gives each entry one name.)
func decodeHash(s string) ([]byte, bool) {
	if n := b32.DecodedLen(len(s)); n < minHashLen || n > maxHashLen {
		return nil, false
	}
	b, err := b32.DecodeString(s)
	if err != nil || len(b) < minHashLen || b32.EncodeToString(b) != s {
		return nil, false
	}
	return b, true
}

// matchesHash reports whether text is the entry that the hash name names:
// the hash's bytes start its Keccak-256.
func matchesHash(name, text string) bool {
	want, ok := decodeHash(name)
	if !ok {
		return false
	}
	h := crypto.Keccak256Hash([]byte(text))
	return bytes.HasPrefix(h[:], want)
}

func (e *rootEntry) content() string {
	return fmt.Sprintf("%s e=%s l=%s seq=%d", rootPrefix, e.eroot, e.lroot, e.seq)
}

func (e *rootEntry) String() string {
	return e.content() + " sig=" + b64.EncodeToString(e.sig)
}

func (e *rootEntry) sigHash() []byte {
	return crypto.Keccak256([]byte(e.content()))
}

// verify reports whether the root is signed by pubkey. The recovery id is
// not needed for that and is ignored, as go-ethereum does.
func (e *rootEntry) verify(pubkey *ecdsa.PublicKey) bool {
	if len(e.sig) != crypto.SignatureLength {
		return false
	}
	return crypto.VerifySignature(crypto.CompressPubkey(pubkey), e.sigHash(), e.sig[:crypto.RecoveryIDOffset])
}

func (e *branchEntry) String() string { return branchPrefix + strings.Join(e.children, ",") }

func (e *enrEntry) String() string { return e.node.String() }

func (e *linkEntry) String() string { return linkPrefix + e.str }

func newLinkEntry(domain string, pubkey *ecdsa.PublicKey) *linkEntry {
	str := b32.EncodeToString(crypto.CompressPubkey(pubkey)) + "@" + domain
	return &linkEntry{str: str, domain: domain, pubkey: pubkey}
}

// parseEntry parses the text of a tree entry: a branch, a link or a node
// record. A root, or anything else, is ErrUnknownEntry.
func parseEntry(text string, validSchemes enr.IdentityScheme) (entry, error) {
	if len(text) > maxRecordLen {
		return nil, ErrRecordTooLong
	}
	// Each case returns a nil interface with its error, never a typed nil.
	switch {
	case strings.HasPrefix(text, branchPrefix):
		e, err := parseBranch(text)
		if err != nil {
			return nil, err
		}
		return e, nil
	case strings.HasPrefix(text, linkPrefix):
		e, err := parseLink(text)
		if err != nil {
			return nil, err
		}
		return e, nil
	case strings.HasPrefix(text, enrPrefix):
		e, err := parseENR(text, validSchemes)
		if err != nil {
			return nil, err
		}
		return e, nil
	default:
		return nil, ErrUnknownEntry
	}
}

// isEntryText reports whether text looks like a tree entry (not
// necessarily a valid one).
func isEntryText(text string) bool {
	return strings.HasPrefix(text, branchPrefix) || strings.HasPrefix(text, linkPrefix) || strings.HasPrefix(text, enrPrefix)
}

// parseRoot parses a root entry. Only the canonical text is accepted (single
// spaces, no leading zeros), because the signature covers that text.
func parseRoot(text string) (*rootEntry, error) {
	if len(text) > maxRecordLen {
		return nil, ErrRecordTooLong
	}
	rest, ok := strings.CutPrefix(text, rootPrefix+" ")
	if !ok {
		return nil, &EntryError{"root", ErrSyntax}
	}
	fields := strings.Split(rest, " ")
	if len(fields) != 4 {
		return nil, &EntryError{"root", ErrSyntax}
	}
	var vals [4]string
	for i, key := range []string{"e=", "l=", "seq=", "sig="} {
		if vals[i], ok = strings.CutPrefix(fields[i], key); !ok {
			return nil, &EntryError{"root", ErrSyntax}
		}
	}
	e := &rootEntry{eroot: vals[0], lroot: vals[1]}
	if _, ok := decodeHash(e.eroot); !ok {
		return nil, &EntryError{"root", ErrInvalidHash}
	}
	if _, ok := decodeHash(e.lroot); !ok {
		return nil, &EntryError{"root", ErrInvalidHash}
	}
	seq, err := strconv.ParseUint(vals[2], 10, strconv.IntSize)
	if err != nil {
		return nil, &EntryError{"root", ErrSyntax}
	}
	e.seq = uint(seq)
	if e.sig, err = b64.DecodeString(vals[3]); err != nil || len(e.sig) != crypto.SignatureLength {
		return nil, &EntryError{"root", ErrInvalidSig}
	}
	if e.String() != text {
		return nil, &EntryError{"root", ErrSyntax}
	}
	return e, nil
}

// parseAndVerifyRoot parses a root and checks its signature against pubkey.
func parseAndVerifyRoot(text string, pubkey *ecdsa.PublicKey) (*rootEntry, error) {
	e, err := parseRoot(text)
	if err != nil {
		return nil, err
	}
	if !e.verify(pubkey) {
		return nil, &EntryError{"root", ErrInvalidSig}
	}
	return e, nil
}

func parseBranch(text string) (*branchEntry, error) {
	list := text[len(branchPrefix):]
	if list == "" {
		return &branchEntry{}, nil // a subtree without entries
	}
	children := strings.Split(list, ",")
	for _, h := range children {
		if _, ok := decodeHash(h); !ok {
			return nil, &EntryError{"branch", ErrInvalidHash}
		}
	}
	return &branchEntry{children: children}, nil
}

func parseENR(text string, validSchemes enr.IdentityScheme) (*enrEntry, error) {
	n, err := enode.Parse(validSchemes, text)
	if err != nil {
		return nil, &EntryError{"enr", fmt.Errorf("%w: %w", ErrInvalidENR, err)}
	}
	// The base64 decoder skips line breaks: only the record's own text is
	// its entry, so that the entry hashes as it is written.
	if n.String() != text {
		return nil, &EntryError{"enr", fmt.Errorf("%w: not in canonical form", ErrInvalidENR)}
	}
	return &enrEntry{node: n}, nil
}

// parseLink parses an enrtree:// link or URL. The key must be in its
// canonical base32 form, so that a tree has exactly one URL.
func parseLink(text string) (*linkEntry, error) {
	str, ok := strings.CutPrefix(text, linkPrefix)
	if !ok {
		return nil, &EntryError{"link", ErrSyntax}
	}
	key, domain, ok := strings.Cut(str, "@")
	if !ok {
		return nil, &EntryError{"link", ErrNoPubkey}
	}
	if b32.DecodedLen(len(key)) != crypto.CompressedPublicKeyLength {
		return nil, &EntryError{"link", ErrBadPubkey}
	}
	keyBytes, err := b32.DecodeString(key)
	if err != nil || b32.EncodeToString(keyBytes) != key {
		return nil, &EntryError{"link", ErrBadPubkey}
	}
	pubkey, err := crypto.DecompressPubkey(keyBytes)
	if err != nil {
		return nil, &EntryError{"link", ErrBadPubkey}
	}
	if !validDomain(domain) {
		return nil, &EntryError{"link", ErrInvalidDomain}
	}
	return &linkEntry{str: str, domain: domain, pubkey: pubkey}, nil
}

// validDomain reports whether d is a DNS name: labels of 1 to 63 letters,
// digits, hyphens and underscores, 253 characters at most, with an optional
// final dot.
func validDomain(d string) bool {
	d = strings.TrimSuffix(d, ".")
	if d == "" || len(d) > maxDomainLen {
		return false
	}
	for label := range strings.SplitSeq(d, ".") {
		if label == "" || len(label) > maxLabelLen {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// ParseURL parses an enrtree://<key>@<domain> URL into the tree's domain and
// the public key that signs it.
func ParseURL(url string) (domain string, pubkey *ecdsa.PublicKey, err error) {
	le, err := parseLink(url)
	if err != nil {
		return "", nil, fmt.Errorf("invalid enrtree URL %q: %w", url, err)
	}
	return le.domain, le.pubkey, nil
}
