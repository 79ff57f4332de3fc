package chart

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	helmchart "helm.sh/helm/v3/pkg/chart"
)

type compiledSchema struct {
	chart  string // chart name, for messages
	schema *jsonschema.Schema
}

// compileSchemas compiles the values.schema.json of the chart and every
// subchart once. Schemas are keyed by the values path of the (sub)chart:
// "" for the top chart, "jupyterhub" for its subchart.
func (c *Chart) compileSchemas() (map[string]*compiledSchema, error) {
	c.schemaOnce.Do(func() {
		c.schemas = map[string]*compiledSchema{}
		c.schemaErr = compileTree(c.chart, "", c.schemas)
	})
	return c.schemas, c.schemaErr
}

func compileTree(hc *helmchart.Chart, path string, out map[string]*compiledSchema) error {
	var errs []error
	if len(hc.Schema) > 0 {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(hc.Schema))
		if err != nil {
			errs = append(errs, fmt.Errorf("parse values.schema.json of %s: %w", hc.Name(), err))
		} else {
			// No loaders: a chart schema that references the network is
			// an error here rather than a fetch per render.
			comp := jsonschema.NewCompiler()
			if err := comp.AddResource("file:///values.schema.json", doc); err != nil {
				errs = append(errs, fmt.Errorf("schema of %s: %w", hc.Name(), err))
			} else if s, err := comp.Compile("file:///values.schema.json"); err != nil {
				errs = append(errs, fmt.Errorf("compile values.schema.json of %s: %w", hc.Name(), err))
			} else {
				out[path] = &compiledSchema{chart: hc.Name(), schema: s}
			}
		}
	}
	for _, d := range hc.Dependencies() {
		if err := compileTree(d, joinPath(path, d.Name()), out); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func joinPath(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}

// validate checks the coalesced values of a processed chart against the
// compiled schemas of the chart and its enabled subcharts.
func validate(hc *helmchart.Chart, vals map[string]any, path string, schemas map[string]*compiledSchema) []Problem {
	var out []Problem
	if s, ok := schemas[path]; ok {
		if err := s.schema.Validate(vals); err != nil {
			out = append(out, schemaProblems(s.chart, path, err)...)
		}
	}
	for _, d := range hc.Dependencies() {
		sub, _ := vals[d.Name()].(map[string]any)
		if sub == nil {
			sub = map[string]any{}
		}
		out = append(out, validate(d, sub, joinPath(path, d.Name()), schemas)...)
	}
	return out
}

func schemaProblems(chartName, prefix string, err error) []Problem {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return []Problem{{Kind: ProblemSchema, Chart: chartName, Path: prefix, Message: err.Error()}}
	}
	var out []Problem
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		loc := append([]string(nil), e.InstanceLocation...)
		if ap, ok := e.ErrorKind.(*kind.AdditionalProperties); ok {
			props := append([]string(nil), ap.Properties...)
			sort.Strings(props)
			for _, p := range props {
				out = append(out, Problem{
					Kind:    ProblemSchema,
					Chart:   chartName,
					Path:    valuesPath(prefix, append(loc, p)),
					Message: "unknown key: the chart's values.schema.json does not allow it",
				})
			}
			return
		}
		out = append(out, Problem{
			Kind:    ProblemSchema,
			Chart:   chartName,
			Path:    valuesPath(prefix, loc),
			Message: leafMessage(e),
		})
	}
	walk(ve)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

func leafMessage(e *jsonschema.ValidationError) string {
	msg := e.Error()
	// The jsonschema message starts with "at '/x/y': "; the path is
	// reported separately.
	if i := strings.Index(msg, ": "); i >= 0 && strings.HasPrefix(msg, "at ") {
		msg = msg[i+2:]
	}
	return msg
}

// valuesPath joins a values path prefix and a JSON instance location into
// a dotted path, with [i] for array indexes.
func valuesPath(prefix string, loc []string) string {
	var b strings.Builder
	b.WriteString(prefix)
	for _, p := range loc {
		if isIndex(p) {
			b.WriteString("[" + p + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
}

func isIndex(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
