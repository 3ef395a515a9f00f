package nat

import (
	"encoding/binary"
	"errors"
	"net/netip"
)

// STUN messages (RFC 5389, section 6): a 20-byte header, then attributes.
//
//	header    [type:2, length:2, magic cookie 0x2112A442:4, transaction ID:12]
//	attribute [type:2, length:2, value, padding to a multiple of 4]
//
// A Binding request (type 0x0001) has no attributes. A success response
// (0x0101) carries our address as the server saw it: XOR-MAPPED-ADDRESS
// (0x0020), its port XORed with the cookie's top 16 bits and its address
// with the cookie (and, for IPv6, the transaction ID); servers of RFC 3489
// send MAPPED-ADDRESS (0x0001) in the clear. Both values are
// [0, family (1: IPv4, 2: IPv6), port:2, address:4 or 16].
const (
	stunHeaderSize      = 20
	stunMagicCookie     = 0x2112A442
	stunBindingRequest  = 0x0001
	stunBindingSuccess  = 0x0101
	stunAttrMapped      = 0x0001
	stunAttrXORMapped   = 0x0020
	stunMaxResponseSize = 1500
)

var (
	errSTUNResponse = errors.New("STUN: malformed response")
	errSTUNNoAddr   = errors.New("STUN: response without a mapped address")
	errSTUNNotOurs  = errors.New("STUN: response to another transaction")
)

func stunRequest(tid [12]byte) []byte {
	b := make([]byte, stunHeaderSize)
	binary.BigEndian.PutUint16(b[0:], stunBindingRequest)
	binary.BigEndian.PutUint32(b[4:], stunMagicCookie)
	copy(b[8:], tid[:])
	return b
}

// parseSTUNResponse returns the mapped address of a Binding success
// response to transaction tid.
func parseSTUNResponse(b []byte, tid [12]byte) (netip.AddrPort, error) {
	if len(b) < stunHeaderSize || binary.BigEndian.Uint32(b[4:]) != stunMagicCookie {
		return netip.AddrPort{}, errSTUNResponse
	}
	if [12]byte(b[8:20]) != tid {
		return netip.AddrPort{}, errSTUNNotOurs
	}
	if binary.BigEndian.Uint16(b[0:]) != stunBindingSuccess {
		return netip.AddrPort{}, errSTUNResponse
	}
	size := int(binary.BigEndian.Uint16(b[2:]))
	if size%4 != 0 || stunHeaderSize+size > len(b) {
		return netip.AddrPort{}, errSTUNResponse
	}
	attrs := b[stunHeaderSize : stunHeaderSize+size]
	var mapped, xorMapped netip.AddrPort
	for len(attrs) > 0 {
		if len(attrs) < 4 {
			return netip.AddrPort{}, errSTUNResponse
		}
		typ, n := binary.BigEndian.Uint16(attrs[0:]), int(binary.BigEndian.Uint16(attrs[2:]))
		padded := (n + 3) &^ 3
		if 4+padded > len(attrs) {
			return netip.AddrPort{}, errSTUNResponse
		}
		val := attrs[4 : 4+n]
		switch typ {
		case stunAttrMapped:
			ap, err := stunAddress(val, nil)
			if err != nil {
				return netip.AddrPort{}, err
			}
			mapped = ap
		case stunAttrXORMapped:
			ap, err := stunAddress(val, b[4:20])
			if err != nil {
				return netip.AddrPort{}, err
			}
			xorMapped = ap
		}
		attrs = attrs[4+padded:]
	}
	switch {
	case xorMapped.IsValid():
		return xorMapped, nil
	case mapped.IsValid():
		return mapped, nil
	}
	return netip.AddrPort{}, errSTUNNoAddr
}

// stunAddress decodes an address attribute; key, if not nil, is the cookie
// and transaction ID it is XORed with.
func stunAddress(v, key []byte) (netip.AddrPort, error) {
	if len(v) < 4 {
		return netip.AddrPort{}, errSTUNResponse
	}
	port := binary.BigEndian.Uint16(v[2:])
	var ip []byte
	switch v[1] {
	case 1:
		if len(v) != 8 {
			return netip.AddrPort{}, errSTUNResponse
		}
		ip = append(ip, v[4:8]...)
	case 2:
		if len(v) != 20 {
			return netip.AddrPort{}, errSTUNResponse
		}
		ip = append(ip, v[4:20]...)
	default:
		return netip.AddrPort{}, errSTUNResponse
	}
	if key != nil {
		port ^= uint16(stunMagicCookie >> 16)
		for i := range ip {
			ip[i] ^= key[i]
		}
	}
	addr, _ := netip.AddrFromSlice(ip)
	return netip.AddrPortFrom(addr.Unmap(), port), nil
}
