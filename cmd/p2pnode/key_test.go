package main

import (
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/enr"
)

// cutLabel returns what follows label in out's only line.
func cutLabel(t *testing.T, out, label string) string {
	t.Helper()
	v, ok := strings.CutPrefix(out, label)
	if !ok || strings.Count(out, "\n") != 1 {
		t.Fatalf("output %q, want one line starting %q", out, label)
	}
	return strings.TrimSpace(v)
}

func TestKeyCommands(t *testing.T) {
	file := filepath.Join(t.TempDir(), "node.key")
	out, _, err := runCmd(t, "key", "generate", file)
	if err != nil {
		t.Fatal(err)
	}
	id := cutLabel(t, out, "wrote the private key to "+file+"; its node ID is ")
	fi, err := os.Stat(file)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	key, err := crypto.LoadECDSA(file)
	if err != nil {
		t.Fatal(err)
	}
	if secret := hex.EncodeToString(crypto.FromECDSA(key)); strings.Contains(out, secret) {
		t.Fatal("generate printed the private key")
	}
	if want := enode.PubkeyToIDV4(&key.PublicKey).String(); id != want {
		t.Fatalf("generate says ID %s, the key's is %s", id, want)
	}
	if _, _, err := runCmd(t, "key", "generate", file); err == nil || !strings.Contains(err.Error(), "not overwriting") {
		t.Fatalf("generate over an existing key: %v", err)
	}

	out, _, err = runCmd(t, "key", "to-id", file)
	if err != nil {
		t.Fatal(err)
	}
	if got := cutLabel(t, out, "node ID: "); got != id {
		t.Fatalf("to-id: %s, want %s", got, id)
	}

	for _, tt := range []struct {
		args     []string
		ip       string
		tcp, udp int
	}{
		{nil, "127.0.0.1", 30303, 30303},
		{[]string{"-tcp", "30305"}, "127.0.0.1", 30305, 30305},
		{[]string{"-ip", "192.0.2.1", "-tcp", "1234", "-udp", "5678"}, "192.0.2.1", 1234, 5678},
		{[]string{"-ip", "2001:db8::1", "-udp", "0"}, "2001:db8::1", 30303, 0},
	} {
		out, _, err := runCmd(t, append([]string{"key", "to-enode", file}, tt.args...)...)
		if err != nil {
			t.Fatal(err)
		}
		n, err := enode.ParseV4(cutLabel(t, out, "enode URL: "))
		if err != nil {
			t.Fatal(err)
		}
		if n.ID().String() != id || n.IPAddr().String() != tt.ip || n.TCP() != tt.tcp || n.UDP() != tt.udp {
			t.Errorf("to-enode %q: %s", tt.args, n.URLv4())
		}

		out, _, err = runCmd(t, append([]string{"key", "to-enr", file, "-seq", "7"}, tt.args...)...)
		if err != nil {
			t.Fatal(err)
		}
		rec, err := enode.Parse(enode.ValidSchemes, cutLabel(t, out, "node record: "))
		if err != nil {
			t.Fatal(err)
		}
		var udp enr.UDP
		udpErr := rec.Load(&udp)
		if rec.ID().String() != id || rec.Seq() != 7 || rec.IPAddr().String() != tt.ip || rec.TCP() != tt.tcp ||
			int(udp) != tt.udp || (tt.udp == 0) != enr.IsNotFound(udpErr) {
			t.Errorf("to-enr %q: %s", tt.args, rec.URLv4())
		}
	}
}

func TestKeyBadArguments(t *testing.T) {
	file := filepath.Join(t.TempDir(), "node.key")
	if _, _, err := runCmd(t, "key", "generate", file); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"key"}, "'p2pnode key' needs a subcommand: generate, to-id, to-enode, to-enr"},
		{[]string{"key", "rotate", "x"}, "unknown command 'p2pnode key rotate'"},
		{[]string{"key", "to-enode", "/nonexistent/key"}, "cannot read the node key"},
		{[]string{"key", "to-enode", file, "-tcp", "70000"}, `invalid value "70000" for flag -tcp: not a port number`},
		{[]string{"key", "to-enr", file, "-ip", "1.2.3"}, `invalid value "1.2.3" for flag -ip: not an IP address`},
		{[]string{"key", "to-id", file, "extra"}, `unexpected argument "extra"`},
		{[]string{"key", "to-id"}, "missing arguments (usage: p2pnode key to-id FILE)"},
	} {
		_, _, err := runCmd(t, tt.args...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want %q", tt.args, err, tt.want)
		}
	}
}
