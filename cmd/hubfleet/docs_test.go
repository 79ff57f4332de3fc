package main

//go:generate go test -run ^TestGeneratedDocs$ -update .

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/hubfleet/hubfleet/internal/docgen"
	"github.com/hubfleet/hubfleet/internal/fleettest"
	"github.com/hubfleet/hubfleet/internal/golden"
)

// TestGeneratedDocs regenerates the reference pages under docs/reference
// from the code (the command tree, the JSON Schemas of the site and fleet
// files and of the outputs, action.yml and the workflows) and compares them
// with the committed copies; -update (go generate ./cmd/hubfleet) rewrites
// them and removes pages nothing generates any more.
//
// It lives here because the command tree is package main's; docgen and
// cobra/doc are imported by this test only, so the hubfleet binary does not
// depend on them.
func TestGeneratedDocs(t *testing.T) {
	// Flag defaults that come from the machine are written as placeholders.
	t.Setenv("KUBECONFIG", "")
	var repl []string
	for _, d := range []struct {
		dir  func() (string, error)
		name string
	}{{os.UserCacheDir, "<user cache dir>"}, {os.UserConfigDir, "<user config dir>"}, {os.UserHomeDir, "~"}} {
		if p, err := d.dir(); err == nil && p != "" {
			repl = append(repl, p, d.name)
		}
	}
	root := fleettest.Root(t)
	ref := filepath.Join(root, "docs", "reference")
	pages := map[string][]byte{}

	cli, err := docgen.CLI(newRootCmd(streams{in: strings.NewReader(""), out: io.Discard, err: io.Discard}), repl...)
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range cli {
		pages["cli/"+name] = b
	}
	pages["exit-codes.md"] = docgen.ExitCodes(newRootCmd(streams{in: strings.NewReader(""), out: io.Discard, err: io.Discard}))

	sites, err := filepath.Glob(filepath.Join(root, "clusters", "*", "site.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(sites)
	for _, p := range []struct {
		page, title, schema, intro string
		examples                   []string
	}{
		{"site.md", "Site file reference (clusters/<site>/site.yaml)", "schema/site.schema.json",
			"Every field of a site file. Examples are taken from the demo fleet's sites (`clusters/*/site.yaml`); a dash means none of them sets the field. A default written in words is the one the field's description states. [The site file, annotated](../site-file.md) shows the fields together; [What validation checks](../validation.md) lists the rules beyond types.",
			sites},
		{"fleet.md", "Fleet file reference (bases/daskhub/fleet.yaml)", "schema/fleet.schema.json",
			"Every field of the fleet file, the policy every site shares. Examples are taken from the demo fleet's `bases/daskhub/fleet.yaml`; a dash means it does not set the field.",
			[]string{filepath.Join(root, "bases", "daskhub", "fleet.yaml")}},
	} {
		var ex [][]byte
		for _, e := range p.examples {
			ex = append(ex, []byte(mustRead(t, e)))
		}
		b, err := docgen.Schema(docgen.SchemaPage{Title: p.title, Intro: p.intro, Schema: []byte(mustRead(t, filepath.Join(root, p.schema))), Examples: ex, Source: p.schema})
		if err != nil {
			t.Fatal(err)
		}
		pages[p.page] = b
	}

	outputs, err := filepath.Glob(filepath.Join(root, "internal", "output", "schemas", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(outputs)
	var index strings.Builder
	index.WriteString("# JSON and YAML output\n\n<!-- Generated from internal/output/schemas by go generate ./cmd/hubfleet; do not edit. -->\n\n")
	index.WriteString("With `-o json` or `-o yaml`, a command prints one document. YAML output is the same document as the JSON. Every document starts with `schemaVersion` (raised on any incompatible change; fields are only added within a version) and `kind`. The tests validate each command's JSON against these schemas.\n\n| kind | schema |\n|---|---|\n")
	for _, o := range outputs {
		name := strings.TrimSuffix(filepath.Base(o), ".json")
		rel := "internal/output/schemas/" + filepath.Base(o)
		b, err := docgen.Schema(docgen.SchemaPage{Title: "Output of " + name, Schema: []byte(mustRead(t, o)), Source: rel,
			Intro: "The document `-o json` and `-o yaml` print ([all outputs](../output.md)); the schema is [" + rel + "](../../../" + rel + ")."})
		if err != nil {
			t.Fatal(err)
		}
		pages["output/"+name+".md"] = b
		index.WriteString("| `" + name + "` | [output/" + name + ".md](output/" + name + ".md) |\n")
	}
	pages["output.md"] = []byte(index.String())

	workflows := map[string][]byte{}
	wfs, err := filepath.Glob(filepath.Join(root, ".github", "workflows", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range wfs {
		workflows[filepath.Base(w)] = []byte(mustRead(t, w))
	}
	action, err := docgen.Action([]byte(mustRead(t, filepath.Join(root, "action", "action.yml"))), workflows)
	if err != nil {
		t.Fatal(err)
	}
	pages["action.md"] = action

	for name, b := range pages {
		golden.Assert(t, filepath.Join(ref, filepath.FromSlash(name)), string(b))
	}
	// A committed page that nothing generates any more.
	update := flag.Lookup("update") != nil && flag.Lookup("update").Value.String() == "true"
	err = filepath.WalkDir(ref, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(ref, p)
		if _, ok := pages[filepath.ToSlash(rel)]; ok {
			return nil
		}
		if update {
			return os.Remove(p)
		}
		t.Errorf("docs/reference/%s is not generated any more: remove it (go generate ./cmd/hubfleet)", filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
