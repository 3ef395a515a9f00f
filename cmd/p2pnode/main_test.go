package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/enode"
)

func TestKeyCommands(t *testing.T) {
	file := filepath.Join(t.TempDir(), "node.key")
	var out bytes.Buffer
	if err := run([]string{"key", "generate", file}, &out, &out); err != nil {
		t.Fatal(err)
	}
	id := strings.TrimSpace(out.String())
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	if err := run([]string{"key", "generate", file}, &out, &out); err == nil {
		t.Fatal("overwrote an existing key")
	}
	out.Reset()
	if err := run([]string{"key", "to-enode", file}, &out, &out); err != nil {
		t.Fatal(err)
	}
	n, err := enode.ParseV4(strings.TrimSpace(out.String()))
	if err != nil {
		t.Fatal(err)
	}
	if n.ID().String() != id {
		t.Fatalf("to-enode gives ID %v, generate printed %v", n.ID(), id)
	}
	key, _ := crypto.LoadECDSA(file)
	if !n.Pubkey().Equal(&key.PublicKey) {
		t.Fatal("wrong key in URL")
	}
}

func TestBadArguments(t *testing.T) {
	for _, args := range [][]string{
		{"key"},
		{"key", "rotate", "x"},
		{"key", "to-enode", "/nonexistent/key"},
		{"-maxpeers", "x"},
		{"-static", "enode://nonsense"},
		{"-verbosity", "loud"},
		{"extra"},
	} {
		var out bytes.Buffer
		if err := run(args, &out, &out); err == nil {
			t.Errorf("%q: no error", args)
		}
	}
}

func TestNewServer(t *testing.T) {
	c, err := parseNodeFlags([]string{"-listen", "127.0.0.1:0", "-maxpeers", "3", "-nodiscover", "-static",
		"enode://1dd9d65c4552b5eb43d5ad55a2ee3f56c6cbc1c64a5c8d659f51fcd51bace24351232b8d7821617d2b29b54b81cdefb9b3e9c37d7fd5f63270bcc9e1a6f6a439@127.0.0.1:30303"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := newServer(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if srv.MaxPeers != 3 || !srv.NoDiscovery || len(srv.StaticNodes) != 1 || srv.PrivateKey == nil {
		t.Fatalf("server: %+v", srv)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
}

// TestDiscv4Ping pings a running server over discovery v4.
func TestDiscv4Ping(t *testing.T) {
	c, err := parseNodeFlags([]string{"-listen", "127.0.0.1:0"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := newServer(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	var out bytes.Buffer
	if err := run([]string{"discv4", "ping", srv.Self().String()}, &out, &out); err != nil {
		t.Fatal(err, out.String())
	}
	if !strings.Contains(out.String(), "pong from") || !strings.Contains(out.String(), "record: enr:") {
		t.Fatalf("output: %s", out.String())
	}
	t.Log(out.String())
}
