package difffuzz

import (
	"bytes"
	"crypto/ecdsa"
	"encoding/base64"
	"net/netip"
	"strings"
	"testing"

	gethcrypto "github.com/ethereum/go-ethereum/crypto"
	gethenode "github.com/ethereum/go-ethereum/p2p/enode"
	gethenr "github.com/ethereum/go-ethereum/p2p/enr"
	gethrlp "github.com/ethereum/go-ethereum/rlp"

	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/enr"
	"github.com/seednet/p2p/rlp"
)

// FuzzENRDecode decodes a node record with both libraries: RLP into
// enr.Record, then enode.New with the v4 scheme, then the standard
// entries. Both must accept or reject at each step; accepted, they must
// agree on the sequence number, the signature, the key/value pairs (the
// content list re-encoded by each library), the node ID, the public key
// and the endpoints, and the record must re-encode to the same bytes.
// The input is also parsed as text (enr:..., enode://...) by both.
//
// So that mutations of the entries get past the signature, resign set
// replaces the signature of a record (a list) with one by the fixed key
// over its content; the seeds hold that key in their secp256k1 entry.
func FuzzENRDecode(f *testing.F) {
	gkey := gethKey(f)
	for _, s := range enrSeeds(f) {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, in []byte, resign bool) {
		if resign {
			in = resignENR(gkey, in)
		}
		checkENR(t, in)
		checkNodeText(t, string(in))
	})
}

func checkENR(t *testing.T, in []byte) {
	var rO enr.Record
	var rG gethenr.Record
	errO := rlp.DecodeBytes(in, &rO)
	errG := gethrlp.DecodeBytes(in, &rG)
	if knownCanonDiff(in, errO, errG) {
		return
	}
	if !sameOutcome(t, "decoding a record", in, errO, errG) || errO != nil {
		return
	}
	if rO.Seq() != rG.Seq() {
		t.Fatalf("record %x: seq ours %d, geth %d", in, rO.Seq(), rG.Seq())
	}
	if !bytes.Equal(rO.Signature(), rG.Signature()) {
		t.Fatalf("record %x: signature ours %x, geth %x", in, rO.Signature(), rG.Signature())
	}
	if rO.IdentityScheme() != rG.IdentityScheme() {
		t.Fatalf("record %x: scheme ours %q, geth %q", in, rO.IdentityScheme(), rG.IdentityScheme())
	}
	elO, err := rlp.EncodeToBytes(rO.AppendElements(nil))
	if err != nil {
		t.Fatal(err)
	}
	elG, err := gethrlp.EncodeToBytes(rG.AppendElements(nil))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(elO, elG) {
		t.Fatalf("record %x: content ours %x, geth %x", in, elO, elG)
	}
	encO, errO := rlp.EncodeToBytes(&rO)
	encG, errG := gethrlp.EncodeToBytes(&rG)
	if sameOutcome(t, "re-encoding a record", in, errO, errG) && errO == nil && !bytes.Equal(encO, encG) {
		t.Fatalf("record %x: re-encoded ours %x, geth %x", in, encO, encG)
	}
	compareEntries(t, in, rO.Load, rG.Load)

	nO, errO := enode.New(enode.ValidSchemes, &rO)
	nG, errG := gethenode.New(gethenode.ValidSchemes, &rG)
	if !sameOutcome(t, "enode.New", in, errO, errG) || errO != nil {
		return
	}
	compareNodes(t, in, nO, nG)
}

// compareNodes checks two nodes made from the same input.
func compareNodes(t *testing.T, in []byte, nO *enode.Node, nG *gethenode.Node) {
	t.Helper()
	if nO.ID() != enode.ID(nG.ID()) {
		t.Fatalf("node %q: ID ours %x, geth %x", in, nO.ID(), nG.ID())
	}
	if nO.Seq() != nG.Seq() {
		t.Fatalf("node %q: seq ours %d, geth %d", in, nO.Seq(), nG.Seq())
	}
	pO, pG := nO.Pubkey(), nG.Pubkey()
	if (pO == nil) != (pG == nil) || pO != nil && (pO.X.Cmp(pG.X) != 0 || pO.Y.Cmp(pG.Y) != 0) {
		t.Fatalf("node %q: pubkey ours %v, geth %v", in, pO, pG)
	}
	ipO, ipG := nO.IPAddr(), nG.IPAddr()
	var a6 gethenr.IPv6Addr
	if nG.Load(&a6) == nil {
		if m := netip.Addr(a6); m.Is4In6() && ipO != ipG && (ipG == m || ipO == m.Unmap()) {
			// Known difference D9: an IPv4-mapped address in the ip6
			// entry is IPv4 to ours (used, unmapped, only without an ip
			// entry) and IPv6 to geth; the endpoint and its ports differ.
			return
		}
	}
	d6 := !ipO.IsValid() && ipG.IsUnspecified()
	if d6 {
		// Known difference D6: ours leaves an unspecified address out of
		// the endpoint, geth keeps it (and reports no UDP or TCP endpoint;
		// a node from a URL then prints with it).
		ipG = ipO
	}
	if ipO != ipG || nO.TCP() != nG.TCP() || nO.UDP() != nG.UDP() {
		t.Fatalf("node %q: endpoint ours %v tcp %d udp %d, geth %v tcp %d udp %d",
			in, nO.IPAddr(), nO.TCP(), nO.UDP(), nG.IPAddr(), nG.TCP(), nG.UDP())
	}
	if errO, errG := nO.ValidateComplete(), nG.ValidateComplete(); (errO == nil) != (errG == nil) {
		t.Fatalf("node %q: ValidateComplete ours %v, geth %v", in, errO, errG)
	}
	if nO.String() != nG.String() && !(d6 && !strings.HasPrefix(nO.String(), "enr:")) {
		t.Fatalf("node %q: text ours %s, geth %s", in, nO.String(), nG.String())
	}
}

// compareEntries loads the standard entries from both records.
func compareEntries(t *testing.T, in []byte, loadO func(enr.Entry) error, loadG func(gethenr.Entry) error) {
	t.Helper()
	check := func(key string, errO, errG error, vO, vG any) {
		t.Helper()
		if enr.IsNotFound(errO) != gethenr.IsNotFound(errG) || (errO == nil) != (errG == nil) {
			t.Fatalf("record %x: entry %q: ours %v, geth %v", in, key, errO, errG)
		}
		if errO == nil && vO != vG {
			t.Fatalf("record %x: entry %q: ours %v, geth %v", in, key, vO, vG)
		}
	}
	var ip4O enr.IPv4Addr
	var ip4G gethenr.IPv4Addr
	check("ip", loadO(&ip4O), loadG(&ip4G), netip.Addr(ip4O), netip.Addr(ip4G))
	var ip6O enr.IPv6Addr
	var ip6G gethenr.IPv6Addr
	check("ip6", loadO(&ip6O), loadG(&ip6G), netip.Addr(ip6O), netip.Addr(ip6G))
	for _, p := range []struct {
		o enr.Entry
		g gethenr.Entry
	}{
		{new(enr.TCP), new(gethenr.TCP)}, {new(enr.UDP), new(gethenr.UDP)},
		{new(enr.TCP6), new(gethenr.TCP6)}, {new(enr.UDP6), new(gethenr.UDP6)},
		{new(enr.QUIC), new(gethenr.QUIC)}, {new(enr.QUIC6), new(gethenr.QUIC6)},
	} {
		errO, errG := loadO(p.o), loadG(p.g)
		vO, vG := reflectUint(p.o), reflectUint(p.g)
		check(p.o.ENRKey(), errO, errG, vO, vG)
	}
	var idO enr.ID
	var idG gethenr.ID
	check("id", loadO(&idO), loadG(&idG), string(idO), string(idG))
	var kO enr.Secp256k1
	var kG gethenode.Secp256k1
	errO, errG := loadO(&kO), loadG(&kG)
	var xO, xG string
	if errO == nil {
		xO = kO.X.String() + "," + kO.Y.String()
	}
	if errG == nil {
		xG = kG.X.String() + "," + kG.Y.String()
	}
	check("secp256k1", errO, errG, xO, xG)
}

// checkNodeText parses s as a node URL or record text with both libraries.
func checkNodeText(t *testing.T, s string) {
	nO, errO := enode.Parse(enode.ValidSchemes, s)
	nG, errG := gethenode.Parse(gethenode.ValidSchemes, s)
	if errO != nil && errG == nil && strings.HasPrefix(s, "enr:") {
		// Known differences D4 and D5: geth's base64 decoder skips line
		// breaks and ignores non-zero padding bits, ours rejects both, so
		// that a record has one text form. In that form both must agree.
		clean := strings.NewReplacer("\r", "", "\n", "").Replace(s[len("enr:"):])
		if bin, err := base64.RawURLEncoding.DecodeString(clean); err == nil {
			if canon := "enr:" + base64.RawURLEncoding.EncodeToString(bin); canon != s {
				checkNodeText(t, canon)
				return
			}
		}
	}
	if errO != nil && errG == nil && !strings.HasPrefix(s, "enr:") {
		// Known difference D2: our enode URL parser checks the host and
		// the URL's shape, geth's takes what net/url parses. Only the
		// other direction is checked.
		return
	}
	if !sameOutcome(t, "enode.Parse", []byte(s), errO, errG) || errO != nil {
		return
	}
	compareNodes(t, []byte(s), nO, nG)
}

func enrSeeds(tb testing.TB) [][]byte {
	key, gkey := ourKey(tb), gethKey(tb)
	var seeds [][]byte
	for _, entries := range [][]enr.Entry{
		nil,
		{enr.IPv4Addr(netip.MustParseAddr("10.1.2.3")), enr.UDP(30303), enr.TCP(30303)},
		{enr.IPv6Addr(netip.MustParseAddr("2001:db8::1")), enr.UDP6(1), enr.TCP6(2), enr.QUIC(3)},
		{enr.IPv4Addr(netip.MustParseAddr("127.0.0.1")), enr.IPv6Addr(netip.MustParseAddr("::1")), enr.UDP(5)},
	} {
		var r enr.Record
		r.SetSeq(uint64(len(entries)) * 1000)
		for _, e := range entries {
			r.Set(e)
		}
		if err := enode.SignV4(&r, key); err != nil {
			tb.Fatal(err)
		}
		b := mustRLP(tb, &r)
		seeds = append(seeds, b)
		n, err := enode.New(enode.ValidSchemes, &r)
		if err != nil {
			tb.Fatal(err)
		}
		seeds = append(seeds, []byte(n.String()), []byte(n.URLv4()))
	}
	var g gethenr.Record
	g.Set(gethenr.IPv4{192, 168, 0, 1})
	g.Set(gethenr.WithEntry("eth", []uint{1, 2}))
	g.SetSeq(7)
	if err := gethenode.SignV4(&g, gkey); err != nil {
		tb.Fatal(err)
	}
	b, err := gethrlp.EncodeToBytes(&g)
	if err != nil {
		tb.Fatal(err)
	}
	seeds = append(seeds, b,
		[]byte("enode://"+hexPub(gkey)+"@127.0.0.1:30303?discport=30301"),
		[]byte("enode://"+hexPub(gkey)+"@[::1]:1"),
		[]byte("enode://"+hexPub(gkey)),
		[]byte("enr:-IS4QHCYrYZbAKWCBRlAy5zzaDZXJBGkcnh4MHcBFZntXNFrdvJjX04jRzjzCBOonrkTfj499SZuOh8R33Ls8RRcy5wBgmlkgnY0gmlwhH8AAAGJc2VjcDI1NmsxoQPKY0yuDUmstAHYpMa2_oxVtw0RW_QAdpzBQA8yWM0xOIN1ZHCCdl8"),
		// Unsorted keys, a duplicate key, an odd number of elements.
		[]byte{0xc6, 0x80, 0x01, 0x81, 'b', 0x81, 'a'},
		[]byte{0xca, 0x80, 0x01, 0x82, 'i', 'd', 0x80, 0x82, 'i', 'd', 0x80},
		[]byte{0xc4, 0x80, 0x01, 0x82, 'i'},
	)
	return seeds
}

func reflectUint(e any) uint64 {
	switch v := e.(type) {
	case *enr.TCP:
		return uint64(*v)
	case *enr.UDP:
		return uint64(*v)
	case *enr.TCP6:
		return uint64(*v)
	case *enr.UDP6:
		return uint64(*v)
	case *enr.QUIC:
		return uint64(*v)
	case *enr.QUIC6:
		return uint64(*v)
	case *gethenr.TCP:
		return uint64(*v)
	case *gethenr.UDP:
		return uint64(*v)
	case *gethenr.TCP6:
		return uint64(*v)
	case *gethenr.UDP6:
		return uint64(*v)
	case *gethenr.QUIC:
		return uint64(*v)
	case *gethenr.QUIC6:
		return uint64(*v)
	}
	panic("unknown entry type")
}

// resignENR replaces the first element of the list in by a v4 signature
// of the rest with key. Input that is not a list is returned as it is.
func resignENR(key *ecdsa.PrivateKey, in []byte) []byte {
	elems, err := gethrlp.SplitListValues(in)
	if err != nil || len(elems) == 0 {
		return in
	}
	content, err := gethrlp.MergeListValues(elems[1:])
	if err != nil {
		return in
	}
	sig, err := gethcrypto.Sign(gethcrypto.Keccak256(content), key)
	if err != nil {
		return in
	}
	elems[0] = rlp.AppendBytes(nil, sig[:64])
	out, err := gethrlp.MergeListValues(elems)
	if err != nil {
		return in
	}
	return out
}
