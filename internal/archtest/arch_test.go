package archtest

import (
	"bufio"
	"errors"
	"fmt"
	"go/ast"
	"go/build/constraint"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// pkgInfo is what the tests know of one package of the module.
type pkgInfo struct {
	rel         string          // path relative to the module: "" for the root, "rlp", "crypto/ecies"
	imports     map[string]bool // module packages (rel paths) that non-test files import
	testutilUse []string        // non-test files that import internal/testutil
	hasDoc      bool            // a non-test file has a package doc comment
	hasCode     bool            // the package has non-test files
}

// rule says that the packages matching from may depend (directly or
// transitively, through non-test files) only on module packages matching
// only, if only is not nil, and on none matching forbid.
type rule struct {
	why    string
	from   []string
	only   []string
	forbid []string
}

// Patterns are paths relative to the module: "" is the root package, "x" is
// package x, "x/..." is x and every package below it.
var rules = []rule{
	{why: "rlp is the bottom layer", from: []string{"rlp"}, only: []string{}},
	{why: "crypto is self-contained", from: []string{"crypto/..."}, only: []string{"crypto/..."}},
	{why: "test helpers must import nothing that could import them", from: []string{"internal/testutil"}, only: []string{"crypto/..."}},
	{why: "node records and identities sit below discovery and the server", from: []string{"enr/...", "enode/..."}, forbid: []string{"", "discover/..."}},
	{why: "the transport sits below discovery and the server", from: []string{"rlpx/..."}, forbid: []string{"", "discover/..."}},
	{why: "the node database sits below the server", from: []string{"nodedb/..."}, forbid: []string{""}},
	{why: "discovery sits below the server", from: []string{"discover/..."}, forbid: []string{""}},
	{why: "a wire encoding has no storage and no protocol state", from: []string{"discover/v5wire/..."}, forbid: []string{"", "nodedb/...", "discover"}},
	{why: "DNS discovery and NAT traversal sit below the server", from: []string{"dnsdisc/...", "nat/..."}, forbid: []string{""}},
}

func match(pattern, rel string) bool {
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return rel == base || strings.HasPrefix(rel, base+"/")
	}
	return rel == pattern
}

func matchAny(patterns []string, rel string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool { return match(p, rel) })
}

func display(module, rel string) string {
	if rel == "" {
		return module
	}
	return module + "/" + rel
}

// checkRules returns a message for every dependency that breaks a rule,
// with the chain of imports that leads to it.
func checkRules(module string, pkgs map[string]*pkgInfo, rules []rule) []string {
	var problems []string
	for _, rel := range sortedKeys(pkgs) {
		parents := reach(pkgs, rel)
		for _, dep := range sortedKeys(parents) {
			for _, r := range rules {
				if !matchAny(r.from, rel) {
					continue
				}
				bad := matchAny(r.forbid, dep) || (r.only != nil && !matchAny(r.only, dep))
				if !bad {
					continue
				}
				problems = append(problems, fmt.Sprintf("%s depends on %s (%s): %s",
					display(module, rel), display(module, dep), chain(module, rel, dep, parents), r.why))
			}
		}
	}
	return problems
}

// reach returns the module packages that rel depends on, each with the
// package that imports it on a shortest chain from rel.
func reach(pkgs map[string]*pkgInfo, rel string) map[string]string {
	parents := make(map[string]string)
	queue := []string{rel}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		p := pkgs[cur]
		if p == nil {
			continue
		}
		for _, imp := range sortedKeys(p.imports) {
			if _, seen := parents[imp]; seen || imp == rel {
				continue
			}
			parents[imp] = cur
			queue = append(queue, imp)
		}
	}
	return parents
}

func chain(module, from, to string, parents map[string]string) string {
	links := []string{display(module, to)}
	for cur := to; cur != from; {
		cur = parents[cur]
		links = append(links, display(module, cur))
	}
	slices.Reverse(links)
	if len(links) == 2 {
		return "imported directly"
	}
	return "via " + strings.Join(links, " -> ")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// loadModule finds the module root above the working directory and parses
// the import clauses of every package in it.
func loadModule(t *testing.T) (string, map[string]*pkgInfo) {
	t.Helper()
	root, module, err := findModule()
	if err != nil {
		t.Fatal(err)
	}
	pkgs, err := parseModule(root, module)
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) < 10 || pkgs["rlp"] == nil || pkgs[""] == nil {
		t.Fatalf("found only %d packages in %s: the walk is broken", len(pkgs), root)
	}
	return module, pkgs
}

func findModule() (root, module string, err error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", "", err
	}
	for {
		if module, err := modulePath(filepath.Join(dir, "go.mod")); err == nil {
			if module == "github.com/seednet/p2p" {
				return dir, module, nil
			}
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", "", err
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", "", errors.New("no go.mod of github.com/seednet/p2p above the working directory")
		}
		dir = parent
	}
}

// modulePath reads the module line of a go.mod file.
func modulePath(gomod string) (string, error) {
	f, err := os.Open(gomod)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`), nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	return "", fmt.Errorf("%s has no module line", gomod)
}

func parseModule(root, module string) (map[string]*pkgInfo, error) {
	pkgs := make(map[string]*pkgInfo)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if p != root {
			if name == "testdata" || name == "vendor" || strings.HasPrefix(name, "_") || strings.HasPrefix(name, ".") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil {
				return filepath.SkipDir // another module
			}
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel == "." {
			rel = ""
		}
		pkg, err := parseDir(p, rel, module)
		if err != nil {
			return err
		}
		if pkg != nil {
			pkgs[rel] = pkg
		}
		return nil
	})
	return pkgs, err
}

// parseDir parses the Go files of one directory; it returns nil if there
// are none.
func parseDir(dir, rel, module string) (*pkgInfo, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var pkg *pkgInfo
	fset := token.NewFileSet()
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") {
			continue
		}
		file := filepath.Join(dir, e.Name())
		f, err := parser.ParseFile(fset, file, nil, parser.ImportsOnly|parser.ParseComments)
		if err != nil {
			return nil, err
		}
		if ignored(f) {
			continue
		}
		if pkg == nil {
			pkg = &pkgInfo{rel: rel, imports: make(map[string]bool)}
		}
		if strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		pkg.hasCode = true
		pkg.hasDoc = pkg.hasDoc || f.Doc != nil
		for _, imp := range f.Imports {
			ip, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", file, err)
			}
			if ip == module+"/internal/testutil" {
				pkg.testutilUse = append(pkg.testutilUse, path.Join(rel, e.Name()))
			}
			switch {
			case ip == module:
				pkg.imports[""] = true
			case strings.HasPrefix(ip, module+"/"):
				pkg.imports[strings.TrimPrefix(ip, module+"/")] = true
			}
		}
	}
	return pkg, nil
}

// ignored reports whether a build constraint of f keeps it out of builds
// unless the tag "ignore" is set, as for a generator (//go:build ignore).
// Other tags count as set, so that files for any platform are checked.
func ignored(f *ast.File) bool {
	for _, cg := range f.Comments {
		if cg.Pos() > f.Package {
			break
		}
		for _, c := range cg.List {
			expr, err := constraint.Parse(c.Text)
			if err != nil {
				continue
			}
			with := expr.Eval(func(string) bool { return true })
			without := expr.Eval(func(tag string) bool { return tag != "ignore" })
			if with && !without {
				return true
			}
		}
	}
	return false
}

// TestDependencies checks the layering rules of the package doc.
func TestDependencies(t *testing.T) {
	module, pkgs := loadModule(t)
	t.Logf("checked %d packages", len(pkgs))
	for _, p := range checkRules(module, pkgs, rules) {
		t.Error(p)
	}
}

// TestTestutilOnlyInTests checks that no non-test file imports
// internal/testutil.
func TestTestutilOnlyInTests(t *testing.T) {
	_, pkgs := loadModule(t)
	for _, rel := range sortedKeys(pkgs) {
		for _, file := range pkgs[rel].testutilUse {
			t.Errorf("%s imports internal/testutil, which only tests may use", file)
		}
	}
}

// TestPackageDocs checks that every package, commands and examples
// included, has a package doc comment.
func TestPackageDocs(t *testing.T) {
	module, pkgs := loadModule(t)
	var missing []string
	for _, rel := range sortedKeys(pkgs) {
		if p := pkgs[rel]; p.hasCode && !p.hasDoc {
			missing = append(missing, display(module, rel))
		}
	}
	if len(missing) > 0 {
		t.Errorf("packages without a package doc comment (write one, in doc.go for a big package):\n\t%s", strings.Join(missing, "\n\t"))
	}
}

// TestRulesCatchViolations runs the checker on a made-up module, so that a
// broken checker cannot pass the real one silently.
func TestRulesCatchViolations(t *testing.T) {
	graph := func(edges map[string][]string) map[string]*pkgInfo {
		pkgs := make(map[string]*pkgInfo)
		for from, tos := range edges {
			p := &pkgInfo{rel: from, imports: make(map[string]bool)}
			for _, to := range tos {
				p.imports[to] = true
			}
			pkgs[from] = p
		}
		return pkgs
	}
	tests := []struct {
		name  string
		edges map[string][]string
		want  []string // substrings, one per expected problem
	}{
		{
			name:  "clean",
			edges: map[string][]string{"": {"discover", "rlpx"}, "discover": {"enode", "discover/v4wire"}, "enode": {"enr", "crypto"}, "enr": {"rlp"}, "rlp": nil, "crypto": {"crypto/internal/secp"}},
		},
		{
			name:  "rlp imports the module",
			edges: map[string][]string{"rlp": {"crypto"}, "crypto": nil},
			want:  []string{"m/rlp depends on m/crypto (imported directly): rlp is the bottom layer"},
		},
		{
			name:  "transitive",
			edges: map[string][]string{"enode": {"enr"}, "enr": {"discover/v4wire"}, "discover/v4wire": nil},
			want: []string{
				"m/enode depends on m/discover/v4wire (via m/enode -> m/enr -> m/discover/v4wire)",
				"m/enr depends on m/discover/v4wire (imported directly)",
			},
		},
		{
			name:  "crypto reaches outside",
			edges: map[string][]string{"crypto/ecies": {"crypto"}, "crypto": {"rlp"}, "rlp": nil},
			want:  []string{"m/crypto depends on m/rlp (imported directly)", "m/crypto/ecies depends on m/rlp (via m/crypto/ecies -> m/crypto -> m/rlp)"},
		},
		{
			name:  "future package",
			edges: map[string][]string{"nat": {""}, "": nil, "discover/v5wire": {"discover"}, "discover": nil},
			want:  []string{"m/discover/v5wire depends on m/discover (imported directly)", "m/nat depends on m (imported directly)"},
		},
		{
			name:  "cycle",
			edges: map[string][]string{"discover": {"discover/v4wire"}, "discover/v4wire": {"discover", ""}, "": {"discover"}},
			want:  []string{"m/discover depends on m (via m/discover -> m/discover/v4wire -> m)", "m/discover/v4wire depends on m (imported directly)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := checkRules("m", graph(tt.edges), rules)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d problems, want %d:\n%s", len(got), len(tt.want), strings.Join(got, "\n"))
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("problem %d: %q does not contain %q", i, got[i], w)
				}
			}
		})
	}
}

func TestIgnoredFiles(t *testing.T) {
	tests := []struct {
		src  string
		want bool
	}{
		{"package x", false},
		{"//go:build ignore\n\npackage main", true},
		{"//go:build ignore && linux\n\npackage main", true},
		{"//go:build linux && !ignore\n\npackage x", false},
		{"//go:build windows\n\npackage x", false},
		{"//go:build !windows\n\npackage x", false},
		{"// Package x does things.\npackage x", false},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			f, err := parser.ParseFile(token.NewFileSet(), "x.go", tt.src, parser.ImportsOnly|parser.ParseComments)
			if err != nil {
				t.Fatal(err)
			}
			if got := ignored(f); got != tt.want {
				t.Fatalf("ignored = %v, want %v", got, tt.want)
			}
		})
	}
}
