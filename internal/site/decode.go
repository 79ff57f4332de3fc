package site

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// MaxFileSize is the largest site or fleet file hubfleet reads (32 MiB).
// A site file is normally a few kilobytes; a larger one is refused before
// it is parsed, so a runaway file cannot exhaust memory or time.
const MaxFileSize = 32 << 20

// DecodeSite strictly decodes a site file. file is the path used in error
// messages. Every decoding problem is returned, as an ErrorList.
//
// When the file parses as YAML, the returned Site is not nil even if
// there are errors: the fields that failed to decode are listed in
// Site.Invalid, and Validate skips only the checks that need them.
func DecodeSite(file string, data []byte) (*Site, error) {
	return DecodeSiteContext(context.Background(), file, data)
}

// DecodeSiteContext is DecodeSite that stops when ctx is done.
func DecodeSiteContext(ctx context.Context, file string, data []byte) (*Site, error) {
	var s Site
	d, err := decodeStrict(ctx, file, data, &s)
	if d == nil {
		return nil, err
	}
	s.File, s.Lines, s.Invalid = file, d.lines, d.invalid
	err = s.guardSecrets(data, err) // the secret guard's one scan; see secretguard.go
	return &s, err
}

// DecodeFleet strictly decodes the fleet file. Like DecodeSite it returns
// the partly decoded Fleet along with the errors.
func DecodeFleet(file string, data []byte) (*Fleet, error) {
	return DecodeFleetContext(context.Background(), file, data)
}

// DecodeFleetContext is DecodeFleet that stops when ctx is done.
func DecodeFleetContext(ctx context.Context, file string, data []byte) (*Fleet, error) {
	var f Fleet
	d, err := decodeStrict(ctx, file, data, &f)
	if d == nil {
		return nil, err
	}
	f.File, f.Lines, f.Invalid = file, d.lines, d.invalid
	err = f.guardSecrets(data, err) // the secret guard's one scan; see secretguard.go
	return &f, err
}

// decoded is what decodeStrict learnt about a file besides its values.
type decoded struct {
	lines   map[string]int
	invalid map[string]bool
}

// utf8BOM is the byte-order mark some editors write at the start of a file.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// decodeStrict decodes one YAML document into out, reporting unknown
// fields, duplicate keys and type errors with their lines, all of them.
// It returns nil (and the error) only when there is no document to
// validate: the file is too large, not UTF-8, not YAML or empty.
func decodeStrict(ctx context.Context, file string, data []byte, out any) (*decoded, error) {
	if len(data) > MaxFileSize {
		return nil, ErrorList{{File: file, Line: 1, Kind: KindSize,
			Msg: fmt.Sprintf("the file is %d bytes, more than hubfleet's limit of %d bytes (32 MiB)", len(data), MaxFileSize),
			Fix: "keep large chart values out of the site file; a site file is normally a few kilobytes"}}
	}
	data = bytes.TrimPrefix(data, utf8BOM)
	if !utf8.Valid(data) {
		line, col, b := firstInvalidUTF8(data)
		return nil, ErrorList{{File: file, Line: line, Kind: KindEncoding,
			Msg: fmt.Sprintf("the file is not UTF-8 text: byte 0x%02X at column %d cannot be read", b, col),
			Fix: "save the file as UTF-8 (for example `iconv -f latin1 -t utf-8`), or remove the byte"}}
	}
	root, extraLine, err := parse(ctx, data)
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return nil, err
	case errors.Is(err, io.EOF):
		return nil, ErrorList{emptyError(file, 1, "the file is empty")}
	case err != nil:
		return nil, ErrorList{syntaxError(file, err)}
	}
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		line := root.Line
		if line == 0 {
			line = 1
		}
		return nil, ErrorList{emptyError(file, line, "the file holds a null document ("+strconv.Quote(root.Value)+"), not a "+kindOf(out))}
	}
	w := walker{ctx: ctx, r: reporter{file: file}, lines: map[string]int{}, invalid: map[string]bool{}}
	if extraLine > 0 {
		w.r.errs = append(w.r.errs, &FieldError{File: file, Line: extraLine, Kind: KindSyntax,
			Msg: "the file holds more than one YAML document",
			Fix: "keep one " + strings.ToLower(kindOf(out)) + " per file; remove the extra '---' document"})
	}
	w.decode(root, reflect.ValueOf(out).Elem(), "")
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return &decoded{lines: w.lines, invalid: w.invalid}, w.r.errs.Err()
}

func kindOf(out any) string {
	if _, ok := out.(*Fleet); ok {
		return KindFleet
	}
	return KindSite
}

func emptyError(file string, line int, msg string) *FieldError {
	return &FieldError{File: file, Line: line, Kind: KindEmpty, Msg: msg,
		Fix: "write a Site (apiVersion: " + APIVersion + ", kind: Site, metadata, spec): copy an example from clusters/, or run `hubfleet import`"}
}

// parse reads the first YAML document and the line of a second one, if
// any. The parser cannot be interrupted, so it runs apart and parse
// returns as soon as ctx is done.
func parse(ctx context.Context, data []byte) (*yaml.Node, int, error) {
	type result struct {
		doc   *yaml.Node
		extra int
		err   error
	}
	ch := make(chan result, 1)
	go func() {
		var doc yaml.Node
		dec := yaml.NewDecoder(bytes.NewReader(data))
		if err := dec.Decode(&doc); err != nil {
			ch <- result{err: err}
			return
		}
		var extra yaml.Node
		line := 0
		if err := dec.Decode(&extra); err == nil {
			line = max(extra.Line, 1)
		}
		ch <- result{doc: &doc, extra: line}
	}()
	select {
	case r := <-ch:
		return r.doc, r.extra, r.err
	case <-ctx.Done():
		return nil, 0, ctx.Err()
	}
}

func firstInvalidUTF8(data []byte) (line, col int, b byte) {
	line, col = 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return line, col, data[i]
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += size
	}
	return line, col, 0
}

func syntaxError(file string, err error) *FieldError {
	fe := &FieldError{File: file, Kind: KindSyntax, Msg: err.Error(),
		Fix: "fix the YAML syntax at that line"}
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		fe.Msg = strings.Join(te.Errors, "; ")
	}
	// yaml.v3 messages start with "yaml: line N: ".
	msg := strings.TrimPrefix(fe.Msg, "yaml: ")
	if strings.HasPrefix(msg, "line ") {
		rest := strings.TrimPrefix(msg, "line ")
		if i := strings.Index(rest, ":"); i > 0 {
			if n, err := strconv.Atoi(rest[:i]); err == nil {
				fe.Line = n
				msg = strings.TrimSpace(rest[i+1:])
			}
		}
	}
	if fe.Line == 0 {
		fe.Line = 1
	}
	if strings.Contains(msg, "found character that cannot start any token") {
		fe.Fix = "indent with spaces, not tabs, and quote values that start with @, ` or %"
	}
	fe.Msg = msg
	return fe
}

// walker decodes a YAML tree into a typed value, checking every node
// against the type and recording every problem, every line and every
// field that could not be decoded. It visits each node once, so decoding
// is linear in the size of the file.
type walker struct {
	ctx     context.Context
	r       reporter
	lines   map[string]int
	invalid map[string]bool
	visited int
	stopped bool
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func (w *walker) errAt(n *yaml.Node, kind Kind, field, fix, format string, args ...any) {
	w.r.errs = append(w.r.errs, &FieldError{File: w.r.file, Line: max(n.Line, 1), Field: field,
		Kind: kind, Msg: fmt.Sprintf(format, args...), Fix: fix})
}

// bad records a problem at field and marks the field as not decoded.
func (w *walker) bad(n *yaml.Node, kind Kind, field, fix, format string, args ...any) {
	w.errAt(n, kind, fieldOrDoc(field), fix, format, args...)
	w.invalid[field] = true
}

func fieldOrDoc(f string) string {
	if f == "" {
		return "(document)"
	}
	return f
}

// done reports (every 1024 nodes) whether the context is done.
func (w *walker) done() bool {
	if w.stopped {
		return true
	}
	w.visited++
	if w.visited&1023 == 0 && w.ctx.Err() != nil {
		w.stopped = true
	}
	return w.stopped
}

var anyType = reflect.TypeOf((*any)(nil)).Elem()

// decode checks node n against v's type at path and stores it in v.
func (w *walker) decode(n *yaml.Node, v reflect.Value, path string) {
	if w.done() {
		return
	}
	if n.Kind == yaml.AliasNode {
		// Aliases can expand exponentially ("billion laughs"); a site file
		// has no need for them.
		w.bad(n, KindSyntax, path, "write the value out instead of *"+n.Value, "YAML aliases are not supported")
		return
	}
	if path != "" {
		if _, ok := w.lines[path]; !ok {
			w.lines[path] = n.Line
		}
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return
	}
	t := v.Type()
	if t.Kind() == reflect.Pointer {
		if v.IsNil() {
			v.Set(reflect.New(t.Elem()))
		}
		w.decode(n, v.Elem(), path)
		return
	}
	switch {
	case t == anyType:
		if x, ok := w.free(n, path); ok && x != nil {
			v.Set(reflect.ValueOf(x))
		}
	case t.Kind() == reflect.Struct:
		if n.Kind != yaml.MappingNode {
			w.bad(n, KindType, path, "write a mapping of "+fieldList(t), "expected a mapping, found %s", describe(n))
			return
		}
		fields := structFields(t)
		w.eachPair(n, path, func(key, val *yaml.Node) {
			f, ok := fields[key.Value]
			if !ok {
				fix := "remove it"
				if s := closest(key.Value, slices.Sorted(maps.Keys(fields))); s != "" {
					fix = fmt.Sprintf("did you mean %q?", s)
				}
				w.errAt(key, KindUnknownField, join(path, key.Value), fix,
					"unknown field %q (known: %s)", key.Value, fieldList(t))
				return
			}
			w.decode(val, v.Field(f.index), join(path, key.Value))
		})
	case t.Kind() == reflect.Map:
		if n.Kind != yaml.MappingNode {
			w.bad(n, KindType, path, "write a mapping (key: value per line)", "expected a mapping, found %s", describe(n))
			return
		}
		m := reflect.MakeMapWithSize(t, len(n.Content)/2)
		w.eachPair(n, path, func(key, val *yaml.Node) {
			p := join(path, key.Value)
			ev := reflect.New(t.Elem()).Elem()
			w.decode(val, ev, p)
			m.SetMapIndex(reflect.ValueOf(key.Value).Convert(t.Key()), ev)
		})
		v.Set(m)
	case t.Kind() == reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			w.bad(n, KindType, path, "write a list ('- item' per line)", "expected a list, found %s", describe(n))
			return
		}
		s := reflect.MakeSlice(t, len(n.Content), len(n.Content))
		for i, c := range n.Content {
			w.decode(c, s.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
		v.Set(s)
	default:
		if n.Kind != yaml.ScalarNode {
			w.bad(n, KindType, path, "write a single "+kindName(t)+" value", "expected a %s, found %s", kindName(t), describe(n))
			return
		}
		w.scalar(n, v, path)
	}
}

// scalar stores a scalar node in a bool, number or string.
func (w *walker) scalar(n *yaml.Node, v reflect.Value, path string) {
	t := v.Type()
	tag := n.ShortTag()
	switch t.Kind() {
	case reflect.String:
		v.SetString(n.Value)
	case reflect.Bool:
		b, ok := resolveBool(n)
		if !ok {
			w.bad(n, KindType, path, "write true or false", "%q is not a %s", n.Value, kindName(t))
			return
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int64, reflect.Int32:
		var i int64
		if tag != "!!int" || n.Decode(&i) != nil || v.OverflowInt(i) {
			fix := "write a whole number, e.g. 1"
			if f, err := strconv.ParseFloat(n.Value, 64); err == nil && tag == "!!float" && math.Abs(f) < 1e15 {
				fix = fmt.Sprintf("write a whole number, e.g. %d", int64(math.Round(f)))
			}
			w.bad(n, KindType, path, fix, "%q is not a %s", n.Value, kindName(t))
			return
		}
		v.SetInt(i)
	case reflect.Float64, reflect.Float32:
		var f float64
		if (tag != "!!int" && tag != "!!float") || n.Decode(&f) != nil {
			w.bad(n, KindType, path, "write a "+kindName(t)+", e.g. 1.5", "%q is not a %s", n.Value, kindName(t))
			return
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			w.bad(n, KindNumber, path, "write a finite number, e.g. 1.5", "%q is not a finite number", n.Value)
			return
		}
		v.SetFloat(f)
	default:
		w.bad(n, KindType, path, "remove it", "cannot decode %q here", n.Value)
	}
}

func resolveBool(n *yaml.Node) (bool, bool) {
	if n.ShortTag() != "!!bool" {
		return false, false
	}
	var b bool
	if err := n.Decode(&b); err != nil {
		return false, false
	}
	return b, true
}

// free decodes a free-form value (chart values): mappings become
// map[string]any, lists []any, scalars string, bool, int, float64 or nil.
// Numbers must be finite and YAML tags other than the core ones are
// refused: the values end up as JSON, which has neither.
func (w *walker) free(n *yaml.Node, path string) (any, bool) {
	if w.done() {
		return nil, false
	}
	switch n.Kind {
	case yaml.AliasNode:
		w.bad(n, KindSyntax, path, "write the value out instead of *"+n.Value, "YAML aliases are not supported")
		return nil, false
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		w.eachPair(n, path, func(key, val *yaml.Node) {
			p := join(path, key.Value)
			if x, ok := w.free(val, p); ok {
				m[key.Value] = x
			}
		})
		return m, true
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for i, c := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			w.lines[p] = c.Line
			x, _ := w.free(c, p)
			s = append(s, x)
		}
		return s, true
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return nil, true
		case "!!str", "!!timestamp", "!!binary":
			return n.Value, true
		case "!!bool":
			b, _ := resolveBool(n)
			return b, true
		case "!!int":
			var i int64
			if err := n.Decode(&i); err == nil {
				return int(i), true
			}
			var f float64
			if err := n.Decode(&f); err == nil {
				return f, true
			}
		case "!!float":
			var f float64
			if err := n.Decode(&f); err == nil {
				if math.IsNaN(f) || math.IsInf(f, 0) {
					w.bad(n, KindNumber, path, "write a finite number, or quote it to pass a string", "%q is not a finite number (chart values are JSON, which has no NaN or infinity)", n.Value)
					return nil, false
				}
				return f, true
			}
		}
		w.bad(n, KindType, path, "remove the tag, or quote the value", "the YAML tag %s is not supported in chart values", n.Tag)
		return nil, false
	}
	return nil, false
}

// eachPair visits the pairs of a mapping, reporting duplicate keys.
func (w *walker) eachPair(n *yaml.Node, path string, visit func(key, val *yaml.Node)) {
	seen := make(map[string]int, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		if w.done() {
			return
		}
		key, val := n.Content[i], n.Content[i+1]
		if key.Kind != yaml.ScalarNode {
			w.bad(key, KindType, path, "use a plain string as the key", "a mapping key must be a string, found %s", describe(key))
			continue
		}
		if key.Tag == "!!merge" {
			w.errAt(key, KindSyntax, fieldOrDoc(path), "write the keys out", "YAML merge keys (<<) are not supported")
			continue
		}
		if first, dup := seen[key.Value]; dup {
			w.errAt(key, KindDuplicateKey, join(path, key.Value), "keep one of them",
				"key %q is written twice (first at line %d)", key.Value, first)
			continue
		}
		seen[key.Value] = key.Line
		w.lines[join(path, key.Value)] = key.Line
		visit(key, val)
	}
}

type field struct {
	index int
	Type  reflect.Type
}

func structFields(t reflect.Type) map[string]field {
	out := map[string]field{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		name, _, _ := strings.Cut(tag, ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = field{index: i, Type: f.Type}
	}
	return out
}

func fieldList(t reflect.Type) string {
	return strings.Join(slices.Sorted(maps.Keys(structFields(t))), ", ")
}

func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "boolean (true or false)"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "whole number"
	case reflect.Float64, reflect.Float32:
		return "number"
	case reflect.String:
		return "string"
	}
	return t.String()
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	default:
		return fmt.Sprintf("%q", n.Value)
	}
}

// closest returns the candidate within edit distance 2 of s, if any.
func closest(s string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		if d := distance(strings.ToLower(s), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// Closest returns the candidate within edit distance 2 of s (ignoring
// case), or "" when none is that close: the "did you mean" of every
// message.
func Closest(s string, candidates []string) string { return closest(s, candidates) }

// distance is the Levenshtein distance of a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
