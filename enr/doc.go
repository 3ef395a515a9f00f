// Package enr implements Ethereum Node Records (EIP-778), the signed,
// versioned key/value records through which devp2p nodes publish their
// identity and network endpoints.
//
// # Wire format
//
// A record is the RLP list
//
//	[signature, seq, k1, v1, k2, v2, ...]
//
// where seq is a 64-bit sequence number the owner increases on every change,
// each key is an RLP string and each value any RLP value. Keys are sorted
// byte-wise and unique. The signature covers the content list
// [seq, k1, v1, ...] and is made and checked by the record's identity scheme,
// named by the "id" entry. The encoded record must not exceed SizeLimit (300)
// bytes. The text form, "enr:" followed by the unpadded URL-safe base64 of the
// encoding, is implemented by package enode (enode.Parse and Node.String).
//
// # How it fits
//
// This package knows the format and the predefined entries (ID, IPv4, IPv6,
// their net/netip forms IPv4Addr and IPv6Addr, IP for an address of either
// family, TCP, TCP6, UDP, UDP6, QUIC, QUIC6 and Secp256k1) but no identity
// scheme.
// Package enode provides the "v4" scheme of EIP-778 (enode.V4ID,
// enode.SignV4, enode.ValidSchemes), builds Nodes from verified records and
// signs the local node's record (enode.LocalNode). Discovery carries records
// in its ENRResponse packets (EIP-868).
//
// # What callers must know
//
//   - Decoding (rlp.DecodeBytes or rlp.Decode into a *Record) checks the
//     structure strictly: size limit, canonical RLP, string keys, sorted
//     unique keys, complete pairs. It does not check the signature, because
//     that needs a set of identity schemes: call VerifySignature, or build an
//     enode.Node with enode.New, which does.
//   - A decoded record re-encodes to exactly the bytes it came from.
//   - Set and SetSeq drop the signature. A record without a signature cannot
//     be encoded (ErrNotSigned); sign it again with the identity scheme's
//     signing function (enode.SignV4) or SetSig.
//   - Load reports a missing key as a *KeyError wrapping ErrNotFound
//     (IsNotFound tells), and a value that does not decode into the entry as
//     a *KeyError wrapping the decoding error.
//   - Errors are sentinels and typed errors for errors.Is and errors.As.
//     Nothing in this package panics on input from the network; Set panics
//     only when given an entry type whose value cannot be RLP-encoded, a
//     programming error.
//   - A Record is a value without internal locking: share it between
//     goroutines only for reading.
package enr
