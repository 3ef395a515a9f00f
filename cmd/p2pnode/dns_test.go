package main

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/dnsdisc"
	"github.com/seednet/p2p/dnsdisc/dnstest"
	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/enr"
)

func testRecords(t *testing.T, n int) []string {
	t.Helper()
	var recs []string
	for i := range n {
		key, err := crypto.GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		var r enr.Record
		r.Set(enr.IPv4Addr(netip.MustParseAddr("127.0.0.1")))
		r.Set(enr.TCP(30000 + i))
		if err := enode.SignV4(&r, key); err != nil {
			t.Fatal(err)
		}
		node, err := enode.New(enode.ValidSchemes, &r)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, node.String())
	}
	slices.Sort(recs)
	return recs
}

func writeFile(t *testing.T, name string, v any) {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func readInfo(t *testing.T, dir string) treeInfo {
	t.Helper()
	var info treeInfo
	data, err := os.ReadFile(filepath.Join(dir, "enrtree-info.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &info); err != nil {
		t.Fatal(err)
	}
	return info
}

// sign, to-txt, to-zonefile; the zone file served by NSD; sync gives back
// the same nodes and links.
func TestDNSCommands(t *testing.T) {
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "tree")
	os.Mkdir(dir, 0o755)
	keyfile := filepath.Join(tmp, "dns.key")
	var out bytes.Buffer
	if err := run(t.Context(), []string{"key", "generate", keyfile}, &out, &out); err != nil {
		t.Fatal(err)
	}
	records := testRecords(t, 20)
	writeFile(t, filepath.Join(dir, "nodes.json"), records)
	link := "enrtree://AM5FCQLWIZX2QFPNJAP7VUERCCRNGRHWZG3YYHIUV7BVDQ5FDPRT2@morenodes.example.org"
	writeFile(t, filepath.Join(dir, "enrtree-info.json"), map[string]any{"links": []string{link}})

	// sign: the URL on stdout and in enrtree-info.json, seq as given.
	out.Reset()
	if err := run(t.Context(), []string{"dns", "sign", dir, keyfile, "-domain", "nodes.example.org", "-seq", "5"}, &out, &out); err != nil {
		t.Fatal(err)
	}
	url := strings.TrimSpace(out.String())
	info := readInfo(t, dir)
	key, _ := crypto.LoadECDSA(keyfile)
	if domain, pub, err := dnsdisc.ParseURL(url); err != nil || domain != "nodes.example.org" || !pub.Equal(&key.PublicKey) {
		t.Fatalf("URL %q: %v", url, err)
	}
	if info.URL != url || info.Seq != 5 || info.Signature == "" || !slices.Equal(info.Links, []string{link}) {
		t.Fatalf("enrtree-info.json: %+v", info)
	}
	// Without -seq, signing again bumps it; the domain stays.
	if err := run(t.Context(), []string{"dns", "sign", dir, keyfile}, &out, &out); err != nil {
		t.Fatal(err)
	}
	if info = readInfo(t, dir); info.Seq != 6 || info.URL != url {
		t.Fatalf("signed again: %+v", info)
	}

	// to-txt: the records of the tree, as the library makes them.
	txtFile := filepath.Join(tmp, "txt.json")
	if err := run(t.Context(), []string{"dns", "to-txt", dir, txtFile}, &out, &out); err != nil {
		t.Fatal(err)
	}
	var txt map[string]string
	data, _ := os.ReadFile(txtFile)
	if err := json.Unmarshal(data, &txt); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(txt["nodes.example.org"], "enrtree-root:v1 ") || len(txt) < len(records)+3 {
		t.Fatalf("%d TXT records", len(txt))
	}

	// to-zonefile, served by NSD.
	zoneFile := filepath.Join(tmp, "zone")
	if err := run(t.Context(), []string{"dns", "to-zonefile", dir, zoneFile, "-origin", "example.org"}, &out, &out); err != nil {
		t.Fatal(err)
	}
	zone, _ := os.ReadFile(zoneFile)
	srv := dnstest.StartNSD(t, map[string]string{"example.org": string(zone)})

	// sync through it gives back the tree.
	syncDir := filepath.Join(tmp, "synced")
	var stdout, stderr bytes.Buffer
	if err := run(t.Context(), []string{"dns", "sync", url, syncDir, "-server", srv.Addr.String()}, &stdout, &stderr); err != nil {
		t.Fatal(err, stderr.String())
	}
	t.Logf("stderr: %q", stderr.String())
	if !strings.Contains(stderr.String(), "\rsyncing nodes.example.org: ") || !strings.Contains(stderr.String(), "synced nodes.example.org: seq 6, 20 nodes, 1 links") {
		t.Fatalf("stderr: %q", stderr.String())
	}
	synced, err := loadTreeDir(syncDir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range synced.nodes {
		got = append(got, n.String())
	}
	slices.Sort(got)
	if !slices.Equal(got, records) || !slices.Equal(synced.info.Links, []string{link}) || synced.info.URL != url || synced.info.Seq != 6 {
		t.Fatalf("synced %d nodes, info %+v", len(got), synced.info)
	}
	// The synced directory (nodes.json in go-ethereum's object form) is a
	// tree directory too: its records are those served.
	out.Reset()
	if err := run(t.Context(), []string{"dns", "to-txt", syncDir}, &out, &out); err != nil {
		t.Fatal(err)
	}
	var txt2 map[string]string
	if err := json.Unmarshal(out.Bytes(), &txt2); err != nil || !maps.Equal(txt, txt2) {
		t.Fatalf("records of the synced tree differ: %v", err)
	}
}

func TestDNSBadArguments(t *testing.T) {
	tmp := t.TempDir()
	unsigned := filepath.Join(tmp, "unsigned")
	os.Mkdir(unsigned, 0o755)
	writeFile(t, filepath.Join(unsigned, "nodes.json"), testRecords(t, 1))
	badNodes := filepath.Join(tmp, "bad")
	os.Mkdir(badNodes, 0o755)
	writeFile(t, filepath.Join(badNodes, "nodes.json"), []string{"enr:-----"})
	for _, args := range [][]string{
		{"dns"},
		{"dns", "publish"},
		{"dns", "sign", unsigned},
		{"dns", "sign", unsigned, "/nonexistent/key"},
		{"dns", "sign", badNodes, "/nonexistent/key"},
		{"dns", "sign", tmp, "/nonexistent/key"},
		{"dns", "to-txt", unsigned},
		{"dns", "to-zonefile", unsigned},
		{"dns", "to-txt"},
		{"dns", "sync"},
		{"dns", "sync", "enrtree://nonsense"},
		{"dns", "sync", "enrtree://AM5FCQLWIZX2QFPNJAP7VUERCCRNGRHWZG3YYHIUV7BVDQ5FDPRT2@n.example.org", "-server", "nonsense"},
		{"dns", "sign", unsigned, "k", "-seq", "x"},
	} {
		var out bytes.Buffer
		if err := run(t.Context(), args, &out, &out); err == nil {
			t.Errorf("%q: no error", args)
		}
	}
}
