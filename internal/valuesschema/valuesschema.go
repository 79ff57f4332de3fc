package valuesschema

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
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

// Mismatch is one values entry whose type a chart's schema does not allow.
type Mismatch struct {
	// Path is the dotted values path (daskhub layout).
	Path string
	// Want are the JSON types the schema allows, in its order.
	Want []string
	// Got is the JSON type of the value.
	Got string
	// Chart names the chart whose schema refuses it.
	Chart string
}

// schema is the part of a JSON Schema the key and type checks read.
type schema struct {
	Properties           map[string]*schema `json:"properties"`
	PatternProperties    map[string]*schema `json:"patternProperties"`
	AdditionalProperties json.RawMessage    `json:"additionalProperties"`
	// Type is a JSON type or a list of them.
	Type json.RawMessage `json:"type"`
	// Items is the schema of every element of an array, when it is one
	// schema (not a tuple).
	Items json.RawMessage `json:"items"`
}

// types are the JSON types the schema allows; none means any.
func (n *schema) types() []string {
	raw := strings.TrimSpace(string(n.Type))
	if raw == "" {
		return nil
	}
	var one string
	if json.Unmarshal(n.Type, &one) == nil {
		return []string{one}
	}
	var many []string
	if json.Unmarshal(n.Type, &many) == nil {
		return many
	}
	return nil
}

// items is the schema of the elements of an array, if it is one schema.
func (n *schema) items() *schema {
	if !strings.HasPrefix(strings.TrimSpace(string(n.Items)), "{") {
		return nil
	}
	var sub schema
	if json.Unmarshal(n.Items, &sub) != nil {
		return nil
	}
	return &sub
}

// jsonType is the JSON Schema type of a decoded YAML value, and whether
// it is a whole number (which "integer" accepts).
func jsonType(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "null", false
	case bool:
		return "boolean", false
	case string:
		return "string", false
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return "integer", true
	case float32:
		return "number", float64(x) == math.Trunc(float64(x))
	case float64:
		return "number", x == math.Trunc(x) && !math.IsInf(x, 0)
	case map[string]any:
		return "object", false
	case []any:
		return "array", false
	}
	return "", false
}

// allows reports whether a value of JSON type got (whole: integral) fits
// one of want.
func allows(want []string, got string, whole bool) bool {
	if len(want) == 0 || got == "" {
		return true
	}
	for _, w := range want {
		switch {
		case w == got:
			return true
		case w == "number" && got == "integer":
			return true
		case w == "integer" && got == "number" && whole:
			return true
		}
	}
	return false
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
	unknown, _ := s.CheckAll(values, prefix, chartName)
	return unknown
}

// CheckAll returns the keys of values (rooted at prefix) that the schema
// does not allow and the values whose JSON type it does not allow (the
// "type" of the schema at their place; arrays are checked element by
// element through "items"), each in path order.
func (s *Schema) CheckAll(values map[string]any, prefix, chartName string) ([]Unknown, []Mismatch) {
	w := &walker{s: s, chart: chartName}
	w.object(s.root, values, prefix)
	sort.Slice(w.unknown, func(i, j int) bool { return w.unknown[i].Path < w.unknown[j].Path })
	sort.Slice(w.mismatch, func(i, j int) bool { return w.mismatch[i].Path < w.mismatch[j].Path })
	return w.unknown, w.mismatch
}

type walker struct {
	s        *Schema
	chart    string
	unknown  []Unknown
	mismatch []Mismatch
}

func (w *walker) object(n *schema, values map[string]any, path string) {
	for k, v := range values {
		p := k
		if path != "" {
			p = path + "." + k
		}
		sub, ok := n.Properties[k]
		if !ok {
			for pat, ps := range n.PatternProperties {
				if w.s.patterns[pat].MatchString(k) {
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
				w.unknown = append(w.unknown, Unknown{Path: p, Suggestion: site.Closest(k, names), Chart: w.chart})
				continue
			}
			sub = n.additional()
		}
		w.value(sub, v, p)
	}
}

func (w *walker) value(n *schema, v any, p string) {
	if n == nil {
		return
	}
	got, whole := jsonType(v)
	if want := n.types(); !allows(want, got, whole) {
		w.mismatch = append(w.mismatch, Mismatch{Path: p, Want: want, Got: got, Chart: w.chart})
		return
	}
	switch x := v.(type) {
	case map[string]any:
		w.object(n, x, p)
	case []any:
		if it := n.items(); it != nil {
			for i, e := range x {
				w.value(it, e, fmt.Sprintf("%s[%d]", p, i))
			}
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
	// quiet: a chart missing from the cache is no warning (plan does not
	// fetch it, so the warning's fix would not help).
	quiet bool
	// fallback is checked instead when ref is not in the cache.
	fallback *use
}

func uses(s *site.Site, f *site.Fleet) []use {
	charts := f.ChartsFor(s.Spec.Wave)
	ref := func(c site.ChartSource) chart.Ref {
		return chart.Ref{RepoURL: c.Repository, Name: c.Chart, Version: c.Version}
	}
	if site.ModeOf(s, f) == site.ModeUmbrella {
		// An operator's umbrella chart: spec.values.jupyterhub (and a
		// running gateway's spec.values.dask-gateway) are checked against
		// the schemas of the subcharts the umbrella vendors at its paths,
		// when the umbrella is in the cache (plan fetches it). Otherwise
		// spec.values.jupyterhub is checked against the z2jh version it
		// vendors when the fleet's jupyterhub chart source has it cached.
		u := site.UmbrellaOf(s, f)
		if u == nil {
			return nil
		}
		own := use{ref: ref(u.Source()), sections: map[string]string{"jupyterhub": strings.Join(u.JupyterHubPath, ".")}, quiet: true}
		if s.Spec.GatewayEnabled() && len(u.DaskGatewayPath) > 0 {
			own.sections["dask-gateway"] = strings.Join(u.DaskGatewayPath, ".")
		}
		if charts.JupyterHub.Repository != "" {
			own.fallback = &use{ref: chart.Ref{RepoURL: charts.JupyterHub.Repository, Name: charts.JupyterHub.Chart, Version: u.JupyterHubVersion},
				sections: map[string]string{"jupyterhub": ""}, quiet: true}
		}
		return []use{own}
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

// CheckSite checks the site's spec.values against the schemas of the
// charts the site runs. An unknown key or a value of the wrong type is an
// error at its line; a chart missing from the cache is a warning (the
// values are then checked at plan time). It returns ctx.Err() if ctx ends
// first.
func CheckSite(ctx context.Context, s *site.Site, f *site.Fleet, o Options) (site.ErrorList, error) {
	if len(s.Spec.Values) == 0 || f == nil {
		return nil, nil
	}
	out, err := checkValues(ctx, s.Spec.Values, uses(s, f), s.File, s.Lines, o, true)
	if err != nil {
		return nil, err
	}
	out.Sort()
	return out, nil
}

// CheckFleet checks the fleet's spec.values (merged into every site's
// values) against the schemas of every chart some site runs: each chart
// once, whichever sites share it.
func CheckFleet(ctx context.Context, f *site.Fleet, sites []*site.Site, o Options) (site.ErrorList, error) {
	if f == nil || len(f.Spec.Values) == 0 {
		return nil, nil
	}
	seen := map[string]bool{}
	var all []use
	for _, s := range sites {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for _, u := range uses(s, f) {
			key := fmt.Sprint(u.ref, u.sections)
			if !seen[key] {
				seen[key] = true
				all = append(all, u)
			}
		}
	}
	// A chart missing from the cache is not reported again here: the
	// sites' own checks warn about it when they have values, and a fresh
	// clone (whose cache plan has not filled yet) stays quiet.
	out, err := checkValues(ctx, f.Spec.Values, all, f.File, f.Lines, o, false)
	if err != nil {
		return nil, err
	}
	out.Sort()
	return out, nil
}

// checkValues checks values (daskhub layout, the spec.values of file)
// against the schemas of the charts in us; warnMissing reports a chart
// missing from the cache.
func checkValues(ctx context.Context, values map[string]any, us []use, file string, lines map[string]int, o Options, warnMissing bool) (site.ErrorList, error) {
	var out site.ErrorList
	for _, u := range us {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if u.ref.RepoURL == "" || u.ref.Name == "" || u.ref.Version == "" {
			continue // the fleet file's own errors say so
		}
		c, err := o.Resolver.Resolve(ctx, u.ref)
		if err != nil && u.fallback != nil && u.fallback.ref.RepoURL != "" && ctx.Err() == nil {
			u = *u.fallback
			c, err = o.Resolver.Resolve(ctx, u.ref)
		}
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return nil, ctxErr
			}
			if !warnMissing || u.quiet {
				continue
			}
			out = append(out, &site.FieldError{File: file, Line: lines["spec.values"], Field: "spec.values",
				Kind: site.KindChartCache, Severity: site.SeverityWarning,
				Msg: fmt.Sprintf("not checked against the values schema of %s %s: %s", u.ref.Name, u.ref.Version, cacheReason(err)),
				Fix: "run `hubfleet plan` once with network access to cache the chart; validation then works offline"})
			continue
		}
		schemas := c.ValuesSchemas()
		for _, section := range slices.Sorted(maps.Keys(u.sections)) {
			vals, ok := values[section].(map[string]any)
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
				if info, ok := c.Info.Find(sub[strings.LastIndex(sub, ".")+1:]); ok {
					name = info.Name + " " + info.Version
				}
			}
			unknown, mismatch := sch.CheckAll(vals, section, name)
			for _, unk := range unknown {
				field := "spec.values." + unk.Path
				fix := "remove it"
				if unk.Suggestion != "" {
					fix = fmt.Sprintf("did you mean %q?", unk.Suggestion)
				}
				out = append(out, &site.FieldError{File: file, Line: site.LineOf(lines, field), Field: field,
					Kind: site.KindValuesSchema,
					Msg:  fmt.Sprintf("%s does not accept the key %q: its values.schema.json allows no other keys here, so the install would fail", unk.Chart, unk.Path[strings.LastIndexAny(unk.Path, ".]")+1:]),
					Fix:  fix})
			}
			for _, m := range mismatch {
				field := "spec.values." + m.Path
				out = append(out, &site.FieldError{File: file, Line: site.LineOf(lines, field), Field: field,
					Kind: site.KindValuesType,
					Msg:  fmt.Sprintf("%s expects %s here, not %s: its values.schema.json would fail the install", m.Chart, typeList(m.Want), gotName(m)),
					Fix:  typeFix(m)})
			}
		}
	}
	return out, nil
}

// typeList is "a string", "a string or null", "an integer or a string".
func typeList(types []string) string {
	parts := make([]string, len(types))
	for i, t := range types {
		parts[i] = article(t)
	}
	return strings.Join(parts, " or ")
}

func article(t string) string {
	switch t {
	case "null":
		return "null"
	case "object", "array", "integer":
		return "an " + t
	}
	return "a " + t
}

// gotName names the type of a refused value; a number refused where an
// integer goes has a fraction.
func gotName(m Mismatch) string {
	if m.Got == "number" && slices.Contains(m.Want, "integer") {
		return "a number with a fraction"
	}
	return article(m.Got)
}

// typeFix says how to write a value of the wanted type in YAML.
func typeFix(m Mismatch) string {
	want := map[string]bool{}
	for _, t := range m.Want {
		want[t] = true
	}
	switch {
	case m.Got == "string" && (want["integer"] || want["number"] || want["boolean"]):
		return "write a plain YAML " + m.Want[0] + ", without quotes or units (e.g. 3600, true)"
	case want["string"] && (m.Got == "integer" || m.Got == "number" || m.Got == "boolean"):
		return "quote it, so YAML reads a string (e.g. \"1.0\", \"true\")"
	case want["object"]:
		return "write a mapping (key: value lines indented under it)"
	case want["array"]:
		return "write a list (lines starting with \"- \")"
	}
	return "write " + typeList(m.Want)
}

func cacheReason(err error) string {
	var ua *chart.UnavailableError
	if errors.As(err, &ua) {
		return "the chart is not in the local chart cache"
	}
	return err.Error()
}
