package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hubfleet/hubfleet/internal/chart/chartrepotest"
	"github.com/hubfleet/hubfleet/internal/fleettest"
	"github.com/hubfleet/hubfleet/internal/gittest"
	"github.com/hubfleet/hubfleet/internal/scaffold"
)

var (
	mdLink   = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	mdHeader = regexp.MustCompile(`(?m)^#+ (.+)$`)
)

// anchor is GitHub's anchor of a heading.
func anchor(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	var b strings.Builder
	for _, r := range h {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9'):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// TestReadmeLinks checks every relative link of the README files: the
// file exists, and so does the heading an anchor names.
func TestReadmeLinks(t *testing.T) {
	t.Parallel()
	root := fleettest.Root(t)
	for _, readme := range []string{"README.md", "action/README.md"} {
		data, err := os.ReadFile(filepath.Join(root, readme))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, m := range mdLink.FindAllStringSubmatch(string(data), -1) {
			link := m[1]
			if strings.Contains(link, "://") || strings.HasPrefix(link, "mailto:") {
				continue
			}
			n++
			file, frag, _ := strings.Cut(link, "#")
			target := filepath.Join(root, filepath.Dir(readme), file)
			if file == "" {
				target = filepath.Join(root, readme)
			}
			content, err := os.ReadFile(target)
			if err != nil {
				if st, serr := os.Stat(target); serr == nil && st.IsDir() && frag == "" {
					continue
				}
				t.Errorf("%s links %s, which does not exist", readme, link)
				continue
			}
			if frag == "" {
				continue
			}
			found := false
			for _, h := range mdHeader.FindAllStringSubmatch(string(content), -1) {
				found = found || anchor(h[1]) == frag
			}
			if !found {
				t.Errorf("%s links %s: no heading with anchor #%s", readme, link, frag)
			}
		}
		if readme == "README.md" && n < 2 {
			t.Errorf("only %d relative links found in %s: is the pattern right?", n, readme)
		}
	}
	if strings.Contains(mustRead(t, filepath.Join(root, "README.md")), "DESIGN.md") {
		t.Error("README.md mentions DESIGN.md, which does not exist")
	}
}

func mustRead(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// shellWords splits a command line on blanks, honouring double quotes.
func shellWords(line string) []string {
	var words []string
	var cur strings.Builder
	inQuote, have := false, false
	for _, r := range line {
		switch {
		case r == '"':
			inQuote, have = !inQuote, true
		case (r == ' ' || r == '\t') && !inQuote:
			if have {
				words = append(words, cur.String())
				cur.Reset()
				have = false
			}
		default:
			cur.WriteRune(r)
			have = true
		}
	}
	if have {
		words = append(words, cur.String())
	}
	return words
}

// TestReadmeQuickstart runs the README's "your own fleet" quickstart as
// written, in a temporary directory: hubfleet through run(), git for real.
// Two things differ, and only them: 'go install' and the PATH line are
// skipped (this test is the binary), and after 'hubfleet init' the fleet's chart repositories are
// pointed at a loopback repository serving the test charts, as tests may
// not reach the internet.
func TestReadmeQuickstart(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	readme := mustRead(t, filepath.Join(fleettest.Root(t), "README.md"))
	_, section, ok := strings.Cut(readme, "### Your own fleet")
	if !ok {
		t.Fatal("no quickstart for your own fleet in README.md")
	}
	_, block, _ := strings.Cut(section, "```sh\n")
	block, _, _ = strings.Cut(block, "```")
	srv := chartrepotest.Start(t,
		chartrepotest.Chart{Dir: chartrepotest.Dir("daskhub"), Version: scaffold.Pins()["daskhub"].Version},
		chartrepotest.Chart{Dir: chartrepotest.Dir("jupyterhub"), Version: scaffold.Pins()["jupyterhub"].Version},
		chartrepotest.Chart{Dir: chartrepotest.Dir("dask-gateway"), Version: scaffold.Pins()["daskGateway"].Version},
	)
	t.Chdir(t.TempDir())
	ran := 0
	for _, line := range strings.Split(block, "\n") {
		if i := strings.Index(line, " #"); i >= 0 {
			line = line[:i]
		}
		for _, cmdline := range strings.Split(line, "&&") {
			words := shellWords(strings.TrimSpace(cmdline))
			if len(words) == 0 {
				continue
			}
			ran++
			switch words[0] {
			case "go", "export":
				continue // go install and PATH: this test is the binary
			case "mkdir":
				if err := os.MkdirAll(words[1], 0o755); err != nil {
					t.Fatal(err)
				}
			case "cd":
				t.Chdir(words[1])
			case "git":
				wd, _ := os.Getwd()
				gittest.Run(t, wd, words[1:]...)
			case "hubfleet":
				r := hubfleet(t, "", words[1:]...)
				want := exitOK // plan too: a change is not a problem
				if r.code != want {
					t.Fatalf("%s: exit %d, want %d\n%s%s", cmdline, r.code, want, r.stdout, r.stderr)
				}
				t.Logf("$ %s\n%s", strings.TrimSpace(cmdline), r.stdout)
				if words[1] == "validate" && !strings.Contains(r.stdout, "1 site(s) valid") {
					t.Errorf("validate does not say what the quickstart says:\n%s", r.stdout)
				}
				if words[1] == "plan" && !strings.Contains(r.stdout, "my-site") {
					t.Errorf("the plan does not show my-site:\n%s", r.stdout)
				}
				if words[1] == "init" {
					fleetFile := "bases/daskhub/fleet.yaml"
					editFile(t, fleetFile, "repository: https://helm.dask.org\n      chart: daskhub", "repository: "+srv.URL+"\n      chart: daskhub")
					editFile(t, fleetFile, "repository: https://hub.jupyter.org/helm-chart/", "repository: "+srv.URL)
					editFile(t, fleetFile, "repository: https://helm.dask.org\n      chart: dask-gateway", "repository: "+srv.URL+"\n      chart: dask-gateway")
				}
			default:
				t.Fatalf("the quickstart runs %q, which this test does not know", words[0])
			}
		}
	}
	if ran < 10 {
		t.Fatalf("only %d commands in the quickstart", ran)
	}
}
