package main

import (
	"encoding/base64"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// eip778Record is the example record of EIP-778.
const eip778Record = "enr:-IS4QHCYrYZbAKWCBRlAy5zzaDZXJBGkcnh4MHcBFZntXNFrdvJjX04jRzjzCBOonrkTfj499SZuOh8R33Ls8RRcy5wBgmlkgnY0gmlwhH8AAAGJc2VjcDI1NmsxoQPKY0yuDUmstAHYpMa2_oxVtw0RW_QAdpzBQA8yWM0xOIN1ZHCCdl8"

// golden compares got with the file in testdata, or writes it with
// -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	file := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (run with -update to rewrite it):\n%s", file, got)
	}
}

func TestENRDump(t *testing.T) {
	out, _, err := runCmd(t, "enr", "dump", eip778Record)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "enrdump-eip778.txt", out)
	// The values EIP-778 gives.
	for _, want := range []string{
		"node ID    a448f24c6d18e575453db13171562b71999873db5b286df957af199ec94617f7\n",
		"seq        1\n", "id         v4\n", "ip         127.0.0.1\n", "udp        30303\n",
		"secp256k1  03ca634cae0d49acb401d8a4c6b6fe8c55b70d115bf400769cc1400f3258cd3138 (public key, compressed)\n",
		"signature  valid (v4)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q", want)
		}
	}

	// From a file, the same.
	file := filepath.Join(t.TempDir(), "record")
	os.WriteFile(file, []byte(eip778Record+"\n"), 0o644)
	if out2, _, err := runCmd(t, "enr", "dump", file); err != nil || out2 != out {
		t.Fatalf("from a file: %v\n%s", err, out2)
	}

	// An enode URL: its ID, address and key.
	out, _, err = runCmd(t, "enr", "dump", "enode://ca634cae0d49acb401d8a4c6b6fe8c55b70d115bf400769cc1400f3258cd31387574077f301b421bc84df7266c44e9e6d569fc56be00812904767bf5ccd1fc7f@127.0.0.1:30303?discport=30301")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "enrdump-enode.txt", out)

	// A record whose signature does not verify: shown, and an error.
	bin, _ := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(eip778Record, "enr:"))
	bin[10] ^= 1
	bad := "enr:" + base64.RawURLEncoding.EncodeToString(bin)
	out, _, err = runCmd(t, "enr", "dump", bad)
	if err == nil || !strings.Contains(err.Error(), "the record is not valid") || !strings.Contains(out, "signature  NOT VALID\n") || !strings.Contains(out, "udp        30303\n") {
		t.Fatalf("bad signature: %v\n%s", err, out)
	}

	// Other keys show as the hex of their value.
	if got := formatEntry("eth", []byte{0xc7, 0xc6, 0x84, 0xfc, 0x64, 0xec, 0x04, 0x80}); got != "0xc7c684fc64ec0480 (RLP)" {
		t.Errorf("unknown key: %s", got)
	}
	if got := formatEntry("tcp", []byte{0x83, 1, 2, 3}); got != "0x83010203 (RLP; not a valid tcp value)" {
		t.Errorf("bad tcp: %s", got)
	}

	for _, arg := range []string{"enr:", "enr:!!", "/nonexistent/file", "enode://nonsense"} {
		if _, _, err := runCmd(t, "enr", "dump", arg); err == nil {
			t.Errorf("%q: no error", arg)
		}
	}
}
