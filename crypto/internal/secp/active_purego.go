//go:build !libsecp256k1

package secp

// Active is the backend package crypto uses in this build. Without the build
// tag libsecp256k1 it is the pure-Go Voi backend.
type Active = Voi
