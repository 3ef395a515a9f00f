package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/dnsdisc"
	"github.com/seednet/p2p/enode"
)

// dnsCommand holds the DNS node list tools; its doc describes the tree
// directory they work on.
func dnsCommand() *command {
	return &command{
		name:    "dns",
		summary: "build, sign, publish and download DNS node lists (EIP-1459)",
		doc: `The tools work on a tree directory, in the format of go-ethereum's
"devp2p dns" commands:

  DIR/nodes.json          the nodes: a JSON list of "enr:..." records, or an
                          object of node ID to {"seq": N, "record": "enr:..."}
                          as go-ethereum's devp2p tool (and sync, and
                          discv4/discv5 crawl) write it
  DIR/enrtree-info.json   {"url": "enrtree://...", "seq": N, "signature": "...",
                          "links": ["enrtree://...", ...], "lastModified": "..."}

enrtree-info.json may be missing or hold only "links" before the first
"dns sign". The signing key is a node key file (as "p2pnode key generate"
writes it), not go-ethereum's encrypted keystore file. Run a node on a list
with 'p2pnode run -dns enrtree://...'.`,
		subs: []*command{
			{
				name: "sign", args: "DIR KEYFILE", minArgs: 2, maxArgs: 2,
				summary: "sign the tree of DIR with the key in KEYFILE and print its enrtree:// URL",
				doc: `The domain is -domain, or that of the URL in enrtree-info.json, or DIR's
name. The sequence number is -seq, or one more than enrtree-info.json's.`,
				setup: dnsSign,
			},
			{
				name: "to-txt", args: "DIR [OUT]", minArgs: 1, maxArgs: 2,
				summary: "write the TXT records of the signed tree of DIR as JSON (name to record)",
				setup:   noFlags(dnsToTXT),
			},
			{
				name: "to-zonefile", args: "DIR [OUT]", minArgs: 1, maxArgs: 2,
				summary: "write the signed tree of DIR as a zone file for a DNS server",
				doc: `The zone is -origin, by default the tree's domain; its SOA serial is
the tree's sequence number. OUT "-" or absent is standard output.`,
				setup: dnsToZonefile,
			},
			{
				name: "sync", args: "URL [DIR]", minArgs: 1, maxArgs: 2,
				summary: "download the tree at URL (enrtree://...) into DIR (default: its domain)",
				setup:   dnsSync,
			},
		},
	}
}

// treeInfo is enrtree-info.json.
type treeInfo struct {
	URL          string    `json:"url,omitempty"`
	Seq          uint      `json:"seq"`
	Signature    string    `json:"signature,omitempty"`
	Links        []string  `json:"links"`
	LastModified time.Time `json:"lastModified"`
}

// nodeJSON is an entry of nodes.json in go-ethereum's form. The DNS tools
// use the record only; crawl keeps the rest: the score goes up by one for
// every answer and is halved for every query not answered.
type nodeJSON struct {
	Seq           uint64    `json:"seq"`
	Record        string    `json:"record"`
	Score         int       `json:"score,omitempty"`
	FirstResponse time.Time `json:"firstResponse,omitzero"`
	LastResponse  time.Time `json:"lastResponse,omitzero"`
	LastCheck     time.Time `json:"lastCheck,omitzero"`
}

// treeDir is a tree directory as loaded.
type treeDir struct {
	info  treeInfo
	nodes []*enode.Node
}

func loadTreeDir(dir string) (*treeDir, error) {
	td := new(treeDir)
	info, err := os.ReadFile(filepath.Join(dir, "enrtree-info.json"))
	switch {
	case err == nil:
		if err := json.Unmarshal(info, &td.info); err != nil {
			return nil, fmt.Errorf("enrtree-info.json: %w", err)
		}
	case !errors.Is(err, os.ErrNotExist):
		return nil, err
	}
	for _, l := range td.info.Links {
		if _, _, err := dnsdisc.ParseURL(l); err != nil {
			return nil, fmt.Errorf("enrtree-info.json: link: %w", err)
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, "nodes.json"))
	if err != nil {
		return nil, err
	}
	var records []string
	if err := json.Unmarshal(data, &records); err != nil {
		var set map[string]nodeJSON
		if err2 := json.Unmarshal(data, &set); err2 != nil {
			return nil, fmt.Errorf("nodes.json: neither a list of records nor an object of nodes: %w", err)
		}
		for _, n := range set {
			records = append(records, n.Record)
		}
	}
	for _, rec := range records {
		n, err := enode.Parse(enode.ValidSchemes, rec)
		if err != nil {
			return nil, fmt.Errorf("nodes.json: %q: %w", rec, err)
		}
		td.nodes = append(td.nodes, n)
	}
	return td, nil
}

// signedTree builds the directory's tree and checks that its signature
// (from enrtree-info.json) is valid for it.
func (td *treeDir) signedTree() (domain string, t *dnsdisc.Tree, err error) {
	if td.info.URL == "" || td.info.Signature == "" {
		return "", nil, errors.New("enrtree-info.json has no url or signature: run 'p2pnode dns sign' first")
	}
	domain, pubkey, err := dnsdisc.ParseURL(td.info.URL)
	if err != nil {
		return "", nil, fmt.Errorf("enrtree-info.json: %w", err)
	}
	if t, err = dnsdisc.MakeTree(td.info.Seq, td.nodes, td.info.Links); err != nil {
		return "", nil, err
	}
	if err := t.SetSignature(pubkey, td.info.Signature); err != nil {
		return "", nil, errors.New("the signature in enrtree-info.json is not valid for the tree: run 'p2pnode dns sign' again")
	}
	return domain, t, nil
}

func writeJSON(file string, v any, stdout io.Writer) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	if file == "" || file == "-" {
		_, err = stdout.Write(data)
		return err
	}
	return os.WriteFile(file, data, 0o644)
}

func writeTreeDir(dir, url string, t *dnsdisc.Tree, stdout io.Writer) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	info := treeInfo{URL: url, Seq: t.Seq(), Signature: t.Signature(), Links: t.Links(), LastModified: time.Now().UTC()}
	if info.Links == nil {
		info.Links = []string{}
	}
	if err := writeJSON(filepath.Join(dir, "enrtree-info.json"), info, stdout); err != nil {
		return err
	}
	set := make(map[string]nodeJSON)
	for _, n := range t.Nodes() {
		set[n.ID().String()] = nodeJSON{Seq: n.Seq(), Record: n.String()}
	}
	return writeJSON(filepath.Join(dir, "nodes.json"), set, stdout)
}

// dnsSign signs the tree of DIR with the key in KEYFILE, for the domain
// -domain, or that of the URL in enrtree-info.json, or DIR's name. The
// sequence number is -seq, or one more than enrtree-info.json's.
func dnsSign(fs *flag.FlagSet) runFunc {
	domainFlag := fs.String("domain", "", "`DOMAIN` of the tree (default: that of the current URL, or DIR's name)")
	seqFlag := fs.Uint("seq", 0, "sequence `NUMBER` (default: one more than the current)")
	return func(_ context.Context, e *env, pos []string) error {
		dir, keyfile := pos[0], pos[1]
		td, err := loadTreeDir(dir)
		if err != nil {
			return err
		}
		key, err := crypto.LoadECDSA(keyfile)
		if err != nil {
			return err
		}
		domain := *domainFlag
		if domain == "" {
			if td.info.URL != "" {
				if domain, _, err = dnsdisc.ParseURL(td.info.URL); err != nil {
					return fmt.Errorf("enrtree-info.json: %w", err)
				}
			} else {
				abs, err := filepath.Abs(dir)
				if err != nil {
					return err
				}
				domain = filepath.Base(abs)
			}
		}
		seq := td.info.Seq + 1
		if isSet(fs, "seq") {
			seq = *seqFlag
		}
		t, err := dnsdisc.MakeTree(seq, td.nodes, td.info.Links)
		if err != nil {
			return err
		}
		url, err := t.Sign(key, domain)
		if err != nil {
			return err
		}
		info := treeInfo{URL: url, Seq: t.Seq(), Signature: t.Signature(), Links: t.Links(), LastModified: time.Now().UTC()}
		if info.Links == nil {
			info.Links = []string{}
		}
		if err := writeJSON(filepath.Join(dir, "enrtree-info.json"), info, e.stdout); err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, url)
		return nil
	}
}

// isSet reports whether the flag called name was given.
func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// dnsToTXT writes the TXT records of the signed tree of DIR as a JSON
// object of name to record, to OUT or standard output.
func dnsToTXT(_ context.Context, e *env, pos []string) error {
	td, err := loadTreeDir(pos[0])
	if err != nil {
		return err
	}
	domain, t, err := td.signedTree()
	if err != nil {
		return err
	}
	return writeJSON(argOr(pos, 1), t.ToTXT(domain), e.stdout)
}

func argOr(pos []string, i int) string {
	if i < len(pos) {
		return pos[i]
	}
	return ""
}

// dnsToZonefile writes the signed tree of DIR as a zone file for a DNS
// server, to OUT or standard output. The zone is -origin, by default the
// tree's domain; its SOA serial is the tree's sequence number.
func dnsToZonefile(fs *flag.FlagSet) runFunc {
	originFlag := fs.String("origin", "", "the `ZONE`: the tree's domain or a parent of it (default: the tree's domain)")
	ns := fs.String("ns", "", "comma-separated name `SERVERS` of the zone (default: ns.<origin>)")
	return func(_ context.Context, e *env, pos []string) error {
		td, err := loadTreeDir(pos[0])
		if err != nil {
			return err
		}
		domain, t, err := td.signedTree()
		if err != nil {
			return err
		}
		origin := *originFlag
		if origin == "" {
			origin = domain
		}
		cfg := dnsdisc.ZoneConfig{Serial: uint32(min(t.Seq(), math.MaxUint32))}
		if *ns != "" {
			cfg.NameServers = strings.Split(*ns, ",")
		}
		file := argOr(pos, 1)
		if file == "" || file == "-" {
			return dnsdisc.WriteZoneFile(e.stdout, origin, t.ToTXT(domain), cfg)
		}
		f, err := os.Create(file)
		if err != nil {
			return err
		}
		if err := dnsdisc.WriteZoneFile(f, origin, t.ToTXT(domain), cfg); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
}

// dnsSync downloads the tree at URL into DIR (by default, the tree's
// domain), through the system's resolver or the DNS server -server.
func dnsSync(fs *flag.FlagSet) runFunc {
	server := fs.String("server", "", "DNS server `HOST:PORT` to ask (default: the system's resolver)")
	timeout := fs.Duration("timeout", 5*time.Second, "timeout of each lookup, a `DURATION`")
	rate := fs.Float64("rate", 20, "most `LOOKUPS` per second")
	return func(_ context.Context, e *env, pos []string) error {
		url := pos[0]
		domain, _, err := dnsdisc.ParseURL(url)
		if err != nil {
			return err
		}
		dir := argOr(pos, 1)
		if dir == "" {
			dir = domain
		}
		resolver, err := dnsResolver(*server)
		if err != nil {
			return fmt.Errorf("-server: %w", err)
		}
		counter := &countingResolver{Resolver: resolver}
		stopProgress := progress(e.stderr, func() string {
			return fmt.Sprintf("syncing %s: %d lookups", domain, counter.n.Load())
		})
		client := dnsdisc.NewClient(dnsdisc.Config{Resolver: counter, Timeout: *timeout, RateLimit: *rate})
		start := time.Now()
		t, err := client.SyncTree(url)
		stopProgress()
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "synced %s: seq %d, %d nodes, %d links, %d lookups in %v\n",
			domain, t.Seq(), len(t.Nodes()), len(t.Links()), counter.n.Load(), time.Since(start).Round(time.Millisecond))
		return writeTreeDir(dir, url, t, io.Discard)
	}
}

// dnsResolver returns a resolver that asks the DNS server at HOST:PORT
// only, or the system's resolver for "".
func dnsResolver(server string) (*net.Resolver, error) {
	if server == "" {
		return net.DefaultResolver, nil
	}
	if _, _, err := net.SplitHostPort(server); err != nil {
		return nil, err
	}
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, server)
	}}, nil
}

// countingResolver counts the lookups it passes on.
type countingResolver struct {
	dnsdisc.Resolver
	n atomic.Int64
}

func (r *countingResolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	r.n.Add(1)
	return r.Resolver.LookupTXT(ctx, name)
}

// progress writes the line that status returns to w, at once and then
// refreshed (with "\r") every 200 ms, with the time elapsed, until the
// returned function is called, which ends the line.
func progress(w io.Writer, status func() string) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		start := time.Now()
		for {
			fmt.Fprintf(w, "\r%s, %v", status(), time.Since(start).Round(time.Second))
			select {
			case <-tick.C:
			case <-done:
				fmt.Fprintln(w)
				return
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
	}
}
