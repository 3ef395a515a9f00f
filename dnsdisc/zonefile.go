package dnsdisc

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// ZoneConfig says how WriteZoneFile writes the records of a zone other than
// the tree's TXT records, and their TTLs. The zero value is usable.
type ZoneConfig struct {
	// Serial is the SOA serial number; zero means 1. Secondary servers
	// reload the zone when it increases: the tree's Seq is a good choice.
	Serial uint32
	// NameServers are the zone's name servers (NS records), as DNS names;
	// none means "ns.<origin>".
	NameServers []string
	// Hostmaster is the SOA's responsible mailbox as a DNS name (the mail
	// address hostmaster@example.org is hostmaster.example.org); "" means
	// "hostmaster.<origin>".
	Hostmaster string
	// RootTTL is the TTL of the root TXT record, kept short so that
	// updates are seen soon; zero means 60 s, as in the spec's example.
	RootTTL time.Duration
	// TTL is the TTL of every other record; zero means one day. Entries
	// never change under their names, so they can be cached long.
	TTL time.Duration
}

func (cfg ZoneConfig) withDefaults(origin string) ZoneConfig {
	if cfg.Serial == 0 {
		cfg.Serial = 1
	}
	if len(cfg.NameServers) == 0 {
		cfg.NameServers = []string{"ns." + origin}
	}
	if cfg.Hostmaster == "" {
		cfg.Hostmaster = "hostmaster." + origin
	}
	if cfg.RootTTL == 0 {
		cfg.RootTTL = 60 * time.Second
	}
	if cfg.TTL == 0 {
		cfg.TTL = 24 * time.Hour
	}
	return cfg
}

// maxCharString is the longest character-string of DNS (RFC 1035 3.3): a
// longer TXT record is several strings, which resolvers join again.
const maxCharString = 255

// WriteZoneFile writes records, such as Tree.ToTXT returns them, as an
// RFC 1035 zone file for the zone origin, which an authoritative DNS server
// (NSD, BIND, Knot...) can load: a SOA and NS records for origin, then a TXT
// record for each name, the root first. Every name of records must be origin
// or a name below it (ToTXT's domain may be origin or a subdomain of it);
// "" stands for origin. Names are written fully qualified. TXT records
// longer than 255 bytes are split into several character-strings, and
// quotes, backslashes and bytes outside printable ASCII are escaped. The
// output is the same for the same input.
func WriteZoneFile(w io.Writer, origin string, records map[string]string, cfg ZoneConfig) error {
	origin = strings.TrimSuffix(origin, ".")
	if !validDomain(origin) {
		return fmt.Errorf("dnsdisc: zone origin: %w: %q", ErrInvalidDomain, origin)
	}
	cfg = cfg.withDefaults(origin)
	for _, ns := range append([]string{cfg.Hostmaster}, cfg.NameServers...) {
		if !validDomain(ns) {
			return fmt.Errorf("dnsdisc: zone name server or hostmaster: %w: %q", ErrInvalidDomain, ns)
		}
	}
	type rr struct {
		name, text string
		root       bool
	}
	rrs := make([]rr, 0, len(records))
	for name, text := range records {
		fqdn := strings.TrimSuffix(name, ".")
		if fqdn == "" {
			fqdn = origin
		}
		if !validDomain(fqdn) || !isSubdomain(fqdn, origin) {
			return fmt.Errorf("dnsdisc: record name %q is not a name in zone %s", name, origin)
		}
		rrs = append(rrs, rr{fqdn, text, strings.HasPrefix(text, rootPrefix)})
	}
	slices.SortFunc(rrs, func(a, b rr) int {
		if a.root != b.root {
			if a.root {
				return -1
			}
			return 1
		}
		return cmp.Or(strings.Compare(a.name, b.name), strings.Compare(a.text, b.text))
	})

	bw := bufio.NewWriter(w)
	ttl := int64(cfg.TTL / time.Second)
	fmt.Fprintf(bw, "; DNS node list (EIP-1459) for zone %s\n", origin)
	fmt.Fprintf(bw, "%s.\t%d\tIN\tSOA\t%s. %s. %d 3600 600 604800 60\n",
		origin, ttl, strings.TrimSuffix(cfg.NameServers[0], "."), strings.TrimSuffix(cfg.Hostmaster, "."), cfg.Serial)
	for _, ns := range cfg.NameServers {
		fmt.Fprintf(bw, "%s.\t%d\tIN\tNS\t%s.\n", origin, ttl, strings.TrimSuffix(ns, "."))
	}
	for _, r := range rrs {
		t := ttl
		if r.root {
			t = int64(cfg.RootTTL / time.Second)
		}
		fmt.Fprintf(bw, "%s.\t%d\tIN\tTXT\t%s\n", r.name, t, txtStrings(r.text))
	}
	return bw.Flush()
}

// isSubdomain reports whether name is domain or below it, ignoring case.
func isSubdomain(name, domain string) bool {
	name, domain = strings.ToLower(name), strings.ToLower(domain)
	return name == domain || strings.HasSuffix(name, "."+domain)
}

// txtStrings returns the RDATA of a TXT record holding text: quoted
// character-strings of at most 255 bytes each, escaped for a zone file.
func txtStrings(text string) string {
	var b strings.Builder
	for i := 0; i == 0 || i < len(text); i += maxCharString {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteByte('"')
		for _, c := range []byte(text[i:min(i+maxCharString, len(text))]) {
			switch {
			case c == '"' || c == '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case c < 0x20 || c >= 0x7f:
				fmt.Fprintf(&b, "\\%03d", c)
			default:
				b.WriteByte(c)
			}
		}
		b.WriteByte('"')
	}
	return b.String()
}
