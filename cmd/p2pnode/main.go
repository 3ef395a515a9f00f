// Command p2pnode runs a devp2p node and offers the tools around one: node
// keys, node records, discovery v4 and v5 queries and crawls, and DNS node
// lists (EIP-1459). 'p2pnode help' lists the commands; 'p2pnode help CMD'
// or 'p2pnode CMD -h' shows one with its flags.
//
//	p2pnode [run] [flags]            run a node (flags and/or -config FILE, TOML)
//	p2pnode dumpconfig [flags]       print the node's effective configuration as TOML
//	p2pnode admin METHOD [PARAMS]    call a method of a running node's admin API
//	p2pnode attach                   talk to a running node's admin API at a prompt
//	p2pnode diagnose                 ask a running node why it has the peers it has
//	p2pnode key generate FILE        write a new node key to FILE
//	p2pnode key to-id FILE           print the node ID of the key in FILE
//	p2pnode key to-enode FILE        print its enode URL (-ip, -tcp, -udp)
//	p2pnode key to-enr FILE          print a record signed with it (-ip, -tcp, -udp, -seq)
//	p2pnode enr dump RECORD          print the fields of a node record
//	p2pnode discv4 ping|resolve NODE
//	p2pnode discv4 crawl FILE        crawl the network into nodes.json
//	p2pnode discv5 ping|resolve NODE
//	p2pnode discv5 lookup [ID]       look up the nodes closest to ID
//	p2pnode discv5 talk NODE PROTOCOL MESSAGE-HEX
//	p2pnode discv5 crawl FILE
//	p2pnode dns sign|to-txt|to-zonefile|sync ...
//
// The node's settings have the names of go-ethereum's flags where there is
// one (-nodekey, -maxpeers, -bootnodes, -nat, -nodiscover, -netrestrict,
// -discovery.v4, -discovery.v5), and the same names as keys of the config
// file; the key "log.level" is the key "level" of the table [log].
//
// 'p2pnode run -http 127.0.0.1:8545' serves the node's admin API (JSON-RPC,
// go-ethereum's admin_ methods), a dashboard and Prometheus metrics; the
// admin API is on a Unix socket too (-ipc), which admin, attach and
// diagnose find without flags.
//
// Errors name the flag or config key the user wrote, never a field of the
// library's types. A wrong command line exits with status 2 and a pointer
// to the help, any other error with status 1.
//
// The command line uses the standard library's flag package, and the
// config file a small TOML reader of its own (toml.go): the commands are
// few and plain, and a CLI framework or TOML library would put modules
// into the graph of everyone who builds the library (internal/modgraph
// checks that it stays as it is).
package main

import (
	"context"
	"fmt"
	"os"
)

func main() {
	err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr)
	if err == nil {
		return
	}
	fmt.Fprintln(os.Stderr, "p2pnode:", err)
	if hint := helpHint(err); hint != "" {
		fmt.Fprintln(os.Stderr, "p2pnode:", hint)
		os.Exit(2)
	}
	os.Exit(1)
}
