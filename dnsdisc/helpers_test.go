package dnsdisc

import (
	"crypto/ecdsa"
	"encoding/hex"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/dnsdisc/dnstest"
	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/enr"
	"github.com/seednet/p2p/internal/testutil"
)

// The spec's example tree (EIP-1459 and devp2p's dnsdisc.md), served at
// "n". Its root is signed by the key that the spec gives in hex
// (specKey), whose URL form is that of specURL; the spec's example URL
// pairs that hex key with another base32 key (AM5FCQ...), the one of the
// tree's link.
var (
	specURL     = "enrtree://AKPYQIUQIL7PSIACI32J7FGZW56E5FKHEFCCOFHILBIMW3M6LWXS2@n"
	specRecords = map[string]string{
		"n":                            "enrtree-root:v1 e=JWXYDBPXYWG6FX3GMDIBFA6CJ4 l=C7HRFPF3BLGF3YR4DY5KX3SMBE seq=1 sig=o908WmNp7LibOfPsr4btQwatZJ5URBr2ZAuxvK4UWHlsB9sUOTJQaGAlLPVAhM__XJesCHxLISo94z5Z2a463gA",
		"C7HRFPF3BLGF3YR4DY5KX3SMBE.n": "enrtree://AM5FCQLWIZX2QFPNJAP7VUERCCRNGRHWZG3YYHIUV7BVDQ5FDPRT2@morenodes.example.org",
		"JWXYDBPXYWG6FX3GMDIBFA6CJ4.n": "enrtree-branch:2XS2367YHAXJFGLZHVAWLQD4ZY,H4FHT4B454P6UXFD7JCYQ5PWDY,MHTDO6TMUBRIA2XWG5LUDACK24",
		"2XS2367YHAXJFGLZHVAWLQD4ZY.n": "enr:-HW4QOFzoVLaFJnNhbgMoDXPnOvcdVuj7pDpqRvh6BRDO68aVi5ZcjB3vzQRZH2IcLBGHzo8uUN3snqmgTiE56CH3AMBgmlkgnY0iXNlY3AyNTZrMaECC2_24YYkYHEgdzxlSNKQEnHhuNAbNlMlWJxrJxbAFvA",
		"H4FHT4B454P6UXFD7JCYQ5PWDY.n": "enr:-HW4QAggRauloj2SDLtIHN1XBkvhFZ1vtf1raYQp9TBW2RD5EEawDzbtSmlXUfnaHcvwOizhVYLtr7e6vw7NAf6mTuoCgmlkgnY0iXNlY3AyNTZrMaECjrXI8TLNXU0f8cthpAMxEshUyQlK-AM0PW2wfrnacNI",
		"MHTDO6TMUBRIA2XWG5LUDACK24.n": "enr:-HW4QLAYqmrwllBEnzWWs7I5Ev2IAs7x_dZlbYdRdMUx5EyKHDXp7AV5CkuPGUPdvbv1_Ms1CPfhcGCvSElSosZmyoqAgmlkgnY0iXNlY3AyNTZrMaECriawHKWdDRk2xeZkrOXBQ0dfMFLHY4eENZwdufn1S1o",
	}
	specLink = "enrtree://AM5FCQLWIZX2QFPNJAP7VUERCCRNGRHWZG3YYHIUV7BVDQ5FDPRT2@morenodes.example.org"
	// The public key that the spec's text gives in hex.
	specKey = "049f88229042fef9200246f49f94d9b77c4e954721442714e85850cb6d9e5daf2d880ea0e53cb3ac1a75f9923c2726a4f941f7d326781baa6380754a360de5c2b6"
)

// testNode returns a node with a signed record: key, 127.0.0.1, TCP and UDP
// port.
func testNode(t testing.TB, key *ecdsa.PrivateKey, port int) *enode.Node {
	t.Helper()
	var r enr.Record
	r.Set(enr.IPv4Addr(netip.MustParseAddr("127.0.0.1")))
	r.Set(enr.TCP(port))
	r.Set(enr.UDP(port))
	if err := enode.SignV4(&r, key); err != nil {
		t.Fatal(err)
	}
	n, err := enode.New(enode.ValidSchemes, &r)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func testNodes(t testing.TB, n int) []*enode.Node {
	t.Helper()
	nodes := make([]*enode.Node, n)
	for i := range nodes {
		nodes[i] = testNode(t, testutil.NewKey(t), 30000+i)
	}
	return nodes
}

// signedTree makes and signs a tree at domain; it returns the tree, its URL
// and its records.
func signedTree(t testing.TB, key *ecdsa.PrivateKey, domain string, seq uint, nodes []*enode.Node, links []string) (*Tree, string, map[string]string) {
	t.Helper()
	tree, err := MakeTree(seq, nodes, links)
	if err != nil {
		t.Fatal(err)
	}
	url, err := tree.Sign(key, domain)
	if err != nil {
		t.Fatal(err)
	}
	return tree, url, tree.ToTXT(domain)
}

// fastConfig is a client configuration for tests: no rate limit, logs to t.
func fastConfig(t testing.TB, r Resolver) Config {
	return Config{Resolver: r, RateLimit: -1, Logger: testutil.Logger(t)}
}

func nodeIDs(nodes []*enode.Node) []string {
	ids := make([]string, len(nodes))
	for i, n := range nodes {
		ids[i] = n.ID().String()
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(strings.TrimPrefix(s, "0x"))
	if err != nil {
		panic(err)
	}
	return b
}

func mustKey(t testing.TB, hexkey string) *ecdsa.PrivateKey {
	t.Helper()
	k, err := crypto.HexToECDSA(hexkey)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newResolver(records ...map[string]string) *dnstest.MapResolver {
	return dnstest.NewMapResolver(records...)
}
