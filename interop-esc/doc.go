// Package interopesc holds the tests that run this library against
// go-ethereum v1.9.7, the p2p code inside Elastos ESC nodes. It is a
// separate Go module from interop/ (which pins a current go-ethereum) because
// one module can require only one version of go-ethereum, and so that users
// of the library never download either: only `make test` does.
//
// go-ethereum v1.9.7 has no go.mod of its own, so this module's go.mod pins
// the dependency versions of that era that still build with current Go:
// btcd v0.20.1-beta, goleveldb v1.0.0, goupnp v1.0.0 and go-nat-pmp v1.0.2.
// snappy cannot be held at v0.0.1 (v1.9.7's era): the library itself
// requires v1.0.0, which minimal version selection picks. v1.0.0 has the
// same API and block format, so v1.9.7's p2p code is unchanged on the wire.
//
// v1.9.7's crypto uses cgo (libsecp256k1, vendored in the module) unless
// CGO_ENABLED=0, where it falls back to btcd's btcec; `go test -race` needs
// cgo anyway, so the tests run with a C compiler and cgo on (the default).
//
// Subpackages:
//   - p2p: our p2p.Server against v1.9.7's p2p.Server, both directions,
//     messages from 1 byte to 10 MiB, disconnect reasons both ways.
//   - rlpx: the wire forms v1.9.7 uses and accepts, observed on the socket:
//     EIP-8 auth and ack, pre-EIP-8 auth answered by a pre-EIP-8 ack (by
//     v1.9.7 and by us), base protocol v5 with snappy, Disconnect as a list.
//     v1.9.7 has no separate rlpx package (its RLPx code is unexported inside
//     package p2p), so these tests talk to its p2p.Server.
package interopesc
