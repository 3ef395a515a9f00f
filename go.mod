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

require (
	gitlab.com/yawning/secp256k1-voi v0.0.0-20230925100816-f2616030848b
	gitlab.com/yawning/tuplehash v0.0.0-20230713102510-df83abbf9a02 // indirect
)
