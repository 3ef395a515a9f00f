package dnsdisc_test

import (
	"bytes"
	"fmt"
	"net/netip"
	"os"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/dnsdisc"
	"github.com/seednet/p2p/dnsdisc/dnstest"
	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/enr"
)

// exampleNode returns a node with a signed record, from a fixed key.
func exampleNode(i byte) *enode.Node {
	key, _ := crypto.ToECDSA(bytes.Repeat([]byte{i}, 32))
	var r enr.Record
	r.Set(enr.IPv4Addr(netip.AddrFrom4([4]byte{10, 0, 0, i})))
	r.Set(enr.TCP(30303))
	enode.SignV4(&r, key)
	n, _ := enode.New(enode.ValidSchemes, &r)
	return n
}

// Publishing a list: build the tree, sign it, and write its records as a
// zone file for a DNS server.
func ExampleMakeTree() {
	nodes := []*enode.Node{exampleNode(1), exampleNode(2), exampleNode(3)}
	tree, err := dnsdisc.MakeTree(1, nodes, nil)
	if err != nil {
		panic(err)
	}
	signer, _ := crypto.HexToECDSA("49a7b37aa6f6645917e7b807e9d1c00d4fa71f18343b0d4122a4d2df64dd6fee")
	url, err := tree.Sign(signer, "nodes.example.org")
	if err != nil {
		panic(err)
	}
	fmt.Println(url)
	records := tree.ToTXT("nodes.example.org")
	fmt.Println(len(records), "TXT records")
	if err := dnsdisc.WriteZoneFile(os.Stdout, "nodes.example.org", records, dnsdisc.ZoneConfig{Serial: 1}); err != nil {
		panic(err)
	}
	// Output:
	// enrtree://AP62DT7WOTEQZGQZOU474PP3KMEGVTTE7A7NPRXKX3DUD57TQHGIA@nodes.example.org
	// 6 TXT records
	// ; DNS node list (EIP-1459) for zone nodes.example.org
	// nodes.example.org.	86400	IN	SOA	ns.nodes.example.org. hostmaster.nodes.example.org. 1 3600 600 604800 60
	// nodes.example.org.	86400	IN	NS	ns.nodes.example.org.
	// nodes.example.org.	60	IN	TXT	"enrtree-root:v1 e=HW6EUJUMF7PAJ5YN6NL5FNHOII l=FDXN3SN67NA5DKA4J2GOK7BVQI seq=1 sig=-09M2YQBBD-FnpRC7mOPp1fKKa_PueGyBkjNTiPFrwt3ltGDH5M8lSX_O4UAw8xD06JaujQUZyYdHzPY8W2IzgA"
	// 2OTE7XDOJCIRJR2D2U5Y46PKVU.nodes.example.org.	86400	IN	TXT	"enr:-IS4QOAF5U2bPZy-MjF04atp26o4WT0sgAXS4bNy4QuPnLd5YQsA8Ab7h8IPXsdpK3jfOdceTfdCZeFX6AwiXngATDiAgmlkgnY0gmlwhAoAAAGJc2VjcDI1NmsxoQMbhMVWexJkQJldPtWqugVl1x4YNGBIGf-cF_Xp1d0Hj4N0Y3CCdl8"
	// FDXN3SN67NA5DKA4J2GOK7BVQI.nodes.example.org.	86400	IN	TXT	"enrtree-branch:"
	// GJWT34GWLGJIH2PAAPEG44OKT4.nodes.example.org.	86400	IN	TXT	"enr:-IS4QJ9p4rKlhlTZiNTKZXWCxwz19aTZTsvVoZwOc0hrC7HDOq2q4dM03KmtT2NbXuizms5RPAN_TlBOsu_jtuC3qOSAgmlkgnY0gmlwhAoAAAOJc2VjcDI1NmsxoQJTH-YGgTRQPScjEzInyGesj6bIPFN-mkTDxb29yx_jN4N0Y3CCdl8"
	// HW6EUJUMF7PAJ5YN6NL5FNHOII.nodes.example.org.	86400	IN	TXT	"enrtree-branch:GJWT34GWLGJIH2PAAPEG44OKT4,MHNNK4ERCXC2SZRMLA6YZJ7264,2OTE7XDOJCIRJR2D2U5Y46PKVU"
	// MHNNK4ERCXC2SZRMLA6YZJ7264.nodes.example.org.	86400	IN	TXT	"enr:-IS4QE_Yjf8DB5rg90qa1OZcAf6NpZnqNwM0Sg4Dw-7vglb3DURzsHRxPfFRAPzO2vfiSK431OGngHgGVPWzryiO1jiAgmlkgnY0gmlwhAoAAAKJc2VjcDI1NmsxoQJNS2zRNhAyypvSrrnZAKpNRdnq2ArJQjN0xFGnJU0HZoN0Y3CCdl8"
}

// Reading a list: an iterator over its nodes, as a server's dial
// candidates. Here the records come from memory; a real client uses the
// zero Config (net.DefaultResolver).
func ExampleClient_NewIterator() {
	tree, _ := dnsdisc.MakeTree(1, []*enode.Node{exampleNode(1), exampleNode(2)}, nil)
	signer, _ := crypto.HexToECDSA("49a7b37aa6f6645917e7b807e9d1c00d4fa71f18343b0d4122a4d2df64dd6fee")
	url, _ := tree.Sign(signer, "nodes.example.org")
	resolver := dnstest.NewMapResolver(tree.ToTXT("nodes.example.org"))

	client := dnsdisc.NewClient(dnsdisc.Config{Resolver: resolver})
	it, err := client.NewIterator(url)
	if err != nil {
		panic(err)
	}
	defer it.Close()
	seen := make(map[enode.ID]bool)
	for len(seen) < 2 && it.Next() {
		n := it.Node()
		if !seen[n.ID()] {
			seen[n.ID()] = true
		}
	}
	fmt.Println(len(seen), "nodes found")
	// Output: 2 nodes found
}
