package importer

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// profileListCodeRE finds the one statement of an extraConfig entry that
// sets KubeSpawner's profile list (c.KubeSpawner.profile_list = ...).
var profileListCodeRE = regexp.MustCompile(`^c\.(?:KubeSpawner|Spawner)\.profile_list\s*=\s*`)

// pythonProfileList reads code that only sets c.KubeSpawner.profile_list
// to a Python literal (dicts, lists, strings, numbers, True, False, None;
// comments and blank lines around it). It says why not otherwise.
func pythonProfileList(code string) ([]any, string) {
	var body []string
	for _, l := range strings.Split(code, "\n") {
		if t := strings.TrimSpace(l); t == "" || strings.HasPrefix(t, "#") {
			if len(body) == 0 {
				continue
			}
		}
		body = append(body, l)
	}
	src := strings.Join(body, "\n")
	loc := profileListCodeRE.FindStringIndex(src)
	if loc == nil {
		return nil, "the code does more than set c.KubeSpawner.profile_list to a literal"
	}
	p := &pyParser{s: src, i: loc[1]}
	v, err := p.value()
	if err != nil {
		return nil, "c.KubeSpawner.profile_list is not a Python literal: " + err.Error()
	}
	p.space()
	if p.i < len(p.s) {
		return nil, fmt.Sprintf("the code goes on after the profile list (line %d): it does more than set it", p.line())
	}
	l, ok := v.([]any)
	if !ok {
		return nil, "c.KubeSpawner.profile_list is not a list"
	}
	return l, ""
}

// pyParser reads the Python literal subset a profile list is written in.
type pyParser struct {
	s string
	i int
}

func (p *pyParser) line() int { return strings.Count(p.s[:p.i], "\n") + 1 }

func (p *pyParser) errorf(format string, args ...any) error {
	return fmt.Errorf("line %d: %s", p.line(), fmt.Sprintf(format, args...))
}

// space skips whitespace, newlines and comments.
func (p *pyParser) space() {
	for p.i < len(p.s) {
		switch c := p.s[p.i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\\' && p.i+1 < len(p.s) && p.s[p.i+1] == '\n':
			p.i++
		case c == '#':
			for p.i < len(p.s) && p.s[p.i] != '\n' {
				p.i++
			}
		default:
			return
		}
	}
}

func (p *pyParser) value() (any, error) {
	p.space()
	if p.i >= len(p.s) {
		return nil, p.errorf("the literal ends early")
	}
	switch c := p.s[p.i]; {
	case c == '[':
		return p.list()
	case c == '{':
		return p.dict()
	case c == '"' || c == '\'':
		return p.strings()
	case c == '-' || c == '+' || c == '.' || c >= '0' && c <= '9':
		return p.number()
	}
	for word, v := range map[string]any{"True": true, "False": false, "None": nil} {
		if strings.HasPrefix(p.s[p.i:], word) && !identChar(p.s, p.i+len(word)) {
			p.i += len(word)
			return v, nil
		}
	}
	end := p.i
	for end < len(p.s) && identChar(p.s, end) {
		end++
	}
	if end > p.i {
		return nil, p.errorf("%s is a name, not a literal", p.s[p.i:end])
	}
	return nil, p.errorf("unexpected %q", p.s[p.i])
}

func identChar(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	c := s[i]
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func (p *pyParser) list() (any, error) {
	p.i++ // [
	out := []any{}
	for {
		p.space()
		if p.i < len(p.s) && p.s[p.i] == ']' {
			p.i++
			return out, nil
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		if err := p.sep(']'); err != nil {
			return nil, err
		}
	}
}

func (p *pyParser) dict() (any, error) {
	p.i++ // {
	out := map[string]any{}
	for {
		p.space()
		if p.i < len(p.s) && p.s[p.i] == '}' {
			p.i++
			return out, nil
		}
		k, err := p.value()
		if err != nil {
			return nil, err
		}
		ks, ok := k.(string)
		if !ok {
			return nil, p.errorf("a dict key is not a string")
		}
		if _, dup := out[ks]; dup {
			return nil, p.errorf("key %q is given twice", ks)
		}
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, p.errorf("no ':' after key %q", ks)
		}
		p.i++
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		out[ks] = v
		if err := p.sep('}'); err != nil {
			return nil, err
		}
	}
}

// sep reads a comma, or sees the closing bracket.
func (p *pyParser) sep(closing byte) error {
	p.space()
	if p.i >= len(p.s) {
		return p.errorf("no closing %q", closing)
	}
	switch p.s[p.i] {
	case ',':
		p.i++
		return nil
	case closing:
		return nil
	}
	return p.errorf("unexpected %q (a comma or %q was due)", p.s[p.i], closing)
}

// strings reads one string literal or several adjacent ones (Python
// joins them).
func (p *pyParser) strings() (any, error) {
	var b strings.Builder
	for {
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		b.WriteString(s)
		save := p.i
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != '"' && p.s[p.i] != '\'' {
			p.i = save
			return b.String(), nil
		}
	}
}

func (p *pyParser) str() (string, error) {
	q := p.s[p.i]
	triple := strings.HasPrefix(p.s[p.i:], strings.Repeat(string(q), 3))
	if triple {
		p.i += 3
	} else {
		p.i++
	}
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case triple && strings.HasPrefix(p.s[p.i:], strings.Repeat(string(q), 3)):
			p.i += 3
			return b.String(), nil
		case !triple && c == q:
			p.i++
			return b.String(), nil
		case !triple && c == '\n':
			return "", p.errorf("a string runs past the end of its line")
		case c == '\\' && p.i+1 < len(p.s):
			e := p.s[p.i+1]
			p.i += 2
			switch e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case '\\', '\'', '"':
				b.WriteByte(e)
			case '\n':
			default:
				return "", p.errorf("escape \\%c is not read here", e)
			}
		default:
			b.WriteByte(c)
			p.i++
		}
	}
	return "", p.errorf("a string is not closed")
}

func (p *pyParser) number() (any, error) {
	start := p.i
	for p.i < len(p.s) && strings.IndexByte("+-0123456789._eE", p.s[p.i]) >= 0 {
		p.i++
	}
	t := strings.ReplaceAll(p.s[start:p.i], "_", "")
	if n, err := strconv.Atoi(t); err == nil {
		return n, nil
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil {
		return nil, p.errorf("%s is not a number", t)
	}
	return f, nil
}
