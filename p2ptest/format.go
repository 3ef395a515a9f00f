package p2ptest

import (
	"encoding/hex"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/seednet/p2p/rlp"
)

// Limits on what a failure message shows of a value, so that a large
// payload does not bury the message.
const (
	maxShownBytes = 64  // bytes of a payload shown in hex
	maxShownText  = 200 // characters of a Go value or an RLP rendering
)

// formatValue shows a Go value as failure messages do: strings quoted,
// byte slices in hex, anything else with %+v.
func formatValue(v any) string {
	var s string
	switch x := v.(type) {
	case nil:
		s = "nil"
	case string:
		s = strconv.Quote(x)
	case rlp.RawValue:
		s = "rlp.RawValue(" + formatHex(x) + ")"
	case []byte:
		s = formatHex(x)
	default:
		rv := reflect.ValueOf(v)
		switch {
		case rv.Kind() == reflect.String:
			s = fmt.Sprintf("%q", v) // a named string type: Message("bar")
		case rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.Uint8:
			s = formatHex(rv.Bytes())
		default:
			s = fmt.Sprintf("%+v", v)
		}
	}
	return truncate(s)
}

// formatItems shows the arguments of SendItems: "foo", 42.
func formatItems(items []any) string {
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = formatValue(it)
	}
	return truncate(strings.Join(parts, ", "))
}

// formatHex shows bytes as 0x-prefixed hex, the first maxShownBytes of
// them when there are more.
func formatHex(b []byte) string {
	if len(b) == 0 {
		return "0x (empty)"
	}
	if len(b) > maxShownBytes {
		return fmt.Sprintf("0x%s... (%d bytes)", hex.EncodeToString(b[:maxShownBytes]), len(b))
	}
	return "0x" + hex.EncodeToString(b)
}

// formatPayload shows a payload as hex and as the RLP structure it holds:
// 0xc483626172 ["bar"].
func formatPayload(b []byte) string {
	h, r := formatHex(b), renderRLP(b)
	if len(b) == 0 || h == r { // nothing, or a single byte
		return h
	}
	return h + " " + r
}

// renderRLP shows the structure of RLP-encoded bytes: lists in brackets,
// strings of two or more printable characters quoted, other strings and
// single bytes in hex. Bytes that are not valid RLP, or several values
// where one was expected, are said so.
func renderRLP(b []byte) string {
	var sb strings.Builder
	rest, err := renderValue(&sb, b, 0)
	switch {
	case err != nil:
		sb.WriteString(" (invalid RLP: " + err.Error() + ")")
	case len(rest) > 0:
		sb.WriteString(fmt.Sprintf(" (and %d bytes after the value)", len(rest)))
	}
	return truncate(strings.TrimPrefix(sb.String(), " "))
}

// maxRenderDepth bounds how deep renderRLP descends into nested lists.
const maxRenderDepth = 16

// renderValue writes the first value of b and returns the bytes after it.
func renderValue(sb *strings.Builder, b []byte, depth int) ([]byte, error) {
	if sb.Len() > maxShownText {
		return nil, nil // truncate cuts the text anyway
	}
	kind, content, rest, err := rlp.Split(b)
	if err != nil {
		return rest, err
	}
	switch kind {
	case rlp.Byte:
		fmt.Fprintf(sb, "0x%02x", content[0])
	case rlp.String:
		switch {
		case len(content) == 0:
			sb.WriteString(`""`)
		case len(content) >= 2 && printable(content):
			sb.WriteString(strconv.Quote(string(content)))
		default:
			sb.WriteString("0x" + hex.EncodeToString(content))
		}
	case rlp.List:
		if depth >= maxRenderDepth {
			sb.WriteString("[...]")
			return rest, nil
		}
		sb.WriteByte('[')
		for i := 0; len(content) > 0; i++ {
			if i > 0 {
				sb.WriteString(", ")
			}
			if content, err = renderValue(sb, content, depth+1); err != nil {
				sb.WriteByte(']')
				return rest, err
			}
		}
		sb.WriteByte(']')
	}
	return rest, nil
}

func printable(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

func truncate(s string) string {
	if len(s) <= maxShownText {
		return s
	}
	return s[:maxShownText] + "..."
}
