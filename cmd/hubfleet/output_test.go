package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hubfleet/hubfleet/internal/gittest"
	"github.com/hubfleet/hubfleet/internal/golden"
	"github.com/hubfleet/hubfleet/internal/output"
	"github.com/hubfleet/hubfleet/internal/scaffold"
)

// checkSchema validates a JSON document against the schema of its kind.
func checkSchema(t *testing.T, kind, doc string) {
	t.Helper()
	raw, err := output.Schema(kind)
	if err != nil {
		t.Fatal(err)
	}
	schemaDoc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(kind+".json", schemaDoc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(kind + ".json")
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(doc))
	if err != nil {
		t.Fatalf("%s output is not JSON: %v\n%s", kind, err, doc)
	}
	if err := sch.Validate(inst); err != nil {
		t.Errorf("%s output does not follow schemas/%s.json: %v\n%s", kind, kind, err, doc)
	}
}

var (
	ageRecipient = regexp.MustCompile(`age1[0-9a-z]{58}`)
	goVersion    = regexp.MustCompile(regexp.QuoteMeta(runtime.Version()))
)

// TestOutputGoldens holds the text, JSON and YAML of every command that
// prints a result (version, init, site new, secret keygen, validate,
// render, render --check, check-secrets, cache, plan, rollback) on a new
// fleet, and
// validates each JSON against its schema. upgrade's are in
// TestUpgradeChart, verify's in TestVerifyOutputs.
func TestOutputGoldens(t *testing.T) {
	keys := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", keys)
	t.Setenv("NO_COLOR", "")
	parent := t.TempDir()
	normalize := func(s string) string {
		s = strings.ReplaceAll(s, parent, "<tmp>")
		s = strings.ReplaceAll(s, keys, "<config>")
		s = ageRecipient.ReplaceAllString(s, "age1<recipient>")
		return goVersion.ReplaceAllString(s, "<go>")
	}
	for _, format := range []string{"text", "json", "yaml"} {
		t.Run(format, func(t *testing.T) {
			root := filepath.Join(parent, "fleet-"+format)
			charts := filepath.Join(parent, "charts-"+format) // an empty chart cache
			var head string
			steps := []struct {
				name, kind string
				args       []string
				before     func()
			}{
				{"version", "version", []string{"version"}, nil},
				{"init", "init", []string{"init", root, "--action-ref", testActionSHA, "--action-version", "v1.2.3"}, nil},
				{"site-new", "site-new", []string{"site", "new", "hub", "--root", root, "--provider", "native", "--host", "hub.example.org", "--tls", "autohttps", "--contact-email", "ops@example.org"}, nil},
				{"keygen", "keygen", []string{"secret", "keygen", "--site", "hub", "--root", root}, nil},
				{"validate", "validate", []string{"validate", "--root", root, "--chart-cache", charts}, nil},
				{"render", "render", []string{"render", "--root", root, "--chart-cache", charts}, nil},
				{"render-check", "render", []string{"render", "--check", "--root", root, "--chart-cache", charts}, nil},
				{"check-secrets", "check-secrets", []string{"check-secrets", "--root", root}, nil},
				{"cache", "cache", []string{"cache", "--dir", filepath.Join(parent, "cache-"+format), "--max-bytes", "1048576"}, nil},
				{"plan", "plan", []string{"plan", "--root", root, "--base", "HEAD", "--charts=false"}, func() {
					gittest.Run(t, root, "init", "-q", "-b", "main")
					gittest.Run(t, root, "add", "-A")
					gittest.Run(t, root, "commit", "-q", "-m", "one site")
					head = gittest.Run(t, root, "rev-parse", "HEAD")
				}},
				{"rollback", "rollback", []string{"rollback", "--root", root, "--site", "hub", "--charts=false"}, func() {
					site := filepath.Join(root, "clusters", "hub", "site.yaml")
					editFile(t, site, "hub.example.org", "jupyter.example.org")
					if r := hubfleet(t, "", "render", "--root", root, "--chart-cache", charts); r.code != exitOK {
						t.Fatalf("render: exit %d\n%s", r.code, r.stderr)
					}
					gittest.Run(t, root, "commit", "-q", "-am", "hub moves to jupyter.example.org")
					head = gittest.Run(t, root, "rev-parse", "HEAD")
				}},
			}
			for _, st := range steps {
				if st.before != nil {
					st.before()
				}
				r := hubfleet(t, "", append(st.args, "-o", format)...)
				if r.code != exitOK {
					t.Fatalf("%s: exit %d\n%s%s", st.name, r.code, r.stdout, r.stderr)
				}
				out := r.stdout
				if head != "" {
					out = strings.ReplaceAll(strings.ReplaceAll(out, head, "<commit>"), head[:12], "<commit>")
				}
				ext := map[string]string{"text": "txt", "json": "json", "yaml": "yaml"}[format]
				golden.Assert(t, filepath.Join("testdata", "output", st.name+"."+ext), normalize(out))
				if format == "json" {
					checkSchema(t, st.kind, r.stdout)
				}
			}
		})
	}
}

// durationMS matches the time a check took, in verify's JSON and YAML.
var durationMS = regexp.MustCompile(`("?durationMs"?: )\d+`)

// TestVerifyOutputs runs verify where nothing answers, in every format:
// the skipped Kubernetes checks are an unknown result in each, each format
// is held in a golden file (check times masked), and the JSON follows its
// schema.
func TestVerifyOutputs(t *testing.T) {
	t.Parallel()
	root := fleetCopy(t)
	const host = "pangeo-dev.vm.fedcloud.eu"
	base := []string{"verify", "--root", root, "--site", "egi-dev", "--no-kube", "--timeout", "2s", "--dns-probe", "",
		"--resolve", host + "=127.0.0.1", "--connect-to", host + "=127.0.0.1:1"}
	for _, format := range []string{"text", "table", "json", "yaml", "markdown"} {
		r := hubfleet(t, "", append(base, "-o", format)...)
		if r.code != exitProblems {
			t.Fatalf("-o %s: exit %d, want 1 (nothing answers)\n%s%s", format, r.code, r.stdout, r.stderr)
		}
		if !strings.Contains(r.stdout, "unknown") || !strings.Contains(r.stdout, "not checked: no cluster credentials") {
			t.Errorf("-o %s lacks the unknown kubernetes result:\n%s", format, r.stdout)
		}
		if !strings.Contains(r.stderr, "1 site(s): 1 fail; ") || !strings.Contains(r.stderr, " check(s): ") {
			t.Errorf("-o %s: the summary does not count sites and checks apart: %s", format, r.stderr)
		}
		if format != "table" {
			ext := map[string]string{"text": "txt", "json": "json", "yaml": "yaml", "markdown": "md"}[format]
			golden.Assert(t, filepath.Join("testdata", "output", "verify."+ext), durationMS.ReplaceAllString(r.stdout, "${1}<ms>"))
		}
		if format == "json" {
			checkSchema(t, "verify", r.stdout)
		}
	}
	if r := hubfleet(t, "", append(base, "-o", "xml")...); r.code != exitError || !strings.Contains(r.stderr, "text, json, yaml or markdown") {
		t.Errorf("-o xml: exit %d: %s", r.code, r.stderr)
	}
}

func TestNoColor(t *testing.T) {
	t.Parallel()
	var off, on output.Style
	off = output.NewStyle(&bytes.Buffer{}, false, func(string) string { return "" })
	if got := off.Bad("fail"); got != "fail" {
		t.Errorf("colour on a non-terminal: %q", got)
	}
	on = output.Colored()
	if got := on.Bad("fail"); got != "\x1b[31mfail\x1b[0m" {
		t.Errorf("Colored().Bad = %q", got)
	}
	var b bytes.Buffer
	if err := writeVerifyText(&b, nil, on); err != nil {
		t.Fatal(err)
	}
	// --no-color is a global flag every command accepts.
	if r := hubfleet(t, "", "--no-color", "version"); r.code != exitOK || strings.Contains(r.stdout, "\x1b[") {
		t.Errorf("--no-color version: exit %d %q", r.code, r.stdout)
	}
}

// TestSiteNewPrompts drives 'site new' through its prompter: only what the
// flags leave out is asked.
func TestSiteNewPrompts(t *testing.T) {
	t.Parallel()
	root := filepath.Join(t.TempDir(), "f")
	if r := hubfleet(t, "", "init", root, "--action-ref", testActionSHA); r.code != exitOK {
		t.Fatal(r.stderr)
	}
	var out, errb, asked bytes.Buffer
	s := streams{in: strings.NewReader(""), out: &out, err: &errb}
	g := &globalOptions{root: root}
	p := scaffold.NewLinePrompter(strings.NewReader("oidc\nautohttps\nops@example.org\nmy-client\nhttps://id.example.org\nalice,bob\nalice\n"), &asked)
	cmd := newSiteNewCmd(g, s, p)
	cmd.SetArgs([]string{"prompted", "--host", "p.example.org"})
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("%v\n%s", err, asked.String())
	}
	q := asked.String()
	if strings.Contains(q, "Public DNS name") {
		t.Errorf("asked for the host a flag gave:\n%s", q)
	}
	for _, want := range []string{"How do users log in", "Let's Encrypt contact", "OpenID Connect issuer", "Who may log in"} {
		if !strings.Contains(q, want) {
			t.Errorf("did not ask %q:\n%s", want, q)
		}
	}
	// It validates once its cluster has a key (a SOPS site needs one).
	if r := hubfleet(t, "", "secret", "keygen", "--root", root, "--site", "prompted", "--out", filepath.Join(t.TempDir(), "k.agekey")); r.code != exitOK {
		t.Fatalf("keygen: %s", r.stderr)
	}
	// Until its client secret is stored, validate says what render
	// would refuse, and the command that fixes it.
	if r := hubfleet(t, "", "validate", "--root", root); r.code != exitProblems || !strings.Contains(r.stderr, "run 'hubfleet secret set --site prompted'") {
		t.Errorf("the prompted site without its secret: exit %d, want 1 naming secret set\n%s%s", r.code, r.stdout, r.stderr)
	}
	// Without a terminal or a prompter, a missing setting names its flag.
	r := hubfleet(t, "", "site", "new", "flagless", "--root", root, "--provider", "cognito")
	if r.code != exitError || !strings.Contains(r.stderr, "--host") || !strings.Contains(r.stderr, "--cognito-user-pool") {
		t.Errorf("site new without its settings: exit %d: %s", r.code, r.stderr)
	}
}

// TestEveryCommandsHelp: every command's --help shows an example and each
// of its flags.
func TestEveryCommandsHelp(t *testing.T) {
	t.Parallel()
	root := newRootCmd(streams{in: strings.NewReader(""), out: &bytes.Buffer{}, err: &bytes.Buffer{}})
	var all []*cobra.Command
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden || c.Name() == "help" {
			return
		}
		all = append(all, c)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	if len(all) < 15 {
		t.Fatalf("only %d commands found", len(all))
	}
	for _, c := range all {
		path := strings.Fields(c.CommandPath())[1:]
		r := hubfleet(t, "", append(path, "--help")...)
		if r.code != exitOK {
			t.Errorf("%s --help: exit %d", c.CommandPath(), r.code)
			continue
		}
		if !strings.Contains(r.stdout, "Examples:\n  ") {
			t.Errorf("%s --help has no example", c.CommandPath())
		}
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if !f.Hidden && !strings.Contains(r.stdout, "--"+f.Name) {
				t.Errorf("%s --help does not show --%s", c.CommandPath(), f.Name)
			}
		})
	}
}

// TestCompletion completes site names, chart names and output formats
// through cobra's hidden __complete command, as the shells do.
func TestCompletion(t *testing.T) {
	t.Parallel()
	root := fleetCopy(t)
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"__complete", "--root", root, "render", "--site", ""}, []string{"egi-cesnet", "egi-dev", "egi-pangeo", "heliocloud-aws", "pangeo-azure"}},
		{[]string{"__complete", "--root", root, "secret", "keygen", "--site", "egi-"}, []string{"egi-cesnet", "egi-dev", "egi-pangeo"}},
		{[]string{"__complete", "verify", "-o", ""}, []string{"text", "json", "yaml", "markdown"}},
		{[]string{"__complete", "plan", "-o", ""}, []string{"text", "markdown", "json", "yaml"}},
		{[]string{"__complete", "check-secrets", "-o", ""}, []string{"text", "json", "yaml"}},
		{[]string{"__complete", "site", "new", "x", "--provider", ""}, scaffold.Providers},
		{[]string{"__complete", "--root", root, "upgrade", "--chart", ""}, []string{"daskhub", "jupyterhub", "dask-gateway"}},
		{[]string{"__complete", "--root", root, "upgrade", "--chart", "dask"}, []string{"daskhub", "dask-gateway"}},
	} {
		r := hubfleet(t, "", tc.args...)
		var got []string
		for _, line := range strings.Split(r.stdout, "\n") {
			if line != "" && !strings.HasPrefix(line, ":") {
				got = append(got, line)
			}
		}
		prefix := tc.args[len(tc.args)-1]
		var want []string
		for _, w := range tc.want {
			if strings.HasPrefix(w, prefix) {
				want = append(want, w)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%v: completions %q, want %q", tc.args[1:], got, want)
		}
	}
}
