package dnsdisc

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/enode"
)

// seedEntries are the fuzz targets' seed corpus: the spec's records and
// entries that are nearly valid.
func seedEntries() []string {
	seeds := []string{
		"", "enr:", "enrtree://", "enrtree-branch:", "enrtree-root:v1",
		"enrtree-branch:AAAAAAAAAAAAAAAAAAAA,BBBBBBBBBBBBBBBBBBBB",
		"enrtree-branch:" + strings.Repeat("A", 52),
		"enrtree://AM5FCQLWIZX2QFPNJAP7VUERCCRNGRHWZG3YYHIUV7BVDQ5FDPRT2@a.b.",
		"enrtree://AM5FCQLWIZX2QFPNJAP7VUERCCRNGRHWZG3YYHIUV7BVDQ5FDPRT2@" + strings.Repeat("a", 64),
		"enr:-IS4QHCYrYZbAKWCBRlAy5zzaDZXJBGkcnh4MHcBFZntXNFrdvJjX04jRzjzCBOonrkTfj499SZuOh8R33Ls8RRcy5wBgmlkgnY0gmlwhH8AAAGJc2VjcDI1NmsxoQPKY0yuDUmstAHYpMa2_oxVtw0RW_QAdpzBQA8yWM0xOIN1ZHCCdl8",
		"enrtree-root:v1 e=JWXYDBPXYWG6FX3GMDIBFA6CJ4 l=C7HRFPF3BLGF3YR4DY5KX3SMBE seq=18446744073709551615 sig=o908WmNp7LibOfPsr4btQwatZJ5URBr2ZAuxvK4UWHlsB9sUOTJQaGAlLPVAhM__XJesCHxLISo94z5Z2a463gA",
	}
	for _, text := range specRecords {
		seeds = append(seeds, text)
	}
	return seeds
}

// FuzzParseEntry: the entry parser never panics, returns an entry or an
// error (never both, never neither), and an entry it accepts writes back to
// exactly its input.
func FuzzParseEntry(f *testing.F) {
	for _, s := range seedEntries() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		e, err := parseEntry(text, enode.ValidSchemes)
		if (e == nil) == (err == nil) {
			t.Fatalf("entry %v, error %v", e, err)
		}
		if err != nil {
			return
		}
		if e.String() != text {
			t.Fatalf("parsed %q, writes back %q", text, e.String())
		}
		if len(text) > maxRecordLen {
			t.Fatalf("accepted %d bytes", len(text))
		}
	})
}

// FuzzParseRoot: the same for roots; checking a signature never panics,
// and only the spec's signature of the spec's root verifies. (The recovery
// id V is not checked, as go-ethereum does not: a root that differs in V
// only verifies too.)
func FuzzParseRoot(f *testing.F) {
	for _, s := range seedEntries() {
		f.Add(s)
	}
	key, _ := crypto.UnmarshalPubkey(mustHex(specKey))
	spec, err := parseRoot(specRecords["n"])
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		e, err := parseRoot(text)
		if (e == nil) == (err == nil) {
			t.Fatalf("entry %v, error %v", e, err)
		}
		if err != nil {
			return
		}
		if e.String() != text {
			t.Fatalf("parsed %q, writes back %q", text, e.String())
		}
		if e.verify(key) && (e.content() != spec.content() || !bytes.Equal(e.sig[:64], spec.sig[:64])) {
			t.Fatalf("signature of %q verifies", text)
		}
	})
}

// FuzzSyncTree serves two fuzzed records as the node subtree of a signed
// tree, at the names of their hashes (so they get past the hash check to
// the parser and the sync): SyncTree and an iterator never panic, and what
// they give back is what was served.
func FuzzSyncTree(f *testing.F) {
	seeds := seedEntries()
	for i, s := range seeds {
		f.Add(s, seeds[(i+1)%len(seeds)])
	}
	f.Add(branch(specRecords["2XS2367YHAXJFGLZHVAWLQD4ZY.n"]), specRecords["2XS2367YHAXJFGLZHVAWLQD4ZY.n"])
	key := mustKey(f, "dc599867fc513f8f5e2c2c9c489cde5e71362d1d9ec6e693e0de063236ed1240")
	url := newLinkEntry("n.example.org", &key.PublicKey).String()
	f.Fuzz(func(t *testing.T, top, other string) {
		records := craftTree(t, key, "n.example.org", 1, hashName(top), hashName(branchPrefix), top, other, branchPrefix)
		c := NewClient(Config{Resolver: newResolver(records), RateLimit: -1})
		tree, err := c.SyncTree(url)
		if err != nil {
			var ne *NameError
			if !errors.As(err, &ne) {
				t.Fatalf("error without a name: %v", err)
			}
			return
		}
		for _, n := range tree.Nodes() {
			if s := n.String(); s != top && s != other {
				t.Fatalf("node %s was not served", s)
			}
		}
		if len(tree.Links()) != 0 {
			t.Fatal("links in the node subtree")
		}
	})
}
