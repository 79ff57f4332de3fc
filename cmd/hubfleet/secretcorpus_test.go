package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
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
