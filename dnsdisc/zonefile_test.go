package dnsdisc

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/internal/testutil"
)

func TestWriteZoneFile(t *testing.T) {
	var b bytes.Buffer
	cfg := ZoneConfig{Serial: 7, NameServers: []string{"ns1.example.org", "ns2.example.net."}, Hostmaster: "admin.example.org", RootTTL: 30 * time.Second, TTL: time.Hour}
	if err := WriteZoneFile(&b, "n", specRecords, cfg); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	want := []string{
		"; DNS node list (EIP-1459) for zone n",
		"n.\t3600\tIN\tSOA\tns1.example.org. admin.example.org. 7 3600 600 604800 60",
		"n.\t3600\tIN\tNS\tns1.example.org.",
		"n.\t3600\tIN\tNS\tns2.example.net.",
		"n.\t30\tIN\tTXT\t\"" + specRecords["n"] + "\"",
		"2XS2367YHAXJFGLZHVAWLQD4ZY.n.\t3600\tIN\tTXT\t\"" + specRecords["2XS2367YHAXJFGLZHVAWLQD4ZY.n"] + "\"",
	}
	if len(lines) != 4+len(specRecords) {
		t.Fatalf("%d lines:\n%s", len(lines), b.String())
	}
	for i, w := range want {
		if lines[i] != w {
			t.Errorf("line %d:\n%q\nwant\n%q", i, lines[i], w)
		}
	}
	var again bytes.Buffer
	WriteZoneFile(&again, "n.", specRecords, cfg)
	if again.String() != b.String() {
		t.Error("output differs for the same input")
	}
}

func TestWriteZoneFileDefaults(t *testing.T) {
	var b bytes.Buffer
	if err := WriteZoneFile(&b, "example.org", map[string]string{"nodes.example.org": "enrtree-root:v1 x", "": "apex"}, ZoneConfig{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"example.org.\t86400\tIN\tSOA\tns.example.org. hostmaster.example.org. 1 3600 600 604800 60\n",
		"example.org.\t86400\tIN\tNS\tns.example.org.\n",
		"nodes.example.org.\t60\tIN\tTXT\t\"enrtree-root:v1 x\"\n",
		"example.org.\t86400\tIN\tTXT\t\"apex\"\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("no %q in\n%s", want, b.String())
		}
	}
}

func TestWriteZoneFileErrors(t *testing.T) {
	tests := []struct {
		name, origin string
		records      map[string]string
		cfg          ZoneConfig
	}{
		{"bad origin", "a..b", nil, ZoneConfig{}},
		{"name outside the zone", "example.org", map[string]string{"nodes.example.net": "x"}, ZoneConfig{}},
		{"name that merely ends like the zone", "example.org", map[string]string{"badexample.org": "x"}, ZoneConfig{}},
		{"name with a line break", "example.org", map[string]string{"a\nb.example.org": "x"}, ZoneConfig{}},
		{"name with a space", "example.org", map[string]string{"a b.example.org": "x"}, ZoneConfig{}},
		{"bad name server", "example.org", nil, ZoneConfig{NameServers: []string{"ns 1"}}},
		{"bad hostmaster", "example.org", nil, ZoneConfig{Hostmaster: "me@example.org"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteZoneFile(&b, tt.origin, tt.records, tt.cfg); err == nil {
				t.Fatalf("no error:\n%s", b.String())
			}
		})
	}
}

// txtStrings splits long records into 255-byte strings and escapes what a
// zone file needs escaped; unquote reads them back.
func TestTXTStrings(t *testing.T) {
	long := strings.Repeat("abcdefghij", 60)
	tests := []struct{ text, want string }{
		{"", `""`},
		{"plain", `"plain"`},
		{`a "quoted" \ word`, `"a \"quoted\" \\ word"`},
		{"line\nbreak\x00\xff", `"line\010break\000\255"`},
		{long[:255], `"` + long[:255] + `"`},
		{long[:256], `"` + long[:255] + `" "` + long[255:256] + `"`},
		{long, `"` + long[:255] + `" "` + long[255:510] + `" "` + long[510:] + `"`},
	}
	for _, tt := range tests {
		got := txtStrings(tt.text)
		if got != tt.want {
			t.Errorf("txtStrings(%.20q) = %.80q, want %.80q", tt.text, got, tt.want)
		}
		if back := unquote(t, got); back != tt.text {
			t.Errorf("unquote(%.20q) = %.20q", got, back)
		}
	}
}

// unquote reads back the character-strings of a zone file's TXT RDATA and
// joins them, as a resolver does.
func unquote(t *testing.T, rdata string) string {
	t.Helper()
	var out []byte
	in := false
	for i := 0; i < len(rdata); i++ {
		c := rdata[i]
		switch {
		case c == '"':
			in = !in
		case !in && c == ' ':
		case !in:
			t.Fatalf("unquoted byte %q in %q", c, rdata)
		case c == '\\' && i+3 < len(rdata) && rdata[i+1] >= '0' && rdata[i+1] <= '9':
			n, err := strconv.Atoi(rdata[i+1 : i+4])
			if err != nil || n > 255 {
				t.Fatalf("bad escape in %q", rdata)
			}
			out = append(out, byte(n))
			i += 3
		case c == '\\':
			i++
			out = append(out, rdata[i])
		default:
			out = append(out, c)
		}
	}
	return string(out)
}

// NSD's own checker accepts what WriteZoneFile writes, when it is
// installed (the real server loads it in nsd_test.go).
func TestWriteZoneFileChecks(t *testing.T) {
	checker, err := exec.LookPath("nsd-checkzone")
	if err != nil {
		if checker = "/usr/sbin/nsd-checkzone"; !fileExists(checker) {
			t.Skip("skipping: nsd-checkzone is not installed (Debian package nsd)")
		}
	}
	_, _, txt := signedTree(t, testutil.NewKey(t), "nodes.example.org", 3, []*enode.Node{bigNode(t, 1), bigNode(t, 2)}, nil)
	txt["weird.example.org"] = "a \"b\" \\c\n\xff"
	var b bytes.Buffer
	if err := WriteZoneFile(&b, "example.org", txt, ZoneConfig{Serial: 3}); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "zone")
	if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(checker, "example.org", file).CombinedOutput()
	if err != nil {
		t.Fatalf("nsd-checkzone: %v\n%s\n%s", err, out, b.String())
	}
	t.Logf("nsd-checkzone: %s", bytes.TrimSpace(out))
}

func fileExists(name string) bool {
	_, err := os.Stat(name)
	return err == nil
}
