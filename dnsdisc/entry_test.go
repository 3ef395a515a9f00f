package dnsdisc

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/enode"
)

func TestParseRoot(t *testing.T) {
	const valid = "enrtree-root:v1 e=JWXYDBPXYWG6FX3GMDIBFA6CJ4 l=C7HRFPF3BLGF3YR4DY5KX3SMBE seq=1 sig=o908WmNp7LibOfPsr4btQwatZJ5URBr2ZAuxvK4UWHlsB9sUOTJQaGAlLPVAhM__XJesCHxLISo94z5Z2a463gA"
	tests := []struct {
		name, input string
		err         error
	}{
		{"spec example", valid, nil},
		{"no l=", "enrtree-root:v1 e=JWXYDBPXYWG6FX3GMDIBFA6CJ4 seq=1 sig=o908WmNp7LibOfPsr4btQwatZJ5URBr2ZAuxvK4UWHlsB9sUOTJQaGAlLPVAhM__XJesCHxLISo94z5Z2a463gA", ErrSyntax},
		{"fields swapped", "enrtree-root:v1 l=C7HRFPF3BLGF3YR4DY5KX3SMBE e=JWXYDBPXYWG6FX3GMDIBFA6CJ4 seq=1 sig=o908WmNp7LibOfPsr4btQwatZJ5URBr2ZAuxvK4UWHlsB9sUOTJQaGAlLPVAhM__XJesCHxLISo94z5Z2a463gA", ErrSyntax},
		{"two spaces", strings.Replace(valid, " seq", "  seq", 1), ErrSyntax},
		{"trailing space", valid + " ", ErrSyntax},
		{"leading zero seq", strings.Replace(valid, "seq=1", "seq=01", 1), ErrSyntax},
		{"plus seq", strings.Replace(valid, "seq=1", "seq=+1", 1), ErrSyntax},
		{"negative seq", strings.Replace(valid, "seq=1", "seq=-1", 1), ErrSyntax},
		{"huge seq", strings.Replace(valid, "seq=1", "seq=99999999999999999999999", 1), ErrSyntax},
		{"v2", strings.Replace(valid, ":v1", ":v2", 1), ErrSyntax},
		{"bad e hash", strings.Replace(valid, "e=JWXYDBPXYWG6FX3GMDIBFA6CJ4", "e=JWXY", 1), ErrInvalidHash},
		{"lowercase hash", strings.Replace(valid, "e=JWXYDBPXYWG6FX3GMDIBFA6CJ4", "e=jwxydbpxywg6fx3gmdibfa6cj4", 1), ErrInvalidHash},
		{"hash with stray bits", strings.Replace(valid, "e=JWXYDBPXYWG6FX3GMDIBFA6CJ4", "e=JWXYDBPXYWG6FX3GMDIBFA6CJ5", 1), ErrInvalidHash},
		{"short sig", "enrtree-root:v1 e=JWXYDBPXYWG6FX3GMDIBFA6CJ4 l=C7HRFPF3BLGF3YR4DY5KX3SMBE seq=1 sig=o908WmNp", ErrInvalidSig},
		{"padded sig", valid + "=", ErrInvalidSig},
		{"sig with line break", strings.Replace(valid, "sig=o908", "sig=o9\n08", 1), ErrSyntax},
		{"too long", valid + strings.Repeat("A", maxRecordLen), ErrRecordTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := parseRoot(tt.input)
			if !errors.Is(err, tt.err) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			if err != nil {
				var ee *EntryError
				if e != nil || (!errors.Is(err, ErrRecordTooLong) && (!errors.As(err, &ee) || ee.Type != "root")) {
					t.Fatalf("got %v, %#v", e, err)
				}
				return
			}
			if e.String() != tt.input {
				t.Fatalf("round trip: %s", e)
			}
		})
	}
}

func TestRootSignature(t *testing.T) {
	e, err := parseRoot(specRecords["n"])
	if err != nil {
		t.Fatal(err)
	}
	key, err := crypto.UnmarshalPubkey(mustHex(specKey))
	if err != nil {
		t.Fatal(err)
	}
	if !e.verify(key) {
		t.Fatal("the spec's root does not verify with the spec's key")
	}
	other := mustKey(t, "dc599867fc513f8f5e2c2c9c489cde5e71362d1d9ec6e693e0de063236ed1241")
	if e.verify(&other.PublicKey) {
		t.Fatal("verifies with another key")
	}
	// Any change to the signed text breaks the signature.
	changed := *e
	changed.seq = 2
	if changed.verify(key) {
		t.Fatal("verifies with another seq")
	}
	if _, err := parseAndVerifyRoot(changed.String(), key); !errors.Is(err, ErrInvalidSig) {
		t.Fatalf("changed root: %v", err)
	}
}

func TestParseEntry(t *testing.T) {
	specNode := specRecords["2XS2367YHAXJFGLZHVAWLQD4ZY.n"]
	tests := []struct {
		name, input string
		want        string // the type: "branch", "link", "enr"
		err         error
	}{
		{"branch", specRecords["JWXYDBPXYWG6FX3GMDIBFA6CJ4.n"], "branch", nil},
		{"empty branch", "enrtree-branch:", "branch", nil},
		{"branch of 12-byte hash", "enrtree-branch:AAAAAAAAAAAAAAAAAAAA", "branch", nil},
		{"branch of 32-byte hash", "enrtree-branch:" + strings.Repeat("A", 52), "branch", nil},
		{"branch of short hash", "enrtree-branch:1,2", "", ErrInvalidHash},
		{"branch of 11-byte hash", "enrtree-branch:AAAAAAAAAAAAAAAAAA", "", ErrInvalidHash},
		{"branch of 33-byte hash", "enrtree-branch:" + strings.Repeat("A", 53), "", ErrInvalidHash},
		{"branch with empty hash", "enrtree-branch:AAAAAAAAAAAAAAAAAAAA,", "", ErrInvalidHash},
		{"branch with space", "enrtree-branch: AAAAAAAAAAAAAAAAAAAA", "", ErrInvalidHash},
		{"branch with line break", "enrtree-branch:AAAAAAAAAA\nAAAAAAAAAA", "", ErrInvalidHash},
		{"link", specLink, "link", nil},
		{"link with final dot", "enrtree://AM5FCQLWIZX2QFPNJAP7VUERCCRNGRHWZG3YYHIUV7BVDQ5FDPRT2@morenodes.example.org.", "link", nil},
		{"link without key", "enrtree://nodes.example.org", "", ErrNoPubkey},
		{"link with short key", "enrtree://AP62DT7WOTEQZGQZOU474PP3KMEGVTTE7A7NPRXKX3DUD57@nodes.example.org", "", ErrBadPubkey},
		{"link with key off the curve", "enrtree://AP62DT7WONEQZGQZOU474PP3KMEGVTTE7A7NPRXKX3DUD57TQHGIA@nodes.example.org", "", ErrBadPubkey},
		{"link with stray key bits", "enrtree://AM5FCQLWIZX2QFPNJAP7VUERCCRNGRHWZG3YYHIUV7BVDQ5FDPRT3@morenodes.example.org", "", ErrBadPubkey},
		{"link without domain", "enrtree://AM5FCQLWIZX2QFPNJAP7VUERCCRNGRHWZG3YYHIUV7BVDQ5FDPRT2@", "", ErrInvalidDomain},
		{"link with bad domain", "enrtree://AM5FCQLWIZX2QFPNJAP7VUERCCRNGRHWZG3YYHIUV7BVDQ5FDPRT2@a..b", "", ErrInvalidDomain},
		{"link with space in domain", "enrtree://AM5FCQLWIZX2QFPNJAP7VUERCCRNGRHWZG3YYHIUV7BVDQ5FDPRT2@a b", "", ErrInvalidDomain},
		{"link with long label", "enrtree://AM5FCQLWIZX2QFPNJAP7VUERCCRNGRHWZG3YYHIUV7BVDQ5FDPRT2@" + strings.Repeat("a", 64), "", ErrInvalidDomain},
		{"enr", specNode, "enr", nil},
		{"enr with padding", specNode + "=", "", ErrInvalidENR},
		{"enr with stray bits", specNode[:len(specNode)-1] + "B", "", ErrInvalidENR},
		{"enr not base64", "enr:-----", "", ErrInvalidENR},
		{"enr with line break", specNode[:40] + "\r\n" + specNode[40:], "", ErrInvalidENR},
		{"enr with bad signature", strings.Replace(specNode, "OFzoV", "OFzoW", 1), "", ErrInvalidENR},
		{"empty", "", "", ErrUnknownEntry},
		{"root is no tree entry", specRecords["n"], "", ErrUnknownEntry},
		{"spf", "v=spf1 -all", "", ErrUnknownEntry},
		{"enrtree", "enrtree", "", ErrUnknownEntry},
		{"too long", "enrtree-branch:" + strings.Repeat("AAAAAAAAAAAAAAAAAAAA,", 30), "", ErrRecordTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := parseEntry(tt.input, enode.ValidSchemes)
			if !errors.Is(err, tt.err) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			if err != nil {
				if e != nil {
					t.Fatalf("entry %v with error", e)
				}
				var ee *EntryError
				if tt.err != ErrUnknownEntry && tt.err != ErrRecordTooLong && (!errors.As(err, &ee) || ee.Type != tt.name[:min(len(tt.name), len(ee.Type))]) {
					t.Fatalf("error %#v is not an *EntryError of the type", err)
				}
				return
			}
			var typ string
			switch e.(type) {
			case *branchEntry:
				typ = "branch"
			case *linkEntry:
				typ = "link"
			case *enrEntry:
				typ = "enr"
			}
			if typ != tt.want {
				t.Fatalf("type %s, want %s", typ, tt.want)
			}
			if e.String() != tt.input {
				t.Fatalf("round trip: %q", e.String())
			}
		})
	}
}

// Every proper prefix of a valid entry either fails cleanly or is a valid
// entry of its own (a branch with fewer hashes).
func TestParseTruncated(t *testing.T) {
	for name, text := range specRecords {
		parse := func(s string) (entry, error) { return parseEntry(s, enode.ValidSchemes) }
		if name == "n" {
			parse = func(s string) (entry, error) {
				e, err := parseRoot(s)
				if err != nil {
					return nil, err
				}
				return e, nil
			}
		}
		for i := range len(text) {
			e, err := parse(text[:i])
			if (e == nil) == (err == nil) {
				t.Fatalf("%s[:%d]: entry %v, error %v", name, i, e, err)
			}
			if err == nil && e.String() != text[:i] {
				t.Fatalf("%s[:%d]: round trip %q", name, i, e.String())
			}
		}
	}
}

func TestParseURL(t *testing.T) {
	domain, key, err := ParseURL(specURL)
	if err != nil {
		t.Fatal(err)
	}
	if domain != "n" || !bytes.Equal(crypto.FromECDSAPub(key), mustHex(specKey)) {
		t.Fatalf("domain %q, key %x", domain, crypto.FromECDSAPub(key))
	}
	if domain, _, err := ParseURL(specLink); err != nil || domain != "morenodes.example.org" {
		t.Fatalf("link: %q %v", domain, err)
	}
	for _, bad := range []string{"", "enrtree:/x@y", "https://AM5FCQLWIZX2QFPNJAP7VUERCCRNGRHWZG3YYHIUV7BVDQ5FDPRT2@n", "enrtree://@n", "enrtree://AM5FCQ@n"} {
		if _, _, err := ParseURL(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	// A tree's URL is the link to it.
	k := mustKey(t, "dc599867fc513f8f5e2c2c9c489cde5e71362d1d9ec6e693e0de063236ed1240")
	if url := newLinkEntry("n", &k.PublicKey).String(); url != specURL {
		t.Fatalf("URL %s, want %s", url, specURL)
	}
}

func TestHashName(t *testing.T) {
	for name, text := range specRecords {
		if name == "n" {
			continue
		}
		h, _, _ := strings.Cut(name, ".")
		if got := hashName(text); got != h {
			t.Errorf("hash of %s is %s", name, got)
		}
		full := crypto.Keccak256([]byte(text))
		if !matchesHash(h, text) || !matchesHash(b32.EncodeToString(full[:minHashLen]), text) || !matchesHash(b32.EncodeToString(full), text) {
			t.Errorf("%s does not match", name)
		}
		if matchesHash(h, text+" ") {
			t.Errorf("%s matches other text", name)
		}
	}
}
