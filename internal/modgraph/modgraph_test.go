package main

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// allowed are the modules that an importer of github.com/seednet/p2p may
// find in its module graph ('go list -m all'): the root module's
// requirements and the modules that their go.mod files require in turn.
// A module that is not here means that the root go.mod gained a
// requirement (or a new version of one with new requirements): if a tool
// of the repository needs it, give the tool a module of its own; if the
// library needs it, add it here with the reason.
var allowed = map[string]string{
	// This module and the library.
	"github.com/seednet/p2p/internal/modgraph": "this module",
	"github.com/seednet/p2p":                   "the library",

	// The root module's requirements.
	"github.com/decred/dcrd/dcrec/secp256k1/v4": "root: secp256k1 in pure Go (package crypto)",
	"github.com/golang/snappy":                  "root: RLPx message compression (EIP-706)",
	"go.uber.org/goleak":                        "root: goroutine-leak checks in the tests",
	"golang.org/x/crypto":                       "root: Keccak-256 and more (package crypto)",
	"golang.org/x/sys":                          "root: system calls",
	"go.etcd.io/bbolt":                          "root: the node database (package nodedb)",
	"gitlab.com/yawning/secp256k1-voi":          "root: secp256k1 (package crypto)",
	"gitlab.com/yawning/tuplehash":              "root: required by secp256k1-voi",

	// Requirements of those.
	"github.com/decred/dcrd/crypto/blake256": "dcrd secp256k1",
	"github.com/davecgh/go-spew":             "bbolt, secp256k1-voi, tuplehash (testify)",
	"github.com/pmezard/go-difflib":          "bbolt, secp256k1-voi, tuplehash (testify)",
	"github.com/stretchr/testify":            "bbolt, secp256k1-voi, tuplehash",
	"gopkg.in/yaml.v3":                       "bbolt, secp256k1-voi, tuplehash (testify)",
	"github.com/inconshreveable/mousetrap":   "bbolt (cobra)",
	"github.com/spf13/cobra":                 "bbolt (its command-line tool)",
	"github.com/spf13/pflag":                 "bbolt (cobra)",
	"go.etcd.io/gofail":                      "bbolt (failpoints)",
	"golang.org/x/sync":                      "bbolt",
	"golang.org/x/net":                       "x/crypto",
	"golang.org/x/term":                      "x/crypto",
	"golang.org/x/text":                      "x/crypto",
}

// goCmd runs the go command in this module, offline: the modules are in
// the cache once the root module has been built.
func goCmd(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), "GOPROXY=off", "GOWORK=off", "GOFLAGS=-mod=readonly")
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("go %s: %v\n%s\nIf go.sum lacks entries or go.mod needs updates after a change of the root go.mod, run 'go mod tidy' in internal/modgraph and check what it adds.",
			strings.Join(args, " "), err, stderr)
	}
	return string(out)
}

func TestModuleGraph(t *testing.T) {
	mods := strings.Fields(goCmd(t, "list", "-m", "-f", "{{.Path}}", "all"))
	if !slices.Contains(mods, "github.com/seednet/p2p") {
		t.Fatalf("the library is not in the graph: %q", mods)
	}
	var graph []string
	for _, m := range mods {
		if _, ok := allowed[m]; ok {
			continue
		}
		if graph == nil {
			graph = strings.Split(goCmd(t, "mod", "graph"), "\n")
		}
		var by []string
		for _, edge := range graph {
			from, to, ok := strings.Cut(edge, " ")
			if ok && strings.HasPrefix(to, m+"@") {
				by = append(by, from)
			}
		}
		t.Errorf("module %s is in the graph of every importer of github.com/seednet/p2p, required by %s; "+
			"keep the tools' dependencies out of the root module, or add it to allowed with the reason", m, strings.Join(by, ", "))
	}
	for m := range allowed {
		if !slices.Contains(mods, m) {
			t.Logf("%s is allowed but no longer in the graph", m)
		}
	}
}
