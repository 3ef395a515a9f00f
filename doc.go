// Package p2p is devp2p-compatible peer-to-peer networking for Go.
//
// It speaks the same wire protocols as go-ethereum (RLPx, the devp2p base
// protocol, discovery, ENR) in pure Go, with a small module graph and no
// global state. The packages below it are usable on their own:
//
//   - rlp: the Recursive Length Prefix encoding.
//   - crypto: secp256k1 keys and signatures, Keccak-256, ECDH; crypto/ecies.
//   - rlpx: the encrypted, authenticated TCP transport.
//
// The Server, Peer and Protocol types of this package arrive with the server.
package p2p
