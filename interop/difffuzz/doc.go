// Package difffuzz fuzzes our decoders against go-ethereum's (v1.17.10):
// every target feeds the same bytes to both libraries and fails when one
// accepts what the other rejects, when both accept but decode different
// values, or when the two encoders turn the same value into different
// bytes. It holds no code but its tests.
//
// Targets (each FuzzX in this package's tests, seeds in testdata/fuzz/FuzzX
// and in f.Add):
//
//	FuzzRLPDecode   rlp: DecodeBytes and Decode into 21 shapes, Split*, CountValues
//	FuzzRLPEncode   rlp: encode a value built from the input, then FuzzRLPDecode's checks
//	FuzzRLPxFrames  rlpx: the same frame stream read by our Conn and geth's, with the
//	                same session secrets; messages written by each read by the other
//	FuzzV4Decode    discover/v4wire: Decode (kind, fields, sender key, hash)
//	FuzzENRDecode   enr/enode: record decoding, v4 signature, key/value pairs, node ID
//	FuzzV5Decode    discover/v5wire: Codec.Decode of packets to a known node
//	FuzzV5Message   discover/v5wire: DecodeMessage of decrypted message bodies
//
// Under plain go test the targets run their seeds only. For a campaign,
// scripts/difffuzz.sh DURATION runs each target for DURATION.
//
// # Known differences
//
// Where we differ from go-ethereum on purpose, the target checks the
// difference narrowly (the condition below, and agreement once it is taken
// away) instead of ignoring the input:
//
//	ID  Where                     Input                          Ours               geth               Why
//	D1  rlp.SplitListValues: a list followed by more bytes. Ours: ErrMoreThanOneValue; geth:
//	    the list's elements, the rest ignored. Ours documents it: trailing bytes are
//	    an error. Checked: geth's result equals ours on the list alone.
//	D2  enode.Parse of enode:// URLs and bare keys (not enr: records): ours rejects
//	    an empty host, a host that is neither an IP literal nor a DNS name,
//	    non-IPv6 text in brackets, and a path or fragment; geth takes whatever
//	    net/url parses (enode://<key>@:0 is a node without IP). Checked: what
//	    ours accepts, geth accepts with the same ID, key, endpoint and seq.
package difffuzz
