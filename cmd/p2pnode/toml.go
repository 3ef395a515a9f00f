package main

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The config file is TOML (toml.io, v1.0.0), of which this reader takes
// the part a config of settings needs:
//
//	# comments, to the end of a line
//	key = "basic string, with \" \\ \n \t \uXXXX escapes"
//	key = 'literal string'
//	key = 42              # integers: decimal, with optional sign and _ between digits
//	key = true            # or false
//	key = ["arrays", "of strings", ]   # may span lines, with comments
//	[table]               # the keys below are "table.key"
//	table.key = 1         # dotted keys; bare keys are A-Z a-z 0-9 _ -
//
// Anything else of TOML (floats, dates, inline tables, arrays of tables,
// multi-line strings, arrays of other values) is refused with its line
// number, as are duplicate keys: the file never means something other than
// what it says. A key is returned in its dotted form ("log.level").

// tomlDoc is a parsed file: the keys in the order they appear, and their
// values (string, int64, bool or []string).
type tomlDoc struct {
	keys   []string
	values map[string]tomlVal
}

type tomlVal struct {
	v    any
	line int
}

// tomlError is a parse error on a line.
type tomlError struct {
	line int
	msg  string
}

func (e *tomlError) Error() string { return fmt.Sprintf("%d: %s", e.line, e.msg) }

type tomlParser struct {
	s      string
	pos    int
	line   int
	doc    *tomlDoc
	tables map[string]bool // tables given by a header or implied by a dotted key
	header map[string]bool // tables given by a header
}

// parseTOML parses the TOML subset above.
func parseTOML(text string) (*tomlDoc, error) {
	if !utf8.ValidString(text) {
		return nil, &tomlError{1, "the file is not UTF-8 text"}
	}
	p := &tomlParser{
		s: text, line: 1,
		doc:    &tomlDoc{values: make(map[string]tomlVal)},
		tables: make(map[string]bool),
		header: make(map[string]bool),
	}
	if err := p.document(); err != nil {
		return nil, err
	}
	return p.doc, nil
}

func (p *tomlParser) errorf(format string, args ...any) error {
	return &tomlError{p.line, fmt.Sprintf(format, args...)}
}

func (p *tomlParser) eof() bool { return p.pos >= len(p.s) }

func (p *tomlParser) peek() byte {
	if p.eof() {
		return 0
	}
	return p.s[p.pos]
}

// skipSpace skips spaces and tabs.
func (p *tomlParser) skipSpace() {
	for !p.eof() && (p.s[p.pos] == ' ' || p.s[p.pos] == '\t') {
		p.pos++
	}
}

// endOfLine expects optional space, an optional comment, and a line break
// or the end of the text, and consumes them.
func (p *tomlParser) endOfLine() error {
	p.skipSpace()
	if p.peek() == '#' {
		for !p.eof() && p.s[p.pos] != '\n' {
			p.pos++
		}
	}
	switch {
	case p.eof():
		return nil
	case p.s[p.pos] == '\n':
		p.pos++
		p.line++
		return nil
	case strings.HasPrefix(p.s[p.pos:], "\r\n"):
		p.pos += 2
		p.line++
		return nil
	}
	return p.errorf("unexpected %q after the value (one key = value per line; comments start with #)", p.rest())
}

// rest is what remains of the line, for error messages.
func (p *tomlParser) rest() string {
	r := p.s[p.pos:]
	if i := strings.IndexAny(r, "\r\n"); i >= 0 {
		r = r[:i]
	}
	return r
}

func (p *tomlParser) document() error {
	table := ""
	for {
		p.skipSpace()
		if p.eof() {
			return nil
		}
		switch p.peek() {
		case '#', '\n', '\r':
			if err := p.endOfLine(); err != nil {
				return err
			}
			continue
		case '[':
			t, err := p.tableHeader()
			if err != nil {
				return err
			}
			table = t
		default:
			if err := p.keyValue(table); err != nil {
				return err
			}
		}
		if err := p.endOfLine(); err != nil {
			return err
		}
	}
}

func (p *tomlParser) tableHeader() (string, error) {
	p.pos++ // [
	if p.peek() == '[' {
		return "", p.errorf("arrays of tables ([[...]]) are not supported")
	}
	p.skipSpace()
	parts, err := p.key()
	if err != nil {
		return "", err
	}
	p.skipSpace()
	if p.peek() != ']' {
		return "", p.errorf("want ] to end the table header")
	}
	p.pos++
	name := strings.Join(parts, ".")
	if p.header[name] {
		return "", p.errorf("table [%s] defined twice", name)
	}
	if _, ok := p.doc.values[name]; ok {
		return "", p.errorf("[%s] is already a key with a value", name)
	}
	p.header[name] = true
	p.tables[name] = true
	return name, nil
}

func (p *tomlParser) keyValue(table string) error {
	line := p.line
	parts, err := p.key()
	if err != nil {
		return err
	}
	if table != "" {
		parts = append([]string{table}, parts...)
	}
	p.skipSpace()
	if p.peek() != '=' {
		return p.errorf("want = after the key %q", strings.Join(parts, "."))
	}
	p.pos++
	p.skipSpace()
	v, err := p.value()
	if err != nil {
		return err
	}
	key := strings.Join(parts, ".")
	if prev, ok := p.doc.values[key]; ok {
		return &tomlError{line, fmt.Sprintf("key %q defined twice (first on line %d)", key, prev.line)}
	}
	if p.tables[key] {
		return &tomlError{line, fmt.Sprintf("key %q is already a table", key)}
	}
	for i := 1; i < len(parts); i++ {
		prefix := strings.Join(parts[:i], ".")
		if _, ok := p.doc.values[prefix]; ok {
			return &tomlError{line, fmt.Sprintf("key %q is already a key with a value", prefix)}
		}
		p.tables[prefix] = true
	}
	p.doc.keys = append(p.doc.keys, key)
	p.doc.values[key] = tomlVal{v, line}
	return nil
}

// key parses a key: simple keys separated by dots.
func (p *tomlParser) key() ([]string, error) {
	var parts []string
	for {
		k, err := p.simpleKey()
		if err != nil {
			return nil, err
		}
		parts = append(parts, k)
		p.skipSpace()
		if p.peek() != '.' {
			return parts, nil
		}
		p.pos++
		p.skipSpace()
	}
}

func isBareKeyChar(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

func (p *tomlParser) simpleKey() (string, error) {
	switch p.peek() {
	case '"':
		return p.basicString()
	case '\'':
		return p.literalString()
	}
	start := p.pos
	for !p.eof() && isBareKeyChar(p.s[p.pos]) {
		p.pos++
	}
	if p.pos == start {
		return "", p.errorf("want a key (letters, digits, _ and -, or a quoted string), have %q", p.rest())
	}
	return p.s[start:p.pos], nil
}

func (p *tomlParser) value() (any, error) {
	switch c := p.peek(); {
	case c == '"':
		return p.basicString()
	case c == '\'':
		return p.literalString()
	case c == '[':
		return p.array()
	case c == '{':
		return nil, p.errorf("inline tables are not supported")
	case strings.HasPrefix(p.s[p.pos:], "true"):
		p.pos += 4
		return true, nil
	case strings.HasPrefix(p.s[p.pos:], "false"):
		p.pos += 5
		return false, nil
	case c == '+' || c == '-' || c >= '0' && c <= '9':
		return p.integer()
	case p.eof() || c == '\n' || c == '\r' || c == '#':
		return nil, p.errorf("missing value after =")
	}
	return nil, p.errorf("want a value (a string in quotes, an integer, true, false or an array), have %q", p.rest())
}

func (p *tomlParser) integer() (any, error) {
	start := p.pos
	if c := p.peek(); c == '+' || c == '-' {
		p.pos++
	}
	digits := p.pos
	for !p.eof() && (p.s[p.pos] >= '0' && p.s[p.pos] <= '9' || p.s[p.pos] == '_') {
		p.pos++
	}
	text := p.s[start:p.pos]
	if !p.eof() && strings.ContainsRune(".eE:-xob", rune(p.s[p.pos])) || p.pos == digits {
		return nil, p.errorf("%q: only decimal integers are supported (no floats, dates or 0x)", text+p.rest())
	}
	d := p.s[digits:p.pos]
	if strings.HasPrefix(d, "_") || strings.HasSuffix(d, "_") || strings.Contains(d, "__") {
		return nil, p.errorf("%q: underscores must be between digits", text)
	}
	d = strings.ReplaceAll(d, "_", "")
	if len(d) > 1 && d[0] == '0' {
		return nil, p.errorf("%q: leading zeros are not allowed", text)
	}
	n, err := strconv.ParseInt(strings.ReplaceAll(text, "_", ""), 10, 64)
	if err != nil {
		return nil, p.errorf("%q: integer out of range", text)
	}
	return n, nil
}

func (p *tomlParser) basicString() (string, error) {
	if strings.HasPrefix(p.s[p.pos:], `"""`) {
		return "", p.errorf("multi-line strings are not supported")
	}
	p.pos++
	var b strings.Builder
	for {
		if p.eof() || p.s[p.pos] == '\n' || p.s[p.pos] == '\r' {
			return "", p.errorf("unterminated string (a \" is missing)")
		}
		c := p.s[p.pos]
		switch {
		case c == '"':
			p.pos++
			return b.String(), nil
		case c == '\\':
			if err := p.escape(&b); err != nil {
				return "", err
			}
		case c < 0x20 && c != '\t' || c == 0x7f:
			return "", p.errorf("control character %q in a string (use an escape)", c)
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
}

func (p *tomlParser) escape(b *strings.Builder) error {
	p.pos++ // backslash
	if p.eof() {
		return p.errorf("unterminated string")
	}
	c := p.s[p.pos]
	p.pos++
	switch c {
	case 'b':
		b.WriteByte('\b')
	case 't':
		b.WriteByte('\t')
	case 'n':
		b.WriteByte('\n')
	case 'f':
		b.WriteByte('\f')
	case 'r':
		b.WriteByte('\r')
	case '"':
		b.WriteByte('"')
	case '\\':
		b.WriteByte('\\')
	case 'u', 'U':
		n := 4
		if c == 'U' {
			n = 8
		}
		if p.pos+n > len(p.s) {
			return p.errorf("short \\%c escape", c)
		}
		code, err := strconv.ParseUint(p.s[p.pos:p.pos+n], 16, 32)
		if err != nil || !utf8.ValidRune(rune(code)) {
			return p.errorf("bad \\%c escape %q", c, p.s[p.pos:p.pos+n])
		}
		p.pos += n
		b.WriteRune(rune(code))
	default:
		return p.errorf("unknown escape \\%c in a string (for a Windows path, use 'single quotes')", c)
	}
	return nil
}

func (p *tomlParser) literalString() (string, error) {
	if strings.HasPrefix(p.s[p.pos:], "'''") {
		return "", p.errorf("multi-line strings are not supported")
	}
	p.pos++
	start := p.pos
	for {
		if p.eof() || p.s[p.pos] == '\n' || p.s[p.pos] == '\r' {
			return "", p.errorf("unterminated string (a ' is missing)")
		}
		c := p.s[p.pos]
		if c == '\'' {
			s := p.s[start:p.pos]
			p.pos++
			return s, nil
		}
		if c < 0x20 && c != '\t' || c == 0x7f {
			return "", p.errorf("control character %q in a string", c)
		}
		p.pos++
	}
}

// skipBlank skips space, line breaks and comments, inside an array.
func (p *tomlParser) skipBlank() {
	for !p.eof() {
		switch p.s[p.pos] {
		case ' ', '\t', '\r':
			p.pos++
		case '\n':
			p.pos++
			p.line++
		case '#':
			for !p.eof() && p.s[p.pos] != '\n' {
				p.pos++
			}
		default:
			return
		}
	}
}

func (p *tomlParser) array() ([]string, error) {
	p.pos++ // [
	list := []string{}
	for {
		p.skipBlank()
		if p.eof() {
			return nil, p.errorf("unterminated array (a ] is missing)")
		}
		if p.peek() == ']' {
			p.pos++
			return list, nil
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		s, ok := v.(string)
		if !ok {
			return nil, p.errorf("only arrays of strings are supported, have %s", tomlType(v))
		}
		list = append(list, s)
		p.skipBlank()
		switch p.peek() {
		case ',':
			p.pos++
		case ']':
		default:
			return nil, p.errorf("want , or ] in the array, have %q", p.rest())
		}
	}
}

// tomlType names the type of a parsed value, for errors.
func tomlType(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("the string %q", v)
	case int64:
		return fmt.Sprintf("the integer %d", v)
	case bool:
		return fmt.Sprintf("%v", v)
	case []string:
		return "an array"
	}
	return fmt.Sprintf("%T", v)
}

// tomlString encodes s as a TOML basic string.
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
