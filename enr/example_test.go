package enr_test

import (
	"fmt"
	"net/netip"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/enr"
	"github.com/seednet/p2p/rlp"
)

// ExampleRecord builds, signs, encodes and decodes a record, and reads its
// entries back.
func ExampleRecord() {
	key, _ := crypto.HexToECDSA("b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291")

	var r enr.Record
	r.SetSeq(1)
	r.Set(enr.IPv4Addr(netip.MustParseAddr("127.0.0.1")))
	r.Set(enr.UDP(30303))
	if err := enode.SignV4(&r, key); err != nil { // sets "id" and "secp256k1"
		panic(err)
	}
	enc, _ := rlp.EncodeToBytes(&r)
	fmt.Println("size:", len(enc))

	var dec enr.Record
	if err := rlp.DecodeBytes(enc, &dec); err != nil {
		panic(err)
	}
	if err := dec.VerifySignature(enode.ValidSchemes); err != nil {
		panic(err)
	}
	var udp enr.UDP
	var ip enr.IPv4Addr
	dec.Load(&udp)
	dec.Load(&ip)
	fmt.Println("scheme:", dec.IdentityScheme(), "seq:", dec.Seq(), "endpoint:", netip.Addr(ip), udp)

	var tcp enr.TCP
	err := dec.Load(&tcp)
	fmt.Println("tcp missing:", enr.IsNotFound(err))
	// Output:
	// size: 134
	// scheme: v4 seq: 1 endpoint: 127.0.0.1 30303
	// tcp missing: true
}
