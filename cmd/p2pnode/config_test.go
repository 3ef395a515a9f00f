package main

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParseTOML(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		want     map[string]any
	}{
		{"empty", "", map[string]any{}},
		{"comments and blank lines", "# a comment\n\n   # another\r\n", map[string]any{}},
		{"scalars", "a = \"x\"\nb = 'C:\\path'\nc = 42\nd = -7\ne = +1_000\nf = true\ng = false\n",
			map[string]any{"a": "x", "b": `C:\path`, "c": int64(42), "d": int64(-7), "e": int64(1000), "f": true, "g": false}},
		{"escapes", `s = "q\" b\\ n\n t\t u\u00e9 U\U0001F600"`, map[string]any{"s": "q\" b\\ n\n t\t u\u00e9 U\U0001F600"}},
		{"comment after value", "a = 1 # one\nb = \"#not a comment\" # a comment\n", map[string]any{"a": int64(1), "b": "#not a comment"}},
		{"arrays", "a = []\nb = [\"x\", 'y',]\nc = [\n  \"p\", # first\n\n  \"q\"\n]\n",
			map[string]any{"a": []string{}, "b": []string{"x", "y"}, "c": []string{"p", "q"}}},
		{"tables and dotted keys", "top = 1\n[log]\nlevel = \"debug\"\n[ status ]\ninterval = \"5s\"\n[x]\ny.z = true\n",
			map[string]any{"top": int64(1), "log.level": "debug", "status.interval": "5s", "x.y.z": true}},
		{"dotted key at the top", "log.format = \"json\"\n\"quoted key\" = 1\n", map[string]any{"log.format": "json", "quoted key": int64(1)}},
		{"no final newline", "a = 1", map[string]any{"a": int64(1)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := parseTOML(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			got := make(map[string]any)
			for _, k := range doc.keys {
				got[k] = doc.values[k].v
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestParseTOMLErrors(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"a = 1\na = 2", `2: key "a" defined twice (first on line 1)`},
		{"[t]\nk = 1\n[t]\n", "3: table [t] defined twice"},
		{"t = 1\n[t]\n", "2: [t] is already a key with a value"},
		{"t.k = 1\nt = 2", `2: key "t" is already a table`},
		{"t = 1\nt.k = 2", `2: key "t" is already a key with a value`},
		{"a = 1.5", "1: \"1.5\": only decimal integers are supported"},
		{"a = 0x10", "only decimal integers"},
		{"a = 1979-05-27", "only decimal integers"},
		{"a = 007", "leading zeros"},
		{"a = 1__0", "underscores must be between digits"},
		{"a = 99999999999999999999", "integer out of range"},
		{"a = \"x", `1: unterminated string`},
		{"a = \"\"\"x\"\"\"", "multi-line strings are not supported"},
		{"a = 'x", "unterminated string"},
		{`a = "\q"`, `unknown escape \q`},
		{`a = "\u12"`, `short \u escape`},
		{`a = "\uD800"`, `bad \u escape`},
		{"a = [1, 2]", "only arrays of strings are supported"},
		{"a = [\"x\" \"y\"]", "want , or ] in the array"},
		{"a = [\"x\",\n", "2: unterminated array"},
		{"a = {b = 1}", "inline tables are not supported"},
		{"[[t]]", "arrays of tables"},
		{"a = ", "missing value"},
		{"a = nope", "want a value"},
		{"a 1", `want = after the key "a"`},
		{"= 1", "want a key"},
		{"a = 1 2", "unexpected \"2\" after the value"},
		{"[t", "want ] to end the table header"},
		{"a = \"x\x01\"", "control character"},
		{"a = \"\xff\"", "not UTF-8"},
		{"\n\n\nb = truely", "4: unexpected \"ly\""},
	} {
		_, err := parseTOML(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want %q", tt.in, err, tt.want)
		}
	}
}

// FuzzParseTOML: no input panics, and what parses comes back the same
// when written out again.
func FuzzParseTOML(f *testing.F) {
	f.Add("a = 1\n[log]\nlevel = \"debug\" # c\nlist = [\"x\", 'y',]\n")
	f.Add(`s = "\u00e9\n\"" `)
	f.Add("x.y.z = true\n\"q.k\" = -5")
	var cfg nodeConfig
	cfg.Bootnodes = []string{"a", "b", "c"}
	var b strings.Builder
	writeConfig(&b, &cfg)
	f.Add(b.String())
	f.Fuzz(func(t *testing.T, in string) {
		doc, err := parseTOML(in)
		if err != nil {
			return
		}
		var out strings.Builder
		for _, k := range doc.keys {
			out.WriteString(tomlString(k) + " = ")
			switch v := doc.values[k].v.(type) {
			case string:
				out.WriteString(tomlString(v))
			case int64:
				out.WriteString(strconv.FormatInt(v, 10))
			case bool:
				if v {
					out.WriteString("true")
				} else {
					out.WriteString("false")
				}
			case []string:
				out.WriteString(tomlValue(&v))
			}
			out.WriteString("\n")
		}
		doc2, err := parseTOML(out.String())
		if err != nil {
			t.Fatalf("written out %q, it does not parse: %v", out.String(), err)
		}
		if !reflect.DeepEqual(doc.keys, doc2.keys) {
			t.Fatalf("keys %q became %q", doc.keys, doc2.keys)
		}
		for _, k := range doc.keys {
			if !reflect.DeepEqual(doc.values[k].v, doc2.values[k].v) {
				t.Fatalf("%s: %#v became %#v", k, doc.values[k].v, doc2.values[k].v)
			}
		}
	})
}

// loadConfig runs the flag parsing of run on args.
func loadConfig(t *testing.T, args ...string) (nodeConfig, error) {
	t.Helper()
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cf := defineConfigFlags(fs)
	if _, err := parseArgs(fs, args); err != nil {
		return nodeConfig{}, err
	}
	cfg, o, err := cf.load()
	if err != nil {
		return cfg, err
	}
	_, err = newServerConfig(&cfg, o)
	return cfg, err
}

func writeTemp(t *testing.T, name, text string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

const testNode = "enode://1dd9d65c4552b5eb43d5ad55a2ee3f56c6cbc1c64a5c8d659f51fcd51bace24351232b8d7821617d2b29b54b81cdefb9b3e9c37d7fd5f63270bcc9e1a6f6a439@127.0.0.1:30303"

// The file sets what it has, the flags given win, the rest keeps the
// defaults.
func TestConfigFilePrecedence(t *testing.T) {
	file := writeTemp(t, "node.toml", `# a node
maxpeers = 50
listen = "127.0.0.1:30310"
bootnodes = ["`+testNode+`", "`+eip778Record+`"]
netrestrict = ["10.0.0.0/8"]
nodiscover = true

[discovery]
v5 = false

[log]
level = "debug"
`)
	cfg, err := loadConfig(t, "-config", file, "-maxpeers", "7", "-nodiscover=false", "-log.format", "json")
	if err != nil {
		t.Fatal(err)
	}
	want := defaultConfig()
	want.MaxPeers = 7 // the flag
	want.Listen = "127.0.0.1:30310"
	want.Bootnodes = []string{testNode, eip778Record}
	want.NetRestrict = []string{"10.0.0.0/8"}
	want.NoDiscover = false // the flag
	want.DiscoveryV5 = false
	want.LogLevel = "debug"
	want.LogFormat = "json" // the flag
	if !reflect.DeepEqual(cfg, want) {
		t.Fatalf("config\n%+v\nwant\n%+v", cfg, want)
	}
	// A bad value in the file does not matter when a flag replaces it.
	bad := writeTemp(t, "bad.toml", "maxpeers = 0\n")
	if _, err := loadConfig(t, "-config", bad, "-maxpeers", "3"); err != nil {
		t.Fatal(err)
	}
}

// Errors in a config file name the file, the line and the key.
func TestConfigFileErrors(t *testing.T) {
	for _, tt := range []struct{ text, want string }{
		{"\n\nmaxpeers = 0\n", "bad.toml:3: maxpeers must be positive, is 0"},
		{"maxpeers = \"10\"", `bad.toml:1: maxpeers: want an integer, have the string "10"`},
		{"maxpeer = 10", `bad.toml:1: unknown key "maxpeer"`},
		{"[log]\nlevel = \"loud\"", `bad.toml:2: log.level "loud": want debug, info, warn or error`},
		{"bootnodes = \"" + testNode + "\"", "bad.toml:1: bootnodes: want an array of strings"},
		{"bootnodes = [\"enode://x\"]", `bad.toml:1: bootnodes: entry 1 ("enode://x")`},
		{"nat = \"upnp:x\"", `bad.toml:1: nat: "upnp" takes no argument`},
		{"nodiscover = 1", "bad.toml:1: nodiscover: want true or false, have the integer 1"},
		{"[status]\ninterval = 5", `bad.toml:2: status.interval: want a duration in quotes`},
		{"[status]\ninterval = \"soon\"", `bad.toml:2: status.interval: "soon" is not a duration`},
		{"maxpeers = 1.5", "bad.toml:1: \"1.5\": only decimal integers"},
	} {
		file := writeTemp(t, "bad.toml", tt.text)
		_, err := loadConfig(t, "-config", file)
		if err == nil || !strings.Contains(err.Error(), "config file "+file) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want %q", tt.text, err, tt.want)
		}
	}
	if _, err := loadConfig(t, "-config", "/nonexistent/node.toml"); err == nil || !strings.Contains(err.Error(), "config file: open /nonexistent/node.toml") {
		t.Errorf("missing file: %v", err)
	}
}

// dumpconfig prints the configuration; fed back as -config, it gives the
// same configuration and the same output.
func TestDumpconfigRoundTrip(t *testing.T) {
	keyfile := filepath.Join(t.TempDir(), "node.key")
	args := []string{
		"-nodekey", keyfile, "-listen", "127.0.0.1:30399", "-maxpeers", "11", "-name", `odd "name" \ é`,
		"-bootnodes", testNode + "," + eip778Record, "-bootnodesv5", eip778Record, "-static", testNode,
		"-trusted", testNode, "-netrestrict", "10.0.0.0/8, 192.168.0.0/16", "-nat", "extip:192.0.2.1",
		"-discovery.v4=false", "-dns", "enrtree://AM5FCQLWIZX2QFPNJAP7VUERCCRNGRHWZG3YYHIUV7BVDQ5FDPRT2@nodes.example.org",
		"-resolver", "127.0.0.1:5353", "-nodedb", "/var/lib/p2pnode/db", "-log.level", "warn", "-log.format", "json",
		"-status.interval", "90s", "-http", "0.0.0.0:8545", "-http.token", "/etc/p2pnode/http.token",
		"-http.hosts", "node.example.org", "-ipc", "none",
	}
	out, _, err := runCmd(t, append([]string{"dumpconfig"}, args...)...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(keyfile); err == nil {
		t.Fatal("dumpconfig created the key file")
	}
	want, err := loadConfig(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	file := writeTemp(t, "node.toml", out)
	got, err := loadConfig(t, "-config", file)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("from the dumped file\n%+v\nfrom the flags\n%+v\nfile:\n%s", got, want, out)
	}
	out2, _, err := runCmd(t, "dumpconfig", "-config", file)
	if err != nil || out2 != out {
		t.Fatalf("dumpconfig of the dumped file differs (%v):\n%s", err, out2)
	}
	for _, line := range []string{"\nmaxpeers = 11\n", "\n[discovery]\n", "\nv4 = false\n", "\n[status]\n", "\ninterval = \"1m30s\"\n",
		`name = "odd \"name\" \\ é"`, "netrestrict = [\"10.0.0.0/8\", \"192.168.0.0/16\"]\n",
		"\n[http]\n", "\naddr = \"0.0.0.0:8545\"\n", "\ntoken = \"/etc/p2pnode/http.token\"\n", "\nhosts = [\"node.example.org\"]\n",
		"\nipc = \"none\"\n"} {
		if !strings.Contains(out, line) {
			t.Errorf("no %q in\n%s", line, out)
		}
	}

	// The defaults, dumped, are a valid file too.
	def, _, err := runCmd(t, "dumpconfig")
	if err != nil {
		t.Fatal(err)
	}
	got, err = loadConfig(t, "-config", writeTemp(t, "default.toml", def))
	if err != nil || !reflect.DeepEqual(got, defaultConfig()) {
		t.Fatalf("defaults: %v\n%+v", err, got)
	}
	golden(t, "dumpconfig-default.toml", def)

	// dumpconfig checks the settings as run does.
	if _, _, err := runCmd(t, "dumpconfig", "-maxpeers", "-1"); err == nil || err.Error() != "-maxpeers must be positive, is -1" {
		t.Fatalf("bad setting: %v", err)
	}
}

func TestStatusHelpers(t *testing.T) {
	for n, want := range map[uint64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 1536: "1.5 KiB", 5 << 20: "5.0 MiB", 3 << 30: "3.0 GiB"} {
		if got := byteCount(n); got != want {
			t.Errorf("byteCount(%d) = %q, want %q", n, got, want)
		}
	}
	if d := time.Duration(0); (settingFlag{&d}).String() != "0s" {
		t.Error("duration flag")
	}
}
