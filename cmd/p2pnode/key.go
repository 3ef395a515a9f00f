package main

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"strconv"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/enr"
)

// A node key file holds the secret key as 64 hex digits (go-ethereum's
// nodekey format), readable by its owner only. The key is the node's
// identity: its node ID is the Keccak-256 hash of the public key.

func keyCommand() *command {
	return &command{
		name:    "key",
		summary: "make node keys and show the identity they give",
		doc: `A node key file holds the secret key as 64 hex digits, as go-ethereum's
nodekey file does (geth --nodekey, devp2p key generate). The key is the
node's identity: keep the file secret. The commands print the public
identity only, never the key.`,
		subs: []*command{
			{
				name: "generate", args: "FILE", minArgs: 1, maxArgs: 1,
				summary: "write a new node key to FILE (mode 0600; an existing FILE is kept)",
				setup:   noFlags(keyGenerate),
			},
			{
				name: "to-id", args: "FILE", minArgs: 1, maxArgs: 1,
				summary: "print the node ID of the key in FILE",
				setup:   noFlags(keyToID),
			},
			{
				name: "to-enode", args: "FILE", minArgs: 1, maxArgs: 1,
				summary: "print the enode URL of the key in FILE, with the address given",
				setup:   keyToEnode,
			},
			{
				name: "to-enr", args: "FILE", minArgs: 1, maxArgs: 1,
				summary: "print a node record signed with the key in FILE, with the address given",
				doc: `The record is what a node with this key and address would announce
(keys id, secp256k1, ip or ip6, tcp, udp); paste it into -bootnodes or
'p2pnode enr dump'.`,
				setup: keyToENR,
			},
		},
	}
}

// noFlags is the setup of a command without flags.
func noFlags(fn runFunc) func(*flag.FlagSet) runFunc {
	return func(*flag.FlagSet) runFunc { return fn }
}

func loadKey(file string) (*ecdsa.PrivateKey, error) {
	key, err := crypto.LoadECDSA(file)
	if err != nil {
		return nil, fmt.Errorf("cannot read the node key: %w", err)
	}
	return key, nil
}

func keyGenerate(_ context.Context, e *env, args []string) error {
	file := args[0]
	if _, err := os.Stat(file); err == nil {
		return fmt.Errorf("%s exists; not overwriting a node key", file)
	}
	key, err := crypto.GenerateKey()
	if err != nil {
		return err
	}
	if err := crypto.SaveECDSA(file, key); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote the private key to %s; its node ID is %s\n", file, enode.PubkeyToIDV4(&key.PublicKey))
	return nil
}

func keyToID(_ context.Context, e *env, args []string) error {
	key, err := loadKey(args[0])
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "node ID:", enode.PubkeyToIDV4(&key.PublicKey))
	return nil
}

// endpointFlags are the address flags of to-enode and to-enr.
type endpointFlags struct {
	ip       ipFlag
	tcp, udp portFlag
}

func (f *endpointFlags) define(fs *flag.FlagSet) {
	f.ip = ipFlag(netip.AddrFrom4([4]byte{127, 0, 0, 1}))
	f.tcp = portFlag{port: 30303, set: true}
	fs.Var(&f.ip, "ip", "`IP` address of the node (IPv4 or IPv6)")
	fs.Var(&f.tcp, "tcp", "TCP `PORT` (RLPx)")
	fs.Var(&f.udp, "udp", "UDP `PORT` (discovery) (default: the TCP port)")
}

func (f *endpointFlags) ports() (tcp, udp int) {
	tcp, udp = f.tcp.port, f.udp.port
	if !f.udp.set {
		udp = tcp
	}
	return tcp, udp
}

func keyToEnode(fs *flag.FlagSet) runFunc {
	var ep endpointFlags
	ep.define(fs)
	return func(_ context.Context, e *env, args []string) error {
		key, err := loadKey(args[0])
		if err != nil {
			return err
		}
		tcp, udp := ep.ports()
		n := enode.NewV4(&key.PublicKey, netip.Addr(ep.ip).AsSlice(), tcp, udp)
		fmt.Fprintln(e.stdout, "enode URL:", n.URLv4())
		return nil
	}
}

func keyToENR(fs *flag.FlagSet) runFunc {
	var ep endpointFlags
	ep.define(fs)
	seq := fs.Uint64("seq", 1, "sequence `NUMBER` of the record")
	return func(_ context.Context, e *env, args []string) error {
		key, err := loadKey(args[0])
		if err != nil {
			return err
		}
		tcp, udp := ep.ports()
		var r enr.Record
		r.SetSeq(*seq)
		r.Set(enr.IP(netip.Addr(ep.ip).AsSlice()))
		if tcp != 0 {
			r.Set(enr.TCP(tcp))
		}
		if udp != 0 {
			r.Set(enr.UDP(udp))
		}
		if err := enode.SignV4(&r, key); err != nil {
			return err
		}
		n, err := enode.New(enode.ValidSchemes, &r)
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, "node record:", n.String())
		return nil
	}
}

// ipFlag is an IP address flag.
type ipFlag netip.Addr

func (f *ipFlag) String() string { return netip.Addr(*f).String() }

func (f *ipFlag) Set(s string) error {
	ip, err := netip.ParseAddr(s)
	if err != nil || ip.Zone() != "" {
		return errors.New("not an IP address")
	}
	*f = ipFlag(ip.Unmap())
	return nil
}

// portFlag is a port number flag; set tells whether it has a value.
type portFlag struct {
	port int
	set  bool
}

func (f *portFlag) String() string {
	if !f.set {
		return ""
	}
	return strconv.Itoa(f.port)
}

func (f *portFlag) Set(s string) error {
	p, err := strconv.ParseUint(s, 10, 16)
	if err != nil {
		return errors.New("not a port number (0-65535)")
	}
	f.port, f.set = int(p), true
	return nil
}
