package valuesschema

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/hubfleet/hubfleet/internal/chart"
	"github.com/hubfleet/hubfleet/internal/site"
)

// Unknown is one values key a chart's schema does not allow.
type Unknown struct {
	// Path is the dotted values path (daskhub layout), e.g.
	// jupyterhub.singleuser.memmory.
	Path string
	// Suggestion is the allowed key closest to the unknown one, if any.
	Suggestion string
	// Chart names the chart whose schema refuses the key, e.g.
	// "jupyterhub 4.4.0".
	Chart string
}

// schema is the part of a JSON Schema the key check reads.
type schema struct {
	Properties           map[string]*schema `json:"properties"`
	PatternProperties    map[string]*schema `json:"patternProperties"`
	AdditionalProperties json.RawMessage    `json:"additionalProperties"`
}

// Schema is a parsed values.schema.json.
type Schema struct {
	root     *schema
	patterns map[string]*regexp.Regexp
}

// Parse reads a values.schema.json.
func Parse(data []byte) (*Schema, error) {
	var root schema
	if err := json.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("values.schema.json: %w", err)
	}
	s := &Schema{root: &root, patterns: map[string]*regexp.Regexp{}}
	var compile func(n *schema) error
	compile = func(n *schema) error {
		if n == nil {
			return nil
		}
		for p, sub := range n.PatternProperties {
			if _, ok := s.patterns[p]; !ok {
				re, err := regexp.Compile(p)
				if err != nil {
					return fmt.Errorf("values.schema.json: pattern %q: %w", p, err)
				}
				s.patterns[p] = re
			}
			if err := compile(sub); err != nil {
				return err
			}
		}
		for _, sub := range n.Properties {
			if err := compile(sub); err != nil {
				return err
			}
		}
		if sub := n.additional(); sub != nil {
			return compile(sub)
		}
		return nil
	}
	return s, compile(&root)
}

// closed reports whether the schema forbids keys it does not name.
func (n *schema) closed() bool {
	return strings.TrimSpace(string(n.AdditionalProperties)) == "false"
}

// additional is the schema of keys the schema does not name, if it is one.
func (n *schema) additional() *schema {
	raw := strings.TrimSpace(string(n.AdditionalProperties))
	if !strings.HasPrefix(raw, "{") {
		return nil
	}
	var sub schema
	if json.Unmarshal(n.AdditionalProperties, &sub) != nil {
		return nil
	}
	return &sub
}

// Check returns the keys of values (rooted at prefix) that the schema
// does not allow, in path order.
func (s *Schema) Check(values map[string]any, prefix, chartName string) []Unknown {
	var out []Unknown
	s.walk(s.root, values, prefix, chartName, &out)
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

func (s *Schema) walk(n *schema, values map[string]any, path, chartName string, out *[]Unknown) {
	for k, v := range values {
		p := k
		if path != "" {
			p = path + "." + k
		}
		sub, ok := n.Properties[k]
		if !ok {
			for pat, ps := range n.PatternProperties {
				if s.patterns[pat].MatchString(k) {
					sub, ok = ps, true
					break
				}
			}
		}
		if !ok {
			if n.closed() {
				names := make([]string, 0, len(n.Properties))
				for name := range n.Properties {
					names = append(names, name)
				}
				*out = append(*out, Unknown{Path: p, Suggestion: site.Closest(k, names), Chart: chartName})
				continue
			}
			sub = n.additional()
		}
		if m, isMap := v.(map[string]any); isMap && sub != nil {
			s.walk(sub, m, p, chartName, out)
		}
	}
}

// Options configures CheckSite.
type Options struct {
	// Resolver reads charts; build it with Offline set so validation
	// never waits on the network.
	Resolver *chart.Resolver
}

// use is one chart a site runs and the values subtree it receives.
type use struct {
	ref chart.Ref
	// sections maps a top-level values key (jupyterhub, dask-gateway) to
	// the schema path inside the chart ("" or a subchart name).
	sections map[string]string
}

func uses(s *site.Site, f *site.Fleet) []use {
	charts := f.ChartsFor(s.Spec.Wave)
	ref := func(c site.ChartSource) chart.Ref {
		return chart.Ref{RepoURL: c.Repository, Name: c.Chart, Version: c.Version}
	}
	if site.ModeOf(s, f) == site.ModeComposed {
		out := []use{{ref: ref(charts.JupyterHub), sections: map[string]string{"jupyterhub": ""}}}
		if s.Spec.GatewayEnabled() {
			out = append(out, use{ref: ref(charts.DaskGateway), sections: map[string]string{"dask-gateway": ""}})
		}
		return out
	}
	return []use{{ref: ref(charts.DaskHub), sections: map[string]string{"jupyterhub": "jupyterhub", "dask-gateway": "dask-gateway"}}}
}

// CheckSite checks the site's spec.values against the schemas of the charts the site runs. An unknown
// key is an error at its line; a chart missing from the cache is a
// warning (the values are then checked at plan time). It returns ctx.Err()
// if ctx ends first.
func CheckSite(ctx context.Context, s *site.Site, f *site.Fleet, o Options) (site.ErrorList, error) {
	if len(s.Spec.Values) == 0 || f == nil {
		return nil, nil
	}
	var out site.ErrorList
	for _, u := range uses(s, f) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if u.ref.RepoURL == "" || u.ref.Name == "" || u.ref.Version == "" {
			continue // the fleet file's own errors say so
		}
		c, err := o.Resolver.Resolve(ctx, u.ref)
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return nil, ctxErr
			}
			out = append(out, &site.FieldError{File: s.File, Line: s.Lines["spec.values"], Field: "spec.values",
				Kind: site.KindChartCache, Severity: site.SeverityWarning,
				Msg: fmt.Sprintf("not checked against the values schema of %s %s: %s", u.ref.Name, u.ref.Version, cacheReason(err)),
				Fix: "run `hubfleet plan` once with network access to cache the chart; validation then works offline"})
			continue
		}
		schemas := c.ValuesSchemas()
		for _, section := range slices.Sorted(maps.Keys(u.sections)) {
			vals, ok := s.Spec.Values[section].(map[string]any)
			if !ok {
				continue
			}
			raw, ok := schemas[u.sections[section]]
			if !ok {
				continue // this chart has no schema for it: Helm accepts anything
			}
			sch, err := Parse(raw)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", u.ref.Name, u.ref.Version, err)
			}
			name := c.Info.Name + " " + c.Info.Version
			if sub := u.sections[section]; sub != "" {
				if info, ok := c.Info.Find(sub); ok {
					name = info.Name + " " + info.Version
				}
			}
			for _, unk := range sch.Check(vals, section, name) {
				field := "spec.values." + unk.Path
				fix := "remove it"
				if unk.Suggestion != "" {
					fix = fmt.Sprintf("did you mean %q?", unk.Suggestion)
				}
				out = append(out, &site.FieldError{File: s.File, Line: site.LineOf(s.Lines, field), Field: field,
					Kind: site.KindValuesSchema,
					Msg:  fmt.Sprintf("%s does not accept the key %q: its values.schema.json allows no other keys here, so the install would fail", unk.Chart, unk.Path[strings.LastIndex(unk.Path, ".")+1:]),
					Fix:  fix})
			}
		}
	}
	out.Sort()
	return out, nil
}

func cacheReason(err error) string {
	var ua *chart.UnavailableError
	if errors.As(err, &ua) {
		return "the chart is not in the local chart cache"
	}
	return err.Error()
}
