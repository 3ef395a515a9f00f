// Package discv5 holds tests of our discovery v5 (discover.ListenV5)
// against go-ethereum's (v1.17.10), both started directly on loopback UDP
// sockets: requests in both directions, and a mixed network.
package discv5
