package dnsdisc

import (
	"errors"
	"fmt"
)

// Errors of parsing entries. A parse error is an *EntryError wrapping one of
// these (or an error of package enode for a node record).
var (
	// ErrUnknownEntry means a TXT record is none of the entry types. Such
	// records (an SPF record next to the tree, say) are skipped while the
	// client looks for a tree entry.
	ErrUnknownEntry = errors.New("dnsdisc: unknown entry type")
	// ErrSyntax means an entry of a known type is malformed.
	ErrSyntax = errors.New("dnsdisc: invalid syntax")
	// ErrInvalidHash means a hash in a branch or root entry is not the
	// base32 (no padding) of 12 to 32 bytes.
	ErrInvalidHash = errors.New("dnsdisc: invalid hash")
	// ErrInvalidSig means a root's signature is malformed or does not verify
	// against the key of the tree's URL.
	ErrInvalidSig = errors.New("dnsdisc: invalid signature")
	// ErrNoPubkey means an enrtree:// link or URL has no "KEY@".
	ErrNoPubkey = errors.New("dnsdisc: missing public key")
	// ErrBadPubkey means the key of a link or URL is not the base32 of a
	// compressed secp256k1 public key in its canonical form.
	ErrBadPubkey = errors.New("dnsdisc: invalid public key")
	// ErrInvalidDomain means the domain of a link or URL is not a DNS name.
	ErrInvalidDomain = errors.New("dnsdisc: invalid domain name")
	// ErrInvalidENR means an "enr:" leaf does not hold a valid node record
	// of an accepted identity scheme; the *EntryError also wraps the cause
	// from package enode or enr.
	ErrInvalidENR = errors.New("dnsdisc: invalid node record")
	// ErrRecordTooLong means a TXT record is longer than the largest entry
	// the format allows (see the package documentation).
	ErrRecordTooLong = errors.New("dnsdisc: TXT record too long")
)

// Errors of resolving a tree. They come wrapped in a *NameError that names
// the DNS name concerned.
var (
	// ErrNoRoot means the tree's domain has no TXT record that is a root
	// entry.
	ErrNoRoot = errors.New("dnsdisc: no root entry found")
	// ErrNoEntry means the name of a hash has no TXT record that is a tree
	// entry.
	ErrNoEntry = errors.New("dnsdisc: no tree entry found")
	// ErrHashMismatch means the entry found at a hash's name does not hash
	// to that name.
	ErrHashMismatch = errors.New("dnsdisc: entry does not match its hash")
	// ErrENRInLinkTree means a node record was found in the link subtree.
	ErrENRInLinkTree = errors.New("dnsdisc: enr entry in link tree")
	// ErrLinkInENRTree means a link was found in the node subtree.
	ErrLinkInENRTree = errors.New("dnsdisc: link entry in ENR tree")
	// ErrStaleRoot means a root's sequence number is lower than one the
	// client has already seen for the same tree (a replay of an old root).
	ErrStaleRoot = errors.New("dnsdisc: root sequence number lower than one seen before")
	// ErrTooDeep means a branch lies deeper below its subtree's root than
	// any real tree needs (see the package documentation).
	ErrTooDeep = errors.New("dnsdisc: tree too deep")
	// ErrTooManyEntries means a subtree holds more entries than one sync
	// visits (see the package documentation).
	ErrTooManyEntries = errors.New("dnsdisc: too many entries in tree")
	// ErrTimeout means a lookup did not finish within Config.Timeout. The
	// error also wraps the resolver's error.
	ErrTimeout = errors.New("dnsdisc: lookup timed out")
)

// EntryError is the error of parsing an entry: Type is "root", "branch",
// "link" or "enr", Err the cause.
type EntryError struct {
	Type string
	Err  error
}

func (e *EntryError) Error() string { return fmt.Sprintf("invalid %s entry: %v", e.Type, e.Err) }

func (e *EntryError) Unwrap() error { return e.Err }

// NameError is an error concerning the TXT records of one DNS name: the
// resolver's error, or the reason why what it returned was refused (an
// *EntryError, ErrHashMismatch, ErrStaleRoot...).
type NameError struct {
	Name string
	Err  error
}

func (e *NameError) Error() string { return e.Name + ": " + e.Err.Error() }

func (e *NameError) Unwrap() error { return e.Err }
