// Package netutil holds network helpers of the devp2p stack that need no
// sockets. IPTracker predicts the local node's external endpoint from what
// other nodes say they see (the "to" field of discovery PONGs); enode.LocalNode
// uses it to put that endpoint into the node record.
package netutil
