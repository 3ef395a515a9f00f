package enode

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/seednet/p2p/crypto"
)

// FuzzParseURL checks that Parse never panics on either text form and that
// every node it accepts prints to text that parses to the same node.
func FuzzParseURL(f *testing.F) {
	pub := hex.EncodeToString(crypto.FromECDSAPub(&testKey(f, 0).PublicKey)[1:])
	for _, s := range []string{
		specText,
		"enode://" + pub + "@10.3.58.6:30303",
		"enode://" + pub + "@10.3.58.6:30303?discport=30301",
		"enode://" + pub + "@[2001:db8:3c4d:15::abcd:ef12]:52150",
		"enode://" + pub + "@[::ffff:1.2.3.4]:1?discport=0",
		"enode://" + pub,
		"enode://" + pub + "@host.example:1",
		"enode://" + pub + "@[fe80::1%25eth0]:1",
		"enode://" + strings.Repeat("0", 128) + "@1.2.3.4:1",
		"enr:",
		"enr:-IS4QA",
		"enode://@:",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Parse(ValidSchemes, s)
		if err != nil {
			return
		}
		text := n.String()
		n2, err := Parse(ValidSchemes, text)
		if err != nil {
			t.Fatalf("%q parsed, but its text %q does not: %v", s, text, err)
		}
		if n2.ID() != n.ID() || n2.IPAddr() != n.IPAddr() || n2.TCP() != n.TCP() || n2.UDP() != n.UDP() || n2.Seq() != n.Seq() {
			t.Fatalf("round trip of %q via %q changed the node", s, text)
		}
		if n2.String() != text {
			t.Fatalf("text not stable: %q then %q", text, n2.String())
		}
		if strings.HasPrefix(s, "enr:") && text != s {
			t.Fatalf("record text changed: %q became %q", s, text)
		}
		// URLv4 of any node with a key parses back to the same endpoint.
		if n.Pubkey() != nil {
			u, err := ParseV4(n.URLv4())
			if err != nil {
				t.Fatalf("URLv4 %q of %q does not parse: %v", n.URLv4(), s, err)
			}
			if u.ID() != n.ID() || u.IPAddr() != n.IPAddr() || u.TCP() != n.TCP() || (u.UDP() != n.UDP() && n.IPAddr().IsValid()) {
				t.Fatalf("URLv4 %q of %q changed the node", n.URLv4(), s)
			}
		}
		_ = n.ValidateComplete()
	})
}
