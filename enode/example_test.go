package enode_test

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/enr"
)

// ExampleParse reads a node in both text forms.
func ExampleParse() {
	n, err := enode.Parse(enode.ValidSchemes, "enr:-IS4QHCYrYZbAKWCBRlAy5zzaDZXJBGkcnh4MHcBFZntXNFrdvJjX04jRzjzCBOonrkTfj499SZuOh8R33Ls8RRcy5wBgmlkgnY0gmlwhH8AAAGJc2VjcDI1NmsxoQPKY0yuDUmstAHYpMa2_oxVtw0RW_QAdpzBQA8yWM0xOIN1ZHCCdl8")
	if err != nil {
		panic(err)
	}
	fmt.Println("id: ", n.ID())
	fmt.Println("seq:", n.Seq())
	ep, _ := n.UDPEndpoint()
	fmt.Println("udp:", ep)
	fmt.Println("url:", n.URLv4())

	u, err := enode.Parse(enode.ValidSchemes, n.URLv4())
	if err != nil {
		panic(err)
	}
	fmt.Println("same id:", u.ID() == n.ID())

	_, err = enode.ParseV4("enode://ca634cae0d49acb401d8a4c6b6fe8c55b70d115bf400769cc1400f3258cd31387574077f301b421bc84df7266c44e9e6d569fc56be00812904767bf5ccd1fc7f@10.3.58.256:30303")
	fmt.Println("bad host:", errors.Is(err, enode.ErrHostname))
	// Output:
	// id:  a448f24c6d18e575453db13171562b71999873db5b286df957af199ec94617f7
	// seq: 1
	// udp: 127.0.0.1:30303
	// url: enode://ca634cae0d49acb401d8a4c6b6fe8c55b70d115bf400769cc1400f3258cd31387574077f301b421bc84df7266c44e9e6d569fc56be00812904767bf5ccd1fc7f@127.0.0.1:0?discport=30303
	// same id: true
	// bad host: true
}

// ExampleLocalNode builds the local node's record and lets endpoint
// prediction fill in the address a NAT gives us.
func ExampleLocalNode() {
	key, _ := crypto.HexToECDSA("b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291")
	ln := enode.NewLocalNode(nil, key) // nil: no node database
	ln.Set(enr.TCP(30303))
	ln.SetFallbackIP(netip.MustParseAddr("192.168.1.10"))
	ln.SetFallbackUDP(30303)
	ep, _ := ln.Node().UDPEndpoint()
	fmt.Println("before:", ep)

	// Ten hosts report, in their PONGs, the same external endpoint.
	nat := netip.MustParseAddrPort("203.0.113.7:51000")
	for i := range 10 {
		from := netip.AddrPortFrom(netip.AddrFrom4([4]byte{198, 51, 100, byte(i)}), 30303)
		ln.UDPEndpointStatement(from, nat)
	}
	n := ln.Node()
	ep, _ = n.UDPEndpoint()
	tcp, _ := n.TCPEndpoint()
	fmt.Println("after: ", ep, tcp)
	_, err := enode.New(enode.ValidSchemes, n.Record())
	fmt.Println("verifies:", err == nil)
	// Output:
	// before: 192.168.1.10:30303
	// after:  203.0.113.7:51000 203.0.113.7:30303
	// verifies: true
}

// ExampleParseV4_hostname parses an enode URL that names its host. The name
// is resolved when the node is dialed (ResolveHostname), not when parsed.
func ExampleParseV4_hostname() {
	n := enode.MustParseV4("enode://ca634cae0d49acb401d8a4c6b6fe8c55b70d115bf400769cc1400f3258cd31387574077f301b421bc84df7266c44e9e6d569fc56be00812904767bf5ccd1fc7f@boot.example.org:30303")
	fmt.Println("host:", n.Hostname())
	fmt.Println("incomplete:", n.Incomplete())
	_, ok := n.TCPEndpoint()
	fmt.Println("TCP endpoint:", ok)
	fmt.Println("url:", n.URLv4())
	// Output:
	// host: boot.example.org
	// incomplete: true
	// TCP endpoint: false
	// url: enode://ca634cae0d49acb401d8a4c6b6fe8c55b70d115bf400769cc1400f3258cd31387574077f301b421bc84df7266c44e9e6d569fc56be00812904767bf5ccd1fc7f@boot.example.org:30303
}
