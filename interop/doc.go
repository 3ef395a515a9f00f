// Package interop holds the tests that run this library against
// go-ethereum. It is a separate Go module so that users of the library never
// download go-ethereum: only `make test` (through this module's tests) does.
//
// Each subpackage pairs one of our components with go-ethereum's
// counterpart over real loopback sockets.
package interop
