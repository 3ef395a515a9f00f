package enr

import (
	"crypto/ecdsa"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/rlp"
)

// Entry is a record entry: a Go value that knows its key. Its value is stored
// as the entry's RLP encoding, so an entry type encodes and decodes itself
// with package rlp (implementing rlp.Encoder and rlp.Decoder where the
// default mapping does not fit, for example to check lengths).
//
// To read an entry, pass a pointer to Load: var port enr.TCP; r.Load(&port).
type Entry interface {
	ENRKey() string
}

// The predefined entries of EIP-778 and devp2p.
type (
	// ID is the name of the record's identity scheme ("id"), e.g. "v4".
	ID string
	// TCP is the TCP port ("tcp"), used with IPv4 and, unless TCP6 is set,
	// with IPv6.
	TCP uint16
	// TCP6 is the TCP port for IPv6 ("tcp6").
	TCP6 uint16
	// UDP is the UDP port ("udp"), used with IPv4 and, unless UDP6 is set,
	// with IPv6.
	UDP uint16
	// UDP6 is the UDP port for IPv6 ("udp6").
	UDP6 uint16
	// QUIC is the QUIC port ("quic"), as go-ethereum defines it.
	QUIC uint16
	// QUIC6 is the QUIC port for IPv6 ("quic6").
	QUIC6 uint16
)

// V4 is the name of the "v4" identity scheme, the value of its "id" entry.
const V4 ID = "v4"

// IDv4 is V4 under go-ethereum's name.
const IDv4 = V4

func (ID) ENRKey() string    { return "id" }
func (TCP) ENRKey() string   { return "tcp" }
func (TCP6) ENRKey() string  { return "tcp6" }
func (UDP) ENRKey() string   { return "udp" }
func (UDP6) ENRKey() string  { return "udp6" }
func (QUIC) ENRKey() string  { return "quic" }
func (QUIC6) ENRKey() string { return "quic6" }

// Errors of the address and key entries.
var (
	ErrInvalidIPv4 = errors.New("invalid IPv4 address")
	ErrInvalidIPv6 = errors.New("invalid IPv6 address")
	ErrInvalidIP   = errors.New("invalid IP address")
)

// IP is an IPv4 or IPv6 address, as in go-ethereum: its key depends on its
// value, "ip" for an IPv4 address (including one in the 16-byte form) and
// "ip6" for any other, so Set(enr.IP(addr)) stores an address of either
// family where it belongs. Load a known family with IPv4/IPv6 (or
// IPv4Addr/IPv6Addr): the key of an empty IP, as passed to Load, is "ip6".
//
// Set panics if the IP is neither 4 nor 16 bytes long, as for any entry
// that cannot be encoded.
type IP net.IP

// ENRKey returns "ip" for an IPv4 address and "ip6" otherwise.
func (v IP) ENRKey() string {
	if net.IP(v).To4() != nil {
		return "ip"
	}
	return "ip6"
}

// EncodeRLP implements rlp.Encoder: 4 bytes for an IPv4 address, 16 bytes
// for an IPv6 address. It fails for other lengths.
func (v IP) EncodeRLP(w io.Writer) error {
	if ip4 := net.IP(v).To4(); ip4 != nil {
		return rlp.Encode(w, []byte(ip4))
	}
	if len(v) != net.IPv6len {
		return fmt.Errorf("%w: %d bytes", ErrInvalidIP, len(v))
	}
	return rlp.Encode(w, []byte(v))
}

// DecodeRLP implements rlp.Decoder. The value must be 4 or 16 bytes long.
func (v *IP) DecodeRLP(s *rlp.Stream) error {
	kind, size, err := s.Kind()
	if err != nil {
		return err
	}
	if kind != rlp.String || (size != net.IPv4len && size != net.IPv6len) {
		return fmt.Errorf("%w: need a 4- or 16-byte string", ErrInvalidIP)
	}
	b := make([]byte, size)
	if err := s.ReadBytes(b); err != nil {
		return err
	}
	*v = IP(b)
	return nil
}

// IPv4 is the IPv4 address ("ip"), 4 bytes. It holds a net.IP, as in
// go-ethereum; IPv4Addr is the same entry as a netip.Addr.
type IPv4 net.IP

func (IPv4) ENRKey() string { return "ip" }

// EncodeRLP implements rlp.Encoder. It fails unless v is an IPv4 address.
func (v IPv4) EncodeRLP(w io.Writer) error {
	ip4 := net.IP(v).To4()
	if ip4 == nil {
		return fmt.Errorf("%w: %v", ErrInvalidIPv4, net.IP(v))
	}
	return rlp.Encode(w, []byte(ip4))
}

// DecodeRLP implements rlp.Decoder. The value must be exactly 4 bytes.
func (v *IPv4) DecodeRLP(s *rlp.Stream) error {
	var b [4]byte
	if err := decodeFixed(s, b[:], ErrInvalidIPv4); err != nil {
		return err
	}
	*v = IPv4(b[:])
	return nil
}

// IPv6 is the IPv6 address ("ip6"), 16 bytes.
type IPv6 net.IP

func (IPv6) ENRKey() string { return "ip6" }

// EncodeRLP implements rlp.Encoder. It fails unless v is 4 or 16 bytes long;
// an IPv4 address is written in its IPv4-mapped form.
func (v IPv6) EncodeRLP(w io.Writer) error {
	ip6 := net.IP(v).To16()
	if ip6 == nil {
		return fmt.Errorf("%w: %v", ErrInvalidIPv6, net.IP(v))
	}
	return rlp.Encode(w, []byte(ip6))
}

// DecodeRLP implements rlp.Decoder. The value must be exactly 16 bytes.
func (v *IPv6) DecodeRLP(s *rlp.Stream) error {
	var b [16]byte
	if err := decodeFixed(s, b[:], ErrInvalidIPv6); err != nil {
		return err
	}
	*v = IPv6(b[:])
	return nil
}

// IPv4Addr is the "ip" entry as a netip.Addr.
type IPv4Addr netip.Addr

func (IPv4Addr) ENRKey() string { return "ip" }

// EncodeRLP implements rlp.Encoder. It fails unless v is an IPv4 address
// (IPv4-mapped IPv6 addresses are accepted and unmapped).
func (v IPv4Addr) EncodeRLP(w io.Writer) error {
	addr := netip.Addr(v).Unmap()
	if !addr.Is4() {
		return fmt.Errorf("%w: %v", ErrInvalidIPv4, netip.Addr(v))
	}
	b := addr.As4()
	return rlp.Encode(w, b[:])
}

// DecodeRLP implements rlp.Decoder. The value must be exactly 4 bytes.
func (v *IPv4Addr) DecodeRLP(s *rlp.Stream) error {
	var b [4]byte
	if err := decodeFixed(s, b[:], ErrInvalidIPv4); err != nil {
		return err
	}
	*v = IPv4Addr(netip.AddrFrom4(b))
	return nil
}

// IPv6Addr is the "ip6" entry as a netip.Addr.
type IPv6Addr netip.Addr

func (IPv6Addr) ENRKey() string { return "ip6" }

// EncodeRLP implements rlp.Encoder. It fails for an invalid address or one
// with a zone, which a record cannot carry.
func (v IPv6Addr) EncodeRLP(w io.Writer) error {
	addr := netip.Addr(v)
	if !addr.IsValid() || addr.Zone() != "" {
		return fmt.Errorf("%w: %v", ErrInvalidIPv6, addr)
	}
	b := addr.As16()
	return rlp.Encode(w, b[:])
}

// DecodeRLP implements rlp.Decoder. The value must be exactly 16 bytes.
func (v *IPv6Addr) DecodeRLP(s *rlp.Stream) error {
	var b [16]byte
	if err := decodeFixed(s, b[:], ErrInvalidIPv6); err != nil {
		return err
	}
	*v = IPv6Addr(netip.AddrFrom16(b))
	return nil
}

// decodeFixed reads a string of exactly len(b) bytes into b.
func decodeFixed(s *rlp.Stream, b []byte, errInvalid error) error {
	kind, size, err := s.Kind()
	if err != nil {
		return err
	}
	if kind != rlp.String || size != uint64(len(b)) {
		return fmt.Errorf("%w: need a %d-byte string", errInvalid, len(b))
	}
	return s.ReadBytes(b)
}

// Secp256k1 is the secp256k1 public key ("secp256k1"), stored in the 33-byte
// compressed form. The "v4" identity scheme verifies records with it.
type Secp256k1 ecdsa.PublicKey

func (Secp256k1) ENRKey() string { return "secp256k1" }

// EncodeRLP implements rlp.Encoder.
func (v Secp256k1) EncodeRLP(w io.Writer) error {
	pub := ecdsa.PublicKey(v)
	if pub.X == nil || pub.Y == nil {
		return fmt.Errorf("%w: no key", crypto.ErrInvalidPublicKey)
	}
	return rlp.Encode(w, crypto.CompressPubkey(&pub))
}

// DecodeRLP implements rlp.Decoder. The value must be a valid compressed key.
func (v *Secp256k1) DecodeRLP(s *rlp.Stream) error {
	var b [33]byte
	if err := decodeFixed(s, b[:], crypto.ErrInvalidPublicKey); err != nil {
		return err
	}
	pub, err := crypto.DecompressPubkey(b[:])
	if err != nil {
		return err
	}
	*v = Secp256k1(*pub)
	return nil
}

// WithEntry returns an entry for any key and value. Set encodes value with
// package rlp; for Load, value must be a pointer to decode into:
//
//	r.Set(enr.WithEntry("eth", forkID))
//	err := r.Load(enr.WithEntry("eth", &forkID))
//
// An rlp.RawValue value is stored, or loaded, as the encoded value itself.
func WithEntry(key string, value any) Entry {
	return &generic{key: key, value: value}
}

type generic struct {
	key   string
	value any
}

func (g *generic) ENRKey() string { return g.key }

// EncodeRLP implements rlp.Encoder.
func (g *generic) EncodeRLP(w io.Writer) error { return rlp.Encode(w, g.value) }

// DecodeRLP implements rlp.Decoder.
func (g *generic) DecodeRLP(s *rlp.Stream) error { return s.Decode(g.value) }
