package importer

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hubfleet/hubfleet/internal/site"
)

// Encode writes a site as a site file, with a header naming its source.
func Encode(s *site.Site, source string) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Imported by hubfleet from %s. Review it, then run 'hubfleet render'.\n", source)
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(leadingNewlinesQuoted(s)); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// leadingNewlinesQuoted is a copy of s whose passed-through values write
// a string that begins with a line break in double quotes: yaml.v3 writes
// such a string as a literal block and drops its first, empty line, so
// the value read back would lose its leading newline (a value passed
// through must reach the release unchanged).
func leadingNewlinesQuoted(s *site.Site) *site.Site {
	c := *s
	c.Spec.Values = quoteLeading(s.Spec.Values).(map[string]any)
	c.Spec.Chart.UmbrellaValues = quoteLeading(s.Spec.Chart.UmbrellaValues).(map[string]any)
	c.Spec.Releases = slices.Clone(s.Spec.Releases)
	for i := range c.Spec.Releases {
		c.Spec.Releases[i].Values = quoteLeading(c.Spec.Releases[i].Values).(map[string]any)
	}
	return &c
}

// quotedString is a string written in double quotes.
type quotedString string

func (q quotedString) MarshalYAML() (any, error) {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: string(q), Style: yaml.DoubleQuotedStyle}, nil
}

// quoteLeading copies v (maps, lists, scalars) with each string that
// begins with a line break made a quotedString.
func quoteLeading(v any) any {
	switch t := v.(type) {
	case map[string]any:
		if t == nil {
			return t
		}
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = quoteLeading(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = quoteLeading(e)
		}
		return out
	case string:
		if strings.HasPrefix(t, "\n") {
			return quotedString(t)
		}
	}
	return v
}
