module github.com/seednet/p2p

go 1.26.0

require (
	github.com/decred/dcrd/dcrec/secp256k1/v4 v4.4.1
	github.com/golang/snappy v1.0.0
	go.uber.org/goleak v1.3.0
	golang.org/x/crypto v0.59.0
)

require golang.org/x/sys v0.50.0

require go.etcd.io/bbolt v1.4.3
