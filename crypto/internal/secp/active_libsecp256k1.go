//go:build libsecp256k1

package secp

// Active is the backend package crypto uses in this build. With the build tag
// libsecp256k1 it is the cgo LibSecp256k1 backend.
type Active = LibSecp256k1
