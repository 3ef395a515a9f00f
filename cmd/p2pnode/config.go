package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// nodeConfig is the configuration of 'p2pnode run': the settings of the
// table below, from their defaults, the config file and the flags, the
// flags winning.
type nodeConfig struct {
	NodeKey        string
	Listen         string
	MaxPeers       int
	Name           string
	Bootnodes      []string
	BootnodesV5    []string
	Static         []string
	Trusted        []string
	NetRestrict    []string
	NAT            string
	NoDiscover     bool
	DiscoveryV4    bool
	DiscoveryV5    bool
	DNS            []string
	Resolver       string
	NodeDB         string
	LogLevel       string
	LogFormat      string
	StatusInterval time.Duration
	HTTP           string
	HTTPToken      string
	HTTPHosts      []string
	IPC            string
}

// defaultConfig returns the defaults of the settings.
func defaultConfig() nodeConfig {
	return nodeConfig{
		Listen:         ":30303",
		MaxPeers:       25,
		Name:           "p2pnode",
		DiscoveryV4:    true,
		DiscoveryV5:    true,
		LogLevel:       "info",
		LogFormat:      "text",
		StatusInterval: time.Minute,
	}
}

// setting is one setting of the node: a flag of run and dumpconfig, and a
// key of the config file, with the same name. A name with a dot is a key
// of a table in the file: "log.level" is "level" in [log].
type setting struct {
	name  string
	usage string // for the flag and the comment in dumpconfig's output; a `word` names the value
	field func(c *nodeConfig) any
	// key is the setting's key in the config file when it cannot be its
	// name: -http is http.addr, as the table [http] holds http.token.
	key string
}

// fileKey returns the setting's key in the config file.
func (s *setting) fileKey() string {
	if s.key != "" {
		return s.key
	}
	return s.name
}

var settings = []setting{
	{"nodekey", "node key `FILE` (64 hex digits, as geth's --nodekey); a missing FILE is created with a new key; empty: a new identity each run",
		func(c *nodeConfig) any { return &c.NodeKey }, ""},
	{"listen", "TCP `ADDRESS` (HOST:PORT) to listen on for peers; discovery uses the same port over UDP; empty: do not listen",
		func(c *nodeConfig) any { return &c.Listen }, ""},
	{"maxpeers", "maximum `NUMBER` of peers, inbound and outbound (a third of them dialed by us)",
		func(c *nodeConfig) any { return &c.MaxPeers }, ""},
	{"name", "client `NAME` announced to peers",
		func(c *nodeConfig) any { return &c.Name }, ""},
	{"bootnodes", "comma-separated `NODES` (enode://... or enr:...) that discovery v4 and v5 start from",
		func(c *nodeConfig) any { return &c.Bootnodes }, ""},
	{"bootnodesv5", "comma-separated `NODES` that discovery v5 starts from instead of -bootnodes; empty: -bootnodes",
		func(c *nodeConfig) any { return &c.BootnodesV5 }, ""},
	{"static", "comma-separated `NODES` to connect to and keep connected",
		func(c *nodeConfig) any { return &c.Static }, ""},
	{"trusted", "comma-separated `NODES` that may connect even when -maxpeers is reached",
		func(c *nodeConfig) any { return &c.Trusted }, ""},
	{"netrestrict", "comma-separated `CIDR` masks: talk to these networks only (peers and discovery)",
		func(c *nodeConfig) any { return &c.NetRestrict }, ""},
	{"nat", "port mapping `METHOD`: none, any, upnp, pmp[:GATEWAY-IP], stun[:HOST:PORT], extip:IP; empty: none",
		func(c *nodeConfig) any { return &c.NAT }, ""},
	{"nodiscover", "turn discovery off (both versions); peers come from -static and -dns, and nodes that connect",
		func(c *nodeConfig) any { return &c.NoDiscover }, ""},
	{"dns", "comma-separated DNS node list `URLS` (enrtree://KEY@DOMAIN, geth's --discovery.dns) to dial nodes from",
		func(c *nodeConfig) any { return &c.DNS }, ""},
	{"resolver", "DNS server `HOST:PORT` to ask for -dns lists and the host names in node URLs; empty: the system's resolver",
		func(c *nodeConfig) any { return &c.Resolver }, ""},
	{"nodedb", "node database `PATH`: keeps found nodes and the record's sequence number across runs; empty: in memory",
		func(c *nodeConfig) any { return &c.NodeDB }, ""},
	{"discovery.v4", "run discovery v4 (geth's --discovery.v4)",
		func(c *nodeConfig) any { return &c.DiscoveryV4 }, ""},
	{"discovery.v5", "run discovery v5 (geth's --discovery.v5), on the same UDP port",
		func(c *nodeConfig) any { return &c.DiscoveryV5 }, ""},
	{"log.level", "log `LEVEL`: debug, info, warn or error",
		func(c *nodeConfig) any { return &c.LogLevel }, ""},
	{"log.format", "log `FORMAT`: text or json",
		func(c *nodeConfig) any { return &c.LogFormat }, ""},
	{"status.interval", "`INTERVAL` of the status line (peers, dials, traffic), such as 30s or 5m",
		func(c *nodeConfig) any { return &c.StatusInterval }, ""},
	{"http", "`ADDRESS` (HOST:PORT) of the HTTP server: admin API (POST /), dashboard (GET /), metrics (GET /metrics); " +
		"no HOST or a bare PORT means 127.0.0.1; any other address than loopback needs -http.token; empty: no HTTP server",
		func(c *nodeConfig) any { return &c.HTTP }, "http.addr"},
	{"http.token", "`FILE` with the token that requests to -http must carry (Authorization: Bearer TOKEN, or as the password in a browser); " +
		"a missing FILE is created with a random token; empty: no token (loopback only)",
		func(c *nodeConfig) any { return &c.HTTPToken }, ""},
	{"http.hosts", "comma-separated host `NAMES` that requests to -http may name (Host header) besides IP addresses and localhost; * for any",
		func(c *nodeConfig) any { return &c.HTTPHosts }, ""},
	{"ipc", "Unix socket `PATH` of the admin API, for 'p2pnode admin', 'attach' and 'diagnose'; " +
		"empty: " + ipcDefaultDoc + "; none: no socket",
		func(c *nodeConfig) any { return &c.IPC }, ""},
}

func findSetting(name string) *setting {
	for i := range settings {
		if settings[i].name == name {
			return &settings[i]
		}
	}
	return nil
}

// findFileKey returns the setting of a config file key.
func findFileKey(key string) *setting {
	for i := range settings {
		if settings[i].fileKey() == key {
			return &settings[i]
		}
	}
	return nil
}

// origins tells where each setting came from, so that errors name what
// the user wrote: "-maxpeers" or "config file node.toml:3: maxpeers".
type origins struct {
	file     string         // the config file, "" if none
	fileKeys map[string]int // settings from the file, by name, with their line
	flags    map[string]bool
}

// name names setting key as the user gave it.
func (o *origins) name(key string) string {
	if line, ok := o.fileKeys[key]; ok && !o.flags[key] {
		return fmt.Sprintf("config file %s:%d: %s", o.file, line, findSetting(key).fileKey())
	}
	return "-" + key
}

// errorf returns an error about setting key: "-maxpeers must be positive",
// or with a format that starts with ":", "-nat: ...".
func (o *origins) errorf(key, format string, args ...any) error {
	sep := " "
	if strings.HasPrefix(format, ":") {
		sep = ""
	}
	return fmt.Errorf("%s"+sep+format, append([]any{o.name(key)}, args...)...)
}

// settingFlag is the flag.Value of a setting: it sets the field ptr.
type settingFlag struct{ ptr any }

func (f settingFlag) String() string {
	switch p := f.ptr.(type) {
	case *string:
		return *p
	case *int:
		return strconv.Itoa(*p)
	case *bool:
		if *p {
			return "true"
		}
	case *[]string:
		return strings.Join(*p, ",")
	case *time.Duration:
		return p.String()
	}
	return ""
}

func (f settingFlag) Set(s string) error {
	switch p := f.ptr.(type) {
	case *string:
		*p = s
	case *int:
		v, err := strconv.Atoi(s)
		if err != nil {
			return errors.New("not an integer")
		}
		*p = v
	case *bool:
		v, err := strconv.ParseBool(s)
		if err != nil {
			return errors.New("not true or false")
		}
		*p = v
	case *[]string:
		*p = splitList(s)
	case *time.Duration:
		v, err := time.ParseDuration(s)
		if err != nil {
			return errors.New("not a duration (such as 30s, 5m or 1h)")
		}
		*p = v
	}
	return nil
}

func (f settingFlag) IsBoolFlag() bool {
	_, ok := f.ptr.(*bool)
	return ok
}

// splitList splits a comma-separated list, dropping empty entries.
func splitList(s string) []string {
	var list []string
	for e := range strings.SplitSeq(s, ",") {
		if e = strings.TrimSpace(e); e != "" {
			list = append(list, e)
		}
	}
	return list
}

// configFlags defines the flags of run and dumpconfig on fs. Once fs is
// parsed, load returns the configuration.
type configFlags struct {
	fs     *flag.FlagSet
	file   *string
	values nodeConfig // what the flags say
}

func defineConfigFlags(fs *flag.FlagSet) *configFlags {
	cf := &configFlags{fs: fs, values: defaultConfig()}
	cf.file = fs.String("config", "", "TOML config `FILE` with the settings below as keys ('p2pnode dumpconfig' writes one); flags given with it win")
	for _, s := range settings {
		fs.Var(settingFlag{s.field(&cf.values)}, s.name, s.usage)
	}
	return cf
}

// load returns the configuration: the defaults, overridden by the config
// file, overridden by the flags given.
func (cf *configFlags) load() (nodeConfig, *origins, error) {
	cfg := defaultConfig()
	o := &origins{file: *cf.file, fileKeys: map[string]int{}, flags: map[string]bool{}}
	if *cf.file != "" {
		if err := loadConfigFile(*cf.file, &cfg, o); err != nil {
			return cfg, o, err
		}
	}
	cf.fs.Visit(func(f *flag.Flag) {
		s := findSetting(f.Name)
		if s == nil {
			return // -config
		}
		o.flags[f.Name] = true
		copySetting(s.field(&cfg), s.field(&cf.values))
	})
	return cfg, o, nil
}

// copySetting sets *dst to *src; both point to fields of one setting.
func copySetting(dst, src any) {
	switch d := dst.(type) {
	case *string:
		*d = *src.(*string)
	case *int:
		*d = *src.(*int)
	case *bool:
		*d = *src.(*bool)
	case *[]string:
		*d = slices.Clone(*src.(*[]string))
	case *time.Duration:
		*d = *src.(*time.Duration)
	}
}

// loadConfigFile sets the settings that file has.
func loadConfigFile(file string, cfg *nodeConfig, o *origins) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("config file: %w", err)
	}
	doc, err := parseTOML(string(data))
	if err != nil {
		return fmt.Errorf("config file %s:%w", file, err)
	}
	for _, key := range doc.keys {
		v := doc.values[key]
		s := findFileKey(key)
		if s == nil {
			return fmt.Errorf("config file %s:%d: unknown key %q (the keys are the flags of 'p2pnode help run', without the dash; -http is http.addr)", file, v.line, key)
		}
		if err := setFromTOML(s.field(cfg), v.v); err != nil {
			return fmt.Errorf("config file %s:%d: %s: %w", file, v.line, key, err)
		}
		o.fileKeys[s.name] = v.line
	}
	return nil
}

// setFromTOML sets the field ptr to the TOML value v.
func setFromTOML(ptr any, v any) error {
	switch p := ptr.(type) {
	case *string:
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("want a string in quotes, have %s", tomlType(v))
		}
		*p = s
	case *int:
		n, ok := v.(int64)
		if !ok {
			return fmt.Errorf("want an integer, have %s", tomlType(v))
		}
		*p = int(n)
	case *bool:
		b, ok := v.(bool)
		if !ok {
			return fmt.Errorf("want true or false, have %s", tomlType(v))
		}
		*p = b
	case *[]string:
		list, ok := v.([]string)
		if !ok {
			return fmt.Errorf("want an array of strings, such as [\"a\", \"b\"], have %s", tomlType(v))
		}
		*p = nil // an empty array is as no setting: the flags give nil too
		if len(list) > 0 {
			*p = list
		}
	case *time.Duration:
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("want a duration in quotes, such as \"30s\", have %s", tomlType(v))
		}
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("%q is not a duration (such as \"30s\", \"5m\" or \"1h\")", s)
		}
		*p = d
	}
	return nil
}

// comment is the usage of setting s, as a comment in a config file: a
// list is an array there, not comma-separated.
func (s *setting) comment(cfg *nodeConfig) string {
	u := strings.ReplaceAll(s.usage, "`", "")
	if _, ok := s.field(cfg).(*[]string); ok {
		u = strings.Replace(u, "comma-separated ", "", 1)
	}
	return "# " + u
}

// writeConfig writes cfg as TOML, each setting with its usage as a
// comment; loading the output gives cfg back.
func writeConfig(w io.Writer, cfg *nodeConfig) error {
	var b strings.Builder
	b.WriteString("# p2pnode configuration: 'p2pnode run -config FILE'. Flags given with\n")
	b.WriteString("# -config win over this file. The keys are run's flags without the dash\n")
	b.WriteString("# (-http is addr in [http]).\n")
	// Top-level keys first: after a [table] header, keys belong to it.
	var tables []string
	for _, s := range settings {
		if tab, _, ok := strings.Cut(s.fileKey(), "."); !ok {
			fmt.Fprintf(&b, "\n%s\n%s = %s\n", s.comment(cfg), s.fileKey(), tomlValue(s.field(cfg)))
		} else if !slices.Contains(tables, tab) {
			tables = append(tables, tab)
		}
	}
	for _, tab := range tables {
		fmt.Fprintf(&b, "\n[%s]\n", tab)
		for _, s := range settings {
			if t, key, ok := strings.Cut(s.fileKey(), "."); ok && t == tab {
				fmt.Fprintf(&b, "\n%s\n%s = %s\n", s.comment(cfg), key, tomlValue(s.field(cfg)))
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// tomlValue encodes the field ptr as a TOML value.
func tomlValue(ptr any) string {
	switch p := ptr.(type) {
	case *string:
		return tomlString(*p)
	case *int:
		return strconv.Itoa(*p)
	case *bool:
		return strconv.FormatBool(*p)
	case *[]string:
		quoted := make([]string, len(*p))
		for i, s := range *p {
			quoted[i] = tomlString(s)
		}
		if len(quoted) > 2 {
			return "[\n  " + strings.Join(quoted, ",\n  ") + ",\n]"
		}
		return "[" + strings.Join(quoted, ", ") + "]"
	case *time.Duration:
		return tomlString(p.String())
	}
	panic(fmt.Sprintf("no TOML encoding for %T", ptr))
}
