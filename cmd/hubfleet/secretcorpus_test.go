package main

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/hubfleet/hubfleet/internal/flowtest"
	"github.com/hubfleet/hubfleet/internal/github/githubtest"
	"github.com/hubfleet/hubfleet/internal/site"
)

// corpusCase is one file of testdata/secret-corpus/leak: a site that
// smuggles a secret, with the field validate must name and the secret.
type corpusCase struct {
	file, placement, field, secret string
}

var (
	placementRE = regexp.MustCompile(`(?m)^# Secret-smuggling corpus: placement (\S+), variant`)
	fieldRE     = regexp.MustCompile(`(?m)^# want-field: (\S+)$`)
	secretRE    = regexp.MustCompile(`(?m)^# secret: (".*")$`)
)

func loadCorpus(t *testing.T) []corpusCase {
	t.Helper()
	files, err := filepath.Glob("testdata/secret-corpus/leak/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var out []corpusCase
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		p, fd, sec := placementRE.FindSubmatch(b), fieldRE.FindSubmatch(b), secretRE.FindSubmatch(b)
		if p == nil || fd == nil || sec == nil {
			t.Fatalf("%s: the header must name the placement, want-field and secret", f)
		}
		var secret string
		if err := yaml.Unmarshal(sec[1], &secret); err != nil {
			t.Fatalf("%s: secret: %v", f, err)
		}
		out = append(out, corpusCase{file: f, placement: string(p[1]), field: string(fd[1]), secret: secret})
	}
	return out
}

// outputsOf is every byte hubfleet wrote: its printed output and every
// file under overlays/ and clusters/.
func outputsOf(t *testing.T, root string, printed ...string) string {
	t.Helper()
	var b strings.Builder
	for _, p := range printed {
		b.WriteString(p)
	}
	for _, dir := range []string{"overlays", "clusters"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || strings.HasSuffix(p, "site.yaml") {
				return err
			}
			data, err := os.ReadFile(p)
			b.Write(data)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

// leaks returns a piece of the secret that appears in out: the whole
// secret, or a 10-byte window of it that the example fleet's own files do
// not hold (the fixed parts of a format, such as "-----BEGIN RSA" or
// "ENC[AES256_GCM,", are in them).
func leaks(out, secret, baseline string) string {
	const w = 10
	if strings.Contains(out, secret) {
		return "the whole secret"
	}
	for i := 0; i+w <= len(secret); i++ {
		if piece := secret[i : i+w]; strings.Contains(out, piece) && !strings.Contains(baseline, piece) {
			return fmt.Sprintf("bytes %d-%d of the secret", i, i+w)
		}
	}
	return ""
}

var lineRE = regexp.MustCompile(`clusters/leak/site\.yaml:(\d+): (\S+): `)

// TestSecretCorpus takes every secret-smuggling site through validate,
// render and plan: each must fail naming the file, line and key with the
// command to use instead, and no piece of the secret may appear in
// anything hubfleet printed or wrote.
func TestSecretCorpus(t *testing.T) {
	t.Parallel()
	cases := loadCorpus(t)
	baseline := outputsOf(t, fleetCopy(t))
	placements := map[string]bool{}
	for _, c := range cases {
		placements[c.placement] = true
	}
	if len(cases) < 60 || len(placements) < 20 {
		t.Fatalf("the corpus holds %d files over %d placements; want at least 60 over 20", len(cases), len(placements))
	}
	for _, c := range cases {
		t.Run(filepath.Base(c.file), func(t *testing.T) {
			t.Parallel()
			root := fleetCopy(t)
			src, err := os.ReadFile(c.file)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Join(root, "clusters/leak"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(root, "clusters/leak/site.yaml"), src, 0o644); err != nil {
				t.Fatal(err)
			}
			var printed []string
			for _, args := range [][]string{{"validate"}, {"render"}, {"render", "--check"}, {"plan"}, {"check-secrets"}} {
				r := hubfleet(t, "", append(args, "--root", root)...)
				printed = append(printed, r.stdout, r.stderr)
				if r.code != exitProblems {
					t.Errorf("%s: exit %d, want 1\n%s%s", args[0], r.code, r.stdout, r.stderr)
				}
			}
			r := hubfleet(t, "", "validate", "--root", root)
			var named bool
			lines := strings.Split(string(src), "\n")
			for _, m := range lineRE.FindAllStringSubmatch(r.stderr, -1) {
				if m[2] != c.field {
					continue
				}
				named = true
				n, _ := strconv.Atoi(m[1])
				key := c.field[strings.LastIndexAny(c.field, ".]")+1:]
				if n < 1 || n > len(lines) || !strings.Contains(lines[n-1], key+":") {
					t.Errorf("line %d does not hold %s:\n%s", n, key, r.stderr)
				}
			}
			if !named {
				t.Errorf("validate does not name %s at its line:\n%s", c.field, r.stderr)
			}
			if !strings.Contains(r.stderr, "hubfleet secret set --site leak") && !strings.Contains(r.stderr, "the charts generate and keep this secret") {
				t.Errorf("validate does not say which command stores the secret:\n%s", r.stderr)
			}
			if piece := leaks(outputsOf(t, root, printed...), c.secret, baseline); piece != "" {
				t.Errorf("%s appear in hubfleet's output or files", piece)
			}
			if _, err := os.Stat(filepath.Join(root, "overlays/leak")); err == nil {
				t.Errorf("render wrote overlays/leak for a site that smuggles a secret")
			}
		})
	}
}

// TestSecretLookalikes: values that look like secrets but are not pass
// validate and render, and so does the example fleet.
func TestSecretLookalikes(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/secret-corpus/lookalike/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no look-alikes: %v", err)
	}
	if r := hubfleet(t, "", "validate", "--root", fleetCopy(t)); r.code != exitOK {
		t.Fatalf("the example fleet is refused:\n%s", r.stderr)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			root := fleetCopy(t)
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Join(root, "clusters/leak"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(root, "clusters/leak/site.yaml"), src, 0o644); err != nil {
				t.Fatal(err)
			}
			// The client secret first: validate reports a missing SOPS
			// file, as render refuses it.
			if strings.Contains(string(src), "clientSecret: {sops: true}") {
				if r := hubfleet(t, "not-a-real-client-secret", "secret", "set", "--site", "leak", "--root", root); r.code != exitOK {
					t.Fatalf("secret set: exit %d\n%s", r.code, r.stderr)
				}
			}
			if r := hubfleet(t, "", "validate", "--root", root); r.code != exitOK {
				t.Fatalf("validate refused a look-alike: exit %d\n%s", r.code, r.stderr)
			}
			if r := hubfleet(t, "", "render", "--root", root); r.code != exitOK {
				t.Fatalf("render refused a look-alike: exit %d\n%s", r.code, r.stderr)
			}
			if r := hubfleet(t, "", "check-secrets", "--root", root); r.code != exitOK {
				t.Fatalf("check-secrets refused a look-alike or the example fleet: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
		})
	}
}

// smuggleCase is one file of the corpus with where it goes in a fleet,
// the finding both validate and check-secrets must report (field, rule
// and line; rule and line are unknown for the older leak/ files), and
// the secret, which nothing hubfleet prints or writes may hold.
type smuggleCase struct {
	File   string `json:"file"`
	Target string `json:"target"`
	Field  string `json:"field"`
	Rule   string `json:"rule"`
	Line   int    `json:"line"`
	Secret string `json:"secret"`
	dir    string
}

// loadSmuggleCorpus is every smuggling file: testdata/secret-corpus/leak
// (site files) and testdata/secret-corpus/smuggle (site and fleet files,
// listed in its cases.json, which keeps the secrets out of the files).
func loadSmuggleCorpus(t *testing.T) []smuggleCase {
	t.Helper()
	var out []smuggleCase
	for _, c := range loadCorpus(t) {
		out = append(out, smuggleCase{File: filepath.Base(c.file), dir: filepath.Dir(c.file), Target: "clusters/leak/site.yaml", Field: c.field, Secret: c.secret})
	}
	const dir = "testdata/secret-corpus/smuggle"
	b, err := os.ReadFile(filepath.Join(dir, "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var more []smuggleCase
	if err := json.Unmarshal(b, &more); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files)-1 != len(more) {
		t.Fatalf("%s holds %d files and cases.json lists %d", dir, len(files), len(more))
	}
	for _, c := range more {
		c.dir = dir
		if len(c.Secret) < 10 || c.Field == "" || c.Rule == "" || c.Line == 0 {
			t.Fatalf("%s: cases.json must give field, rule, line and a secret of 10 bytes or more", c.File)
		}
		out = append(out, c)
	}
	return out
}

// guardVerdict is one finding as a command reports it.
type guardVerdict struct {
	File, Field, Rule string
	Line              int
}

var ruleRE = regexp.MustCompile(`\[([a-z0-9-]+)\]$`)

// validateVerdicts are the secret problems of `validate -o json`.
func validateVerdicts(t *testing.T, stdout string) []guardVerdict {
	t.Helper()
	var rep struct {
		Problems []struct {
			File, Field, Kind, Message string
			Line                       int
		} `json:"problems"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("validate -o json: %v\n%s", err, stdout)
	}
	var out []guardVerdict
	for _, p := range rep.Problems {
		if m := ruleRE.FindStringSubmatch(p.Message); p.Kind == string(site.KindSecret) && m != nil {
			out = append(out, guardVerdict{File: p.File, Field: p.Field, Rule: m[1], Line: p.Line})
		}
	}
	return out
}

// checkSecretsVerdicts are the findings of `check-secrets -o json`, with
// their files relative to root.
func checkSecretsVerdicts(t *testing.T, root, stdout string) []guardVerdict {
	t.Helper()
	var rep struct {
		Findings []struct {
			File, Path, Rule string
			Line             int
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("check-secrets -o json: %v\n%s", err, stdout)
	}
	var out []guardVerdict
	for _, f := range rep.Findings {
		rel, err := filepath.Rel(root, f.File)
		if err != nil {
			rel = f.File
		}
		out = append(out, guardVerdict{File: filepath.ToSlash(rel), Field: f.Path, Rule: f.Rule, Line: f.Line})
	}
	return out
}

func sortedVerdicts(vs []guardVerdict) []guardVerdict {
	slices.SortFunc(vs, func(a, b guardVerdict) int {
		return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
	})
	return slices.Compact(vs)
}

// TestSecretCorpusEveryOutput takes every smuggling file of the corpus
// (old and new) through every command a user runs on it, in every output
// format, and through the Action's plan mode on a pull request: no
// output, file, job log, step summary, Action output or PR comment holds
// a 10-byte piece of the secret; every command refuses the tree; and
// validate and check-secrets report the same findings (file, line, field
// and rule), the expected one among them.
func TestSecretCorpusEveryOutput(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	cases := loadSmuggleCorpus(t)
	if n := len(cases) - len(loadCorpus(t)); n < 40 {
		t.Fatalf("the new corpus holds %d files; want at least 40", n)
	}
	baseline := outputsOf(t, fleetCopy(t))
	for _, c := range cases {
		t.Run(strings.TrimSuffix(c.File, ".yaml"), func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(filepath.Join(c.dir, c.File))
			if err != nil {
				t.Fatal(err)
			}
			r := flowtest.New(t)
			r.Git("switch", "--quiet", "--create", "change")
			r.Write(r.Work, c.Target, string(src))
			r.Git("add", "-A")
			r.Git("commit", "--quiet", "-m", "Smuggle a secret")
			var printed []string

			// The Action's plan of the pull request.
			srv := githubtest.NewServer(t, "fleet", "hubs", actionToken)
			act := runAction(t, r.Work, srv, "plan", &pullRequest{}, map[string]string{"HUBFLEET_PLAN_CHARTS": "false"})
			if act.exit != exitProblems {
				t.Errorf("action plan: exit %d (%v), want 1\n%s", act.exit, act.err, act.log)
			}
			// ::add-mask:: lines are the runner's input, never shown in
			// the log: they register the value to mask.
			addMask := regexp.MustCompile(`(?m)^::add-mask::.*$`)
			printed = append(printed, addMask.ReplaceAllString(act.log, ""), act.summary)
			for k, v := range act.outputs {
				printed = append(printed, k+"="+v)
				if strings.HasSuffix(k, "-file") {
					if b, err := os.ReadFile(v); err == nil {
						printed = append(printed, string(b))
					}
				}
			}
			for _, cm := range srv.Comments(7) {
				printed = append(printed, cm.Body)
			}

			// Every command and format a user types.
			root := r.Work
			var validateJSON, checkJSON string
			for _, args := range [][]string{
				{"validate"}, {"validate", "-o", "json"}, {"validate", "-o", "yaml"},
				{"check-secrets"}, {"check-secrets", "-o", "json"}, {"check-secrets", "-o", "yaml"},
				{"render", "--check"}, {"render", "-o", "json"}, {"render", "-o", "yaml"}, {"render"},
				{"plan", "--base", "main", "--charts=false"}, {"plan", "--base", "main", "--charts=false", "-o", "json"},
				{"plan", "--base", "main", "--charts=false", "-o", "yaml"}, {"plan", "--base", "main", "--charts=false", "-o", "markdown"},
			} {
				res := hubfleet(t, "", append(args, "--root", root)...)
				printed = append(printed, res.stdout, res.stderr)
				if res.code != exitProblems {
					t.Errorf("%s: exit %d, want 1\n%s%s", strings.Join(args, " "), res.code, res.stdout, res.stderr)
				}
				switch strings.Join(args, " ") {
				case "validate -o json":
					validateJSON = res.stdout
				case "check-secrets -o json":
					checkJSON = res.stdout
				}
			}

			// One verdict: validate and check-secrets name the same
			// findings in the file, the expected one among them.
			inFile := func(vs []guardVerdict) []guardVerdict {
				var out []guardVerdict
				for _, v := range vs {
					if v.File == c.Target {
						out = append(out, v)
					}
				}
				return sortedVerdicts(out)
			}
			val, chk := inFile(validateVerdicts(t, validateJSON)), inFile(checkSecretsVerdicts(t, root, checkJSON))
			if diff := cmp.Diff(val, chk); diff != "" {
				t.Errorf("validate and check-secrets disagree (-validate +check-secrets):\n%s", diff)
			}
			found := false
			for _, v := range val {
				if v.Field == c.Field && (c.Rule == "" || v.Rule == c.Rule) && (c.Line == 0 || v.Line == c.Line) {
					found = true
				}
			}
			if !found {
				t.Errorf("validate does not report %s [%s] at line %d; it reports %+v", c.Field, c.Rule, c.Line, val)
			}

			// import: the secrets of a values file never reach the
			// site it writes, nor its report.
			if c.Target == "clusters/leak/site.yaml" {
				if values := siteValues(t, src); values != nil {
					vf := filepath.Join(t.TempDir(), "values.yaml")
					if err := os.WriteFile(vf, values, 0o644); err != nil {
						t.Fatal(err)
					}
					imp := fleetCopy(t)
					res := hubfleet(t, "", "import", vf, "--site", "imported", "--host", "imported.hubs.example.org", "--contact-email", "ops@example.org", "--write", "--root", imp)
					printed = append(printed, res.stdout, res.stderr, outputsOf(t, imp))
					if b, err := os.ReadFile(filepath.Join(imp, "clusters/imported/site.yaml")); err == nil {
						printed = append(printed, string(b))
					}
				}
			}

			// The files hubfleet may have written; the smuggling file is
			// the user's own.
			if err := os.Rename(filepath.Join(root, c.Target), filepath.Join(t.TempDir(), "smuggled")); err != nil {
				t.Fatal(err)
			}
			printed = append(printed, outputsOf(t, root))
			for _, out := range printed {
				if piece := leaks(out, c.Secret, baseline); piece != "" {
					t.Errorf("%s appear in hubfleet's output or files:\n%s", piece, out)
					break
				}
			}
		})
	}
}

// siteValues is spec.values of a site file as a values file of its own,
// comments, anchors and all.
func siteValues(t *testing.T, src []byte) []byte {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil || len(doc.Content) == 0 {
		return nil
	}
	spec := mapValue(mapValue(doc.Content[0], "spec"), "values")
	if spec == nil {
		return nil
	}
	b, err := yaml.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
