package engine

import (
	"errors"
	"fmt"
	"log"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"text/template"

	helmchart "helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
)

// Engine renders charts like Helm's engine.Engine (client-only: lookup
// returns an empty map), keeping each chart's parsed templates for the
// next render. It is safe for concurrent use; do not copy it after use.
type Engine struct {
	// Strict makes a reference to a missing value an error.
	Strict bool
	// LintMode makes required and fail log instead of failing.
	LintMode bool
	// EnableDNS lets getHostByName resolve names; otherwise it returns "".
	EnableDNS bool

	mu   sync.Mutex
	sets map[string]*parsedSet
}

// parsedSet is a chart's templates parsed into one set, in Helm's order.
type parsedSet struct {
	once sync.Once
	root *template.Template
	err  error
	// parses counts how often the set was parsed (tests).
	parses int
}

// renderable is one template of the chart tree: its text, the values of
// its chart's scope and its chart's templates directory.
type renderable struct {
	text     string
	vals     chartutil.Values
	basePath string
}

const (
	warnStart = "HELM_ERR_START"
	warnEnd   = "HELM_ERR_END"
	// maxIncludeDepth is how often one template may include itself
	// before Helm gives up.
	maxIncludeDepth = 1000
)

var warnRegex = regexp.MustCompile(warnStart + `((?s).*)` + warnEnd)

func warnWrap(s string) string { return warnStart + s + warnEnd }

// Render renders chrt and its dependencies with top, the values
// chartutil.ToRenderValues returns, and returns every template's output
// by name (partials excluded, NOTES.txt included), like Helm's
// Engine.Render. key identifies the chart's template content, for
// example its archive digest (plus anything that changes templates): the
// parsed set is kept under key and the names of the templates to render.
// An empty key parses afresh.
func (e *Engine) Render(key string, chrt *helmchart.Chart, top chartutil.Values) (map[string]string, error) {
	tpls := map[string]renderable{}
	collect(chrt, tpls, top)
	names := sortTemplates(tpls)
	set := e.set(key, names)
	set.once.Do(func() {
		set.parses++
		set.root, set.err = e.parse(tpls, names)
	})
	if set.err != nil {
		return map[string]string{}, set.err
	}
	return e.execute(set.root, tpls, names)
}

// Parses returns how many times the set of key and chrt's templates was
// parsed (0 or 1); for tests.
func (e *Engine) Parses(key string, chrt *helmchart.Chart, top chartutil.Values) int {
	tpls := map[string]renderable{}
	collect(chrt, tpls, top)
	return e.set(key, sortTemplates(tpls)).parses
}

func (e *Engine) set(key string, names []string) *parsedSet {
	if key == "" {
		return &parsedSet{}
	}
	k := key + "\x00" + strings.Join(names, "\x00")
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sets == nil {
		e.sets = map[string]*parsedSet{}
	}
	s, ok := e.sets[k]
	if !ok {
		s = &parsedSet{}
		e.sets[k] = s
	}
	return s
}

// parse parses every template into one set named "gotpl", in Helm's
// order (later definitions of a name replace earlier ones).
func (e *Engine) parse(tpls map[string]renderable, names []string) (root *template.Template, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("rendering template failed: %v", r)
		}
	}()
	t := template.New("gotpl")
	e.setOption(t)
	t.Funcs(funcMap())
	for _, name := range names {
		if _, err := t.New(name).Parse(tpls[name].text); err != nil {
			return nil, cleanupParseError(name, err)
		}
	}
	return t, nil
}

func (e *Engine) setOption(t *template.Template) {
	if e.Strict {
		t.Option("missingkey=error")
	} else {
		t.Option("missingkey=zero")
	}
}

// execute runs every non-partial template of a clone of root.
func (e *Engine) execute(root *template.Template, tpls map[string]renderable, names []string) (rendered map[string]string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("rendering template failed: %v", r)
		}
	}()
	t, err := root.Clone()
	if err != nil {
		return map[string]string{}, err
	}
	// Clone drops the options (golang/go#43022).
	e.setOption(t)
	e.bind(t)
	rendered = make(map[string]string, len(names))
	var buf strings.Builder
	for _, name := range names {
		if strings.HasPrefix(path.Base(name), "_") {
			continue
		}
		r := tpls[name]
		r.vals["Template"] = chartutil.Values{"Name": name, "BasePath": r.basePath}
		buf.Reset()
		if err := t.ExecuteTemplate(&buf, name, r.vals); err != nil {
			return map[string]string{}, cleanupExecError(name, err)
		}
		rendered[name] = strings.ReplaceAll(buf.String(), "<no value>", "")
	}
	return rendered, nil
}

// bind adds the functions that depend on the render: include and tpl
// close over t, required and fail follow LintMode.
func (e *Engine) bind(t *template.Template) {
	included := map[string]int{}
	fm := template.FuncMap{
		"include": includeFunc(t, included),
		"tpl":     tplFunc(t, included, e.Strict),
		"required": func(warn string, val any) (any, error) {
			if val == nil || val == "" {
				if e.LintMode {
					log.Printf("[INFO] Missing required value: %s", warn)
					return "", nil
				}
				return val, errors.New(warnWrap(warn))
			}
			return val, nil
		},
		"fail": func(msg string) (string, error) {
			if e.LintMode {
				log.Printf("[INFO] Fail: %s", msg)
				return "", nil
			}
			return "", errors.New(warnWrap(msg))
		},
	}
	if !e.EnableDNS {
		fm["getHostByName"] = func(string) string { return "" }
	}
	t.Funcs(fm)
}

// includeFunc executes a named template of t's set into a string.
func includeFunc(t *template.Template, included map[string]int) func(string, any) (string, error) {
	return func(name string, data any) (string, error) {
		if included[name] > maxIncludeDepth {
			return "", fmt.Errorf("rendering template has a nested reference name: %s: %w", name, errors.New("unable to execute template"))
		}
		included[name]++
		var buf strings.Builder
		err := t.ExecuteTemplate(&buf, name, data)
		included[name]--
		return buf.String(), err
	}
}

// tplFunc parses text against a clone of parent's set (so its defines
// stay local) and executes it with vals.
func tplFunc(parent *template.Template, included map[string]int, strict bool) func(string, any) (string, error) {
	return func(text string, vals any) (string, error) {
		t, err := parent.Clone()
		if err != nil {
			return "", fmt.Errorf("cannot clone template: %w", err)
		}
		if strict {
			t.Option("missingkey=error")
		} else {
			t.Option("missingkey=zero")
		}
		t.Funcs(template.FuncMap{
			"include": includeFunc(t, included),
			"tpl":     tplFunc(t, included, strict),
		})
		// A new template under the parent's name, so that text made only
		// of defines still has a body to execute.
		t, err = t.New(parent.Name()).Parse(text)
		if err != nil {
			return "", fmt.Errorf("cannot parse template %q: %w", text, err)
		}
		var buf strings.Builder
		if err := t.Execute(&buf, vals); err != nil {
			return "", fmt.Errorf("error during tpl function execution for %q: %w", text, err)
		}
		return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
	}
}

// cleanupParseError turns "template: NAME:LINE: ...: MSG" into Helm's
// "parse error at (NAME:LINE): MSG".
func cleanupParseError(name string, err error) error {
	tokens := strings.Split(err.Error(), ": ")
	if len(tokens) == 1 {
		return fmt.Errorf("parse error in (%s): %s", name, err)
	}
	return fmt.Errorf("parse error at (%s): %s", tokens[1], tokens[len(tokens)-1])
}

// cleanupExecError turns a template execution error raised by required
// or fail into Helm's "execution error at (NAME:LINE:COL): MSG"; other
// errors pass unchanged.
func cleanupExecError(name string, err error) error {
	if _, ok := err.(template.ExecError); !ok {
		return err
	}
	tokens := strings.SplitN(err.Error(), ": ", 3)
	if len(tokens) != 3 {
		return fmt.Errorf("execution error in (%s): %s", name, err)
	}
	if parts := warnRegex.FindStringSubmatch(tokens[2]); len(parts) >= 2 {
		return fmt.Errorf("execution error at (%s): %s", tokens[1], parts[1])
	}
	return err
}

// sortTemplates orders names as Helm parses and executes them: the
// deepest paths first and, at equal depth, names in reverse lexical order.
func sortTemplates(tpls map[string]renderable) []string {
	names := make([]string, 0, len(tpls))
	for n := range tpls {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := names[i], names[j]
		ca, cb := strings.Count(a, "/"), strings.Count(b, "/")
		if ca == cb {
			return a > b
		}
		return ca > cb
	})
	return names
}

// collect adds the templates of c and its dependencies to tpls, each with
// the values of its chart's scope, as Helm's engine does.
func collect(c *helmchart.Chart, tpls map[string]renderable, vals chartutil.Values) map[string]any {
	sub := map[string]any{}
	meta := struct {
		helmchart.Metadata
		IsRoot bool
	}{*c.Metadata, c.IsRoot()}
	next := map[string]any{
		"Chart":        meta,
		"Files":        newFiles(c.Files),
		"Release":      vals["Release"],
		"Capabilities": vals["Capabilities"],
		"Values":       make(chartutil.Values),
		"Subcharts":    sub,
	}
	if c.IsRoot() {
		next["Values"] = vals["Values"]
	} else if vs, err := vals.Table("Values." + c.Name()); err == nil {
		next["Values"] = vs
	}
	for _, d := range c.Dependencies() {
		sub[d.Name()] = collect(d, tpls, next)
	}
	library := strings.EqualFold(c.Metadata.Type, "library")
	parent := c.ChartFullPath()
	for _, t := range c.Templates {
		if t == nil || (library && !strings.HasPrefix(filepath.Base(t.Name), "_")) {
			continue
		}
		tpls[path.Join(parent, t.Name)] = renderable{text: string(t.Data), vals: next, basePath: path.Join(parent, "templates")}
	}
	return next
}
