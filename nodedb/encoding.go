package nodedb

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"time"

	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/enr"
	"github.com/seednet/p2p/rlp"
)

// Layout of the bbolt file. Bucket "nodes" holds, for each node, sorted by
// node ID so that a node's entries are one key range:
//
//	id(32) 0x00                   updated(8) seq(8) record(RLP)
//	id(32) 0x01 ip(16) 'i'        last ping received(8)
//	id(32) 0x01 ip(16) 'o'        last pong received(8)
//	id(32) 0x01 ip(16) 'f'        FINDNODE failures(8)
//
// Times are Unix nanoseconds, all integers big-endian, IPv4 addresses in
// their IPv4-mapped form. Bucket "local" maps our node ID to the sequence
// number of our record; bucket "meta" holds the layout version.
const (
	schemaVersion = 1

	idLen        = len(enode.ID{})
	recordKeyLen = idLen + 1
	addrKeyLen   = idLen + 1 + 16 + 1

	tagRecord = 0x00
	tagAddr   = 0x01

	fieldPing  = 'i'
	fieldPong  = 'o'
	fieldFails = 'f'
)

var (
	bucketNodes = []byte("nodes")
	bucketLocal = []byte("local")
	bucketMeta  = []byte("meta")
	keyVersion  = []byte("version")
)

func recordKey(id enode.ID) []byte {
	k := make([]byte, recordKeyLen)
	copy(k, id[:])
	k[idLen] = tagRecord
	return k
}

// addrKey returns the key of a field of a node's address; ip must be
// normalized (ipKey).
func addrKey(id enode.ID, ip netip.Addr, field byte) []byte {
	k := make([]byte, addrKeyLen)
	copy(k, id[:])
	k[idLen] = tagAddr
	a := ip.As16()
	copy(k[idLen+1:], a[:])
	k[addrKeyLen-1] = field
	return k
}

// splitKey parses a key of bucket "nodes". For address keys it returns
// the address and the field; for record keys field is 0.
func splitKey(k []byte) (id enode.ID, ip netip.Addr, field byte, ok bool) {
	switch {
	case len(k) == recordKeyLen && k[idLen] == tagRecord:
		copy(id[:], k)
		return id, netip.Addr{}, 0, true
	case len(k) == addrKeyLen && k[idLen] == tagAddr:
		copy(id[:], k)
		ip = netip.AddrFrom16([16]byte(k[idLen+1 : idLen+17])).Unmap()
		return id, ip, k[addrKeyLen-1], true
	}
	return id, ip, 0, false
}

func encodeUint(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

func decodeUint(b []byte) uint64 {
	if len(b) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

func encodeTime(t time.Time) []byte { return encodeUint(uint64(t.UnixNano())) }

func decodeTime(b []byte) time.Time {
	if len(b) != 8 {
		return time.Time{}
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(b)))
}

var errCorrupt = errors.New("nodedb: corrupt node entry")

// encodeRecord makes the value of a record key.
func encodeRecord(n *enode.Node, updated time.Time) ([]byte, error) {
	v := make([]byte, 16, 16+enr.SizeLimit)
	binary.BigEndian.PutUint64(v, uint64(updated.UnixNano()))
	binary.BigEndian.PutUint64(v[8:], n.Seq())
	rec, err := rlp.EncodeToBytes(n.Record())
	if err != nil {
		return nil, err
	}
	return append(v, rec...), nil
}

// recordSeq returns the sequence number in the value of a record key.
func recordSeq(v []byte) (uint64, bool) {
	if len(v) < 16 {
		return 0, false
	}
	return binary.BigEndian.Uint64(v[8:]), true
}

// decodeRecord parses the value of a record key; the node must have the
// ID it is stored under.
func decodeRecord(id enode.ID, v []byte) (*enode.Node, time.Time, error) {
	if len(v) < 16 {
		return nil, time.Time{}, errCorrupt
	}
	var r enr.Record
	if err := rlp.DecodeBytes(v[16:], &r); err != nil {
		return nil, time.Time{}, err
	}
	n, err := enode.New(storedScheme{}, &r)
	if err != nil {
		return nil, time.Time{}, err
	}
	if n.ID() != id {
		return nil, time.Time{}, errCorrupt
	}
	return n, decodeTime(v[:8]), nil
}

// storedScheme accepts the records read back from the database without
// checking their signatures again: they were checked before they were
// stored, and nodes known only by enode URL have none. It derives node IDs
// as their schemes do.
type storedScheme struct{}

func (storedScheme) Verify(*enr.Record, []byte) error { return nil }

func (storedScheme) NodeAddr(r *enr.Record) []byte {
	var scheme enr.ID
	if r.Load(&scheme) == nil && scheme == "null" {
		return enode.NullID{}.NodeAddr(r)
	}
	return enode.V4ID{}.NodeAddr(r)
}
