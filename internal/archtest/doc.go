// Package archtest holds the architecture tests of the module: they parse
// the import clauses of every package (with go/parser, without building
// anything) and fail when a package depends, directly or through others, on
// one its layer must not use, or when a package has no doc comment.
//
// The layers, from the bottom:
//
//   - rlp imports nothing of the module.
//   - crypto/... (crypto, its internal backends and crypto/ecies) imports
//     only crypto/...
//   - enr and enode (records, node identities) must not depend on discovery
//     or on the root package p2p; rlpx (the encrypted transport) neither.
//   - nodedb/... must not depend on the root package.
//   - discover/... must not depend on the root package; discover/v5wire (a
//     wire encoding, no sockets or state) also not on nodedb or on package
//     discover itself.
//   - dnsdisc/... and nat/..., when they exist, must not depend on the root
//     package.
//   - internal/testutil imports only crypto/..., and only test files import
//     it.
//
// Only non-test files count for the dependency rules: tests may use what
// they like, such as nodedb/nodedbtest. Rules for packages that do not exist
// yet hold as soon as they appear. The separate modules interop/,
// interop-esc/ and bench/ (each with its own go.mod), testdata directories
// and directories whose name starts with "_" or "." are not part of the
// module's packages and are skipped.
package archtest
