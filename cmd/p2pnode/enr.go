package main

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/enr"
	"github.com/seednet/p2p/rlp"
)

func enrCommand() *command {
	return &command{
		name:    "enr",
		summary: "show node records",
		subs: []*command{{
			name: "dump", args: "RECORD", minArgs: 1, maxArgs: 1,
			summary: "print the fields of a node record (enr:..., an enode URL, or a file holding one)",
			doc: `Prints the record's node ID, sequence number and entries: the known ones
decoded (id, secp256k1, ip, ip6, tcp, udp, tcp6, udp6, quic, quic6), the
others as the hex of their RLP value. A record whose signature does not
verify is shown too, and the command fails. An enode URL has no record:
its ID, address and ports are shown.`,
			setup: noFlags(enrDump),
		}},
	}
}

func enrDump(_ context.Context, e *env, args []string) error {
	text := strings.TrimSpace(args[0])
	if !strings.HasPrefix(text, "enr:") && !strings.HasPrefix(text, "enode://") {
		data, err := os.ReadFile(text)
		if err != nil {
			return fmt.Errorf("%q is not a record (enr:...), an enode URL, or a readable file: %w", text, err)
		}
		text = strings.TrimSpace(string(data))
	}
	n, err := enode.Parse(enode.ValidSchemes, text)
	if err == nil && !strings.HasPrefix(text, "enr:") {
		dumpURL(e.stdout, n)
		return nil
	}
	if err == nil {
		dumpRecord(e.stdout, n.ID().String(), n.Record(), "valid (v4)")
		fmt.Fprintf(e.stdout, "  %-10s %s\n", "enode URL", n.URLv4())
		return nil
	}
	// Show a record whose signature does not verify, and fail.
	r, derr := decodeRecordText(text)
	if derr != nil {
		return err
	}
	dumpRecord(e.stdout, "(unknown: the record is not valid)", r, "NOT VALID")
	return fmt.Errorf("the record is not valid: %w", err)
}

// decodeRecordText decodes "enr:..." without checking the signature.
func decodeRecordText(text string) (*enr.Record, error) {
	bin, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(text, "enr:"))
	if err != nil {
		return nil, err
	}
	var r enr.Record
	if err := rlp.DecodeBytes(bin, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

func dumpURL(w io.Writer, n *enode.Node) {
	fmt.Fprintln(w, "enode URL (it has no node record):")
	fmt.Fprintf(w, "  %-10s %s\n", "node ID", n.ID())
	if n.Hostname() != "" {
		fmt.Fprintf(w, "  %-10s %s\n", "host", n.Hostname())
	}
	if n.IPAddr().IsValid() {
		fmt.Fprintf(w, "  %-10s %s\n", "ip", n.IPAddr())
	}
	fmt.Fprintf(w, "  %-10s %d\n", "tcp", n.TCP())
	fmt.Fprintf(w, "  %-10s %d\n", "udp", n.UDP())
	if pub := n.Pubkey(); pub != nil {
		fmt.Fprintf(w, "  %-10s %x (public key, compressed)\n", "secp256k1", crypto.CompressPubkey(pub))
	}
}

func dumpRecord(w io.Writer, id string, r *enr.Record, validity string) {
	fmt.Fprintln(w, "node record:")
	fmt.Fprintf(w, "  %-10s %s\n", "node ID", id)
	fmt.Fprintf(w, "  %-10s %d\n", "seq", r.Seq())
	elems := r.AppendElements(nil)
	for i := 1; i+1 < len(elems); i += 2 {
		k := elems[i].(string)
		v := elems[i+1].(rlp.RawValue)
		fmt.Fprintf(w, "  %-10s %s\n", k, formatEntry(k, v))
	}
	fmt.Fprintf(w, "  %-10s %s\n", "signature", validity)
	fmt.Fprintf(w, "  %-10s %d bytes\n", "size", r.Size())
}

// formatEntry shows the value of record entry k: decoded if the key is
// known and the value decodes, otherwise as hex.
func formatEntry(k string, v rlp.RawValue) string {
	raw := func(note string) string {
		return fmt.Sprintf("0x%s%s", hex.EncodeToString(v), note)
	}
	switch k {
	case "id":
		var s string
		if rlp.DecodeBytes(v, &s) == nil {
			return s
		}
	case "secp256k1":
		var b []byte
		if rlp.DecodeBytes(v, &b) == nil {
			return hex.EncodeToString(b) + " (public key, compressed)"
		}
	case "ip", "ip6":
		var b []byte
		if rlp.DecodeBytes(v, &b) == nil {
			if ip, ok := netip.AddrFromSlice(b); ok && (len(b) == 4) == (k == "ip") {
				return ip.String()
			}
		}
	case "tcp", "udp", "tcp6", "udp6", "quic", "quic6":
		var p uint16
		if rlp.DecodeBytes(v, &p) == nil {
			return fmt.Sprint(p)
		}
	default:
		return raw(" (RLP)")
	}
	return raw(" (RLP; not a valid " + k + " value)")
}
