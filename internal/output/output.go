package output

import (
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"golang.org/x/term"
	"gopkg.in/yaml.v3"
)

// Format is an output format.
type Format string

// The formats. Not every command offers every one.
const (
	Text     Format = "text"
	JSON     Format = "json"
	YAML     Format = "yaml"
	Markdown Format = "markdown"
)

// Machine are the formats of a command whose output is data: text, json, yaml.
var Machine = []Format{Text, JSON, YAML}

// All are the formats of a command with a report for humans too.
var All = []Format{Text, JSON, YAML, Markdown}

// ParseFormat checks s against the formats a command offers.
func ParseFormat(s string, allowed []Format) (Format, error) {
	if slices.Contains(allowed, Format(s)) {
		return Format(s), nil
	}
	return "", fmt.Errorf("--output %q: use %s", s, Names(allowed))
}

// Names lists formats for help texts: "text, json or yaml".
func Names(fs []Format) string {
	var s []string
	for _, f := range fs {
		s = append(s, string(f))
	}
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// SchemaVersion is the version of every schema in schemas/.
const SchemaVersion = 1

// Header starts every JSON and YAML document hubfleet writes.
type Header struct {
	// SchemaVersion is the version of the document's schema.
	SchemaVersion int `json:"schemaVersion"`
	// Kind names the schema: schemas/<kind>.json.
	Kind string `json:"kind"`
}

// NewHeader returns the header of a document of kind.
func NewHeader(kind string) Header { return Header{SchemaVersion: SchemaVersion, Kind: kind} }

// WriteJSON writes v as indented JSON, with &, < and > as they are (URLs
// stay readable).
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// WriteYAML writes v as YAML, with the same field names and order as
// its JSON (JSON is YAML: the node tree keeps the order).
func WriteYAML(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return err
	}
	plainStyle(&doc)
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return err
	}
	return enc.Close()
}

// plainStyle drops the JSON flow style and quotes the decoder kept, where
// YAML does not need them.
func plainStyle(n *yaml.Node) {
	if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
		n.Style = 0
	}
	if n.Kind == yaml.ScalarNode && n.Style == yaml.DoubleQuotedStyle {
		n.Style = 0
	}
	for _, c := range n.Content {
		plainStyle(c)
	}
}

// WriteData writes v as JSON or YAML; text and markdown are the caller's.
func WriteData(w io.Writer, f Format, v any) error {
	switch f {
	case JSON:
		return WriteJSON(w, v)
	case YAML:
		return WriteYAML(w, v)
	}
	return fmt.Errorf("output format %s is not data", f)
}

// Result is what a command prints: a value whose JSON and YAML are its
// fields (starting with a Header), with its text for people.
type Result interface {
	WriteText(w io.Writer, st Style) error
}

// MarkdownResult is a Result that also has a Markdown report.
type MarkdownResult interface {
	Result
	WriteMarkdown(w io.Writer) error
}

// Print writes r in format f: its text, its Markdown, or r itself as JSON
// or YAML. Every command prints its result through here.
func Print(w io.Writer, f Format, r Result, st Style) error {
	switch f {
	case Text:
		return r.WriteText(w, st)
	case Markdown:
		m, ok := r.(MarkdownResult)
		if !ok {
			return fmt.Errorf("output format %s is not offered here", f)
		}
		return m.WriteMarkdown(w)
	}
	return WriteData(w, f, r)
}

//go:embed schemas/*.json
var schemas embed.FS

// Schema returns the JSON schema of a document kind.
func Schema(kind string) ([]byte, error) {
	return schemas.ReadFile("schemas/" + kind + ".json")
}

// Kinds lists the document kinds that have a schema.
func Kinds() []string {
	entries, _ := schemas.ReadDir("schemas")
	var kinds []string
	for _, e := range entries {
		kinds = append(kinds, strings.TrimSuffix(e.Name(), ".json"))
	}
	return kinds
}

// IsTerminal reports whether w is a terminal: a file that is one, or a
// writer that says so itself (a fake terminal in tests).
func IsTerminal(w any) bool {
	if t, ok := w.(interface{ IsTerminal() bool }); ok {
		return t.IsTerminal()
	}
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Style colours text for a terminal, or leaves it plain.
type Style struct{ on bool }

// NewStyle colours output to w only when w is a terminal, noColor is false
// and the NO_COLOR environment variable (read through getenv) is empty.
func NewStyle(w io.Writer, noColor bool, getenv func(string) string) Style {
	return Style{on: !noColor && getenv("NO_COLOR") == "" && IsTerminal(w)}
}

// Colored returns a Style that always colours, for tests.
func Colored() Style { return Style{on: true} }

func (s Style) wrap(code, text string) string {
	if !s.on {
		return text
	}
	return "\x1b[" + code + "m" + text + "\x1b[0m"
}

// Good is text about a success (green).
func (s Style) Good(text string) string { return s.wrap("32", text) }

// Warn is text about a warning or an unknown (yellow).
func (s Style) Warn(text string) string { return s.wrap("33", text) }

// Bad is text about a failure (red).
func (s Style) Bad(text string) string { return s.wrap("31", text) }

// Bold is emphasised text.
func (s Style) Bold(text string) string { return s.wrap("1", text) }

// Faint is secondary text.
func (s Style) Faint(text string) string { return s.wrap("2", text) }
