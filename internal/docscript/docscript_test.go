package docscript_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hubfleet/hubfleet/internal/chart/chartrepotest"
	"github.com/hubfleet/hubfleet/internal/docscript"
	"github.com/hubfleet/hubfleet/internal/fleettest"
)

// publicRepos are the chart repositories 'hubfleet init' writes into a new
// fleet file. The test points them at the real charts served on loopback:
// tests never leave the machine.
var publicRepos = []string{"https://hub.jupyter.org/helm-chart/", "https://helm.dask.org/", "https://helm.dask.org"}

// readerSecrets are the variables the pages expect the reader to hold a
// secret in; each run gets fresh random values.
var readerSecrets = []string{"CLIENT_SECRET", "DB_PASSWORD", "S3_SECRET_KEY"}

// pages lists the Markdown files whose sh blocks run: the README and every
// page under docs/.
func pages(t *testing.T, root string) []string {
	t.Helper()
	out := []string{"README.md"}
	err := filepath.WalkDir(filepath.Join(root, "docs"), func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".md") {
			rel, _ := filepath.Rel(root, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out[1:])
	return out
}

// sandbox is the directory and environment one page runs in.
type sandbox struct {
	t       *testing.T
	root    string // the project root
	dir     string // the page's directory (where it starts)
	state   string // the shell's working directory and exported variables
	env     []string
	repoURL string
}

func newSandbox(t *testing.T, root, bin, repoURL string) *sandbox {
	tmp := t.TempDir()
	home := filepath.Join(tmp, "home")
	dir := filepath.Join(tmp, "work")
	state := filepath.Join(tmp, "state")
	for _, d := range []string{home, dir, state} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	gitconfig := "[user]\n\tname = Doc Reader\n\temail = reader@example.org\n[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n"
	if err := os.WriteFile(filepath.Join(home, ".gitconfig"), []byte(gitconfig), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(state, "cwd"), []byte(dir), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(state, "env"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{
		"HOME=" + home,
		"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"),
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"XDG_CACHE_HOME=" + filepath.Join(home, ".cache"),
		"NO_COLOR=1",
		"LANG=C.UTF-8",
		"TZ=UTC",
		"GIT_CONFIG_NOSYSTEM=1",
	}
	// The secrets a reader has at hand, which the pages pipe into
	// 'hubfleet secret set'.
	for _, v := range readerSecrets {
		env = append(env, v+"="+rand.Text())
	}
	return &sandbox{t: t, root: root, dir: dir, state: state, env: env, repoURL: repoURL}
}

// run runs one command the way a reader's shell would: in the directory
// and with the exported variables the earlier commands left.
func (s *sandbox) run(ctx context.Context, c docscript.Command, where string) (string, int) {
	text := c.Text
	// The repository quickstart runs hubfleet from source; the test runs
	// the binary it built from the same source.
	text = strings.ReplaceAll(text, "go run ./cmd/hubfleet", "hubfleet")
	script := fmt.Sprintf(`set -o pipefail
cd "$(cat %[1]q/cwd)" || exit 97
. %[1]q/env
%[2]s
__rc=$?
pwd > %[1]q/cwd
export -p > %[1]q/env
exit $__rc
`, s.state, text)
	if where != "" {
		script = strings.Replace(script, fmt.Sprintf("cd \"$(cat %q/cwd)\"", s.state), "cd "+strconvQuote(where), 1)
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "--noprofile", "--norc", "-c", script)
	cmd.Env = s.env
	cmd.Stdin = strings.NewReader("")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			s.t.Fatalf("line %d: %s: %v", c.Line, c.Text, err)
		}
		code = ee.ExitCode()
	}
	s.pointAtLoopback()
	return out.String(), code
}

func strconvQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// pointAtLoopback rewrites the public chart repositories of any fleet file
// in the sandbox to the loopback repository serving the real charts.
func (s *sandbox) pointAtLoopback() {
	_ = filepath.WalkDir(s.dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "overlays" || d.Name() == "clusters" || strings.Count(strings.TrimPrefix(p, s.dir), "/") > 4) {
			return filepath.SkipDir
		}
		if d.Name() != "fleet.yaml" {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		n := string(b)
		for _, u := range publicRepos {
			n = strings.ReplaceAll(n, "repository: "+u+"\n", "repository: "+s.repoURL+"\n")
		}
		if n != string(b) {
			if err := os.WriteFile(p, []byte(n), 0o644); err != nil {
				s.t.Fatal(err)
			}
		}
		return nil
	})
}

// copyInto copies the file or directory src to dst.
func copyInto(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatalf("doc-test: copy %s: %v", src, err)
	}
}

// copyRepository copies what a clone of this repository holds for the
// demo fleet (bases/, clusters/, overlays/, schema/) into dir.
func copyRepository(t *testing.T, root, dir string) {
	t.Helper()
	for _, top := range []string{"bases", "clusters", "overlays", "schema"} {
		err := filepath.WalkDir(filepath.Join(root, top), func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			dst := filepath.Join(dir, rel)
			if d.IsDir() {
				return os.MkdirAll(dst, 0o755)
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(dst, b, 0o644)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// counts are what the run did, for the figures docs/README.md states.
type counts struct {
	blocksRun, commandsRun int
	skipped                []string // "page:line: reason", blocks and lines
	skippedBlocks          int
}

// TestDocScripts runs every sh block of README.md and docs/ against a
// temporary fleet, with the hubfleet built from this source, git for real
// and the real charts served on loopback. Each command must end with the
// exit status its comment states (0 unless "exit N") and print what its
// comment says it prints. The numbers docs/README.md gives must be the
// numbers this run finds.
func TestDocScripts(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash not found")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not found")
	}
	root := fleettest.Root(t)
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "hubfleet"), "./cmd/hubfleet")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/hubfleet: %v\n%s", err, out)
	}
	srv := chartrepotest.StartReal(t)

	parsed := map[string]*docscript.Page{}
	all := pages(t, root)
	for _, p := range all {
		md, err := os.ReadFile(filepath.Join(root, p))
		if err != nil {
			t.Fatal(err)
		}
		page, err := docscript.Parse(string(md))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		parsed[p] = page
	}
	var c counts
	for _, p := range all {
		page := parsed[p]
		runnable := false
		for _, b := range page.Blocks {
			runnable = runnable || b.Skip == ""
			if b.Skip != "" {
				c.skippedBlocks++
				c.skipped = append(c.skipped, fmt.Sprintf("%s:%d: %s", p, b.Line, b.Skip))
				continue
			}
			c.blocksRun++
			for _, cmd := range b.Commands {
				if cmd.Skip != "" {
					c.skipped = append(c.skipped, fmt.Sprintf("%s:%d: %s", p, cmd.Line, cmd.Skip))
					continue
				}
				c.commandsRun++
			}
		}
		if !runnable {
			continue
		}
		t.Run(strings.TrimSuffix(p, ".md"), func(t *testing.T) {
			t.Parallel() // each page has its own directories
			s := newSandbox(t, root, bin, srv.URL)
			// The chain of pages this one continues, earliest first.
			var chain []string
			for cur, seen := p, map[string]bool{}; cur != ""; {
				if seen[cur] {
					t.Fatalf("%s: doc-test 'after' chain loops", p)
				}
				seen[cur] = true
				chain = append([]string{cur}, chain...)
				next := parsed[cur].After
				if next == "" {
					break
				}
				next = filepath.ToSlash(filepath.Join(filepath.Dir(cur), next))
				if parsed[next] == nil {
					t.Fatalf("%s: doc-test: after %s: no such page", cur, next)
				}
				cur = next
			}
			for _, name := range chain {
				runPage(t, s, name, parsed[name])
			}
		})
	}
	for _, sk := range c.skipped {
		t.Logf("not run: %s", sk)
	}
	t.Logf("%d shell blocks run (%d commands); %d blocks and %d single line(s) marked not run",
		c.blocksRun, c.commandsRun, c.skippedBlocks, len(c.skipped)-c.skippedBlocks)
	checkStatedCounts(t, root, c)
}

var (
	statedRun     = regexp.MustCompile(`\*\*(\d+) shell blocks\*\* \((\d+) commands\) run`)
	statedSkipped = regexp.MustCompile(`\*\*(\d+) blocks\*\* and \*\*(\d+) single line\(s\)\*\* are marked not run`)
)

// checkStatedCounts holds docs/README.md to the figures of this run.
func checkStatedCounts(t *testing.T, root string, c counts) {
	t.Helper()
	md, err := os.ReadFile(filepath.Join(root, "docs", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		re   *regexp.Regexp
		a, b int
		what string
	}{
		{statedRun, c.blocksRun, c.commandsRun, fmt.Sprintf("**%d shell blocks** (%d commands) run", c.blocksRun, c.commandsRun)},
		{statedSkipped, c.skippedBlocks, len(c.skipped) - c.skippedBlocks, fmt.Sprintf("**%d blocks** and **%d single line(s)** are marked not run", c.skippedBlocks, len(c.skipped)-c.skippedBlocks)},
	}
	for _, w := range want {
		m := w.re.FindSubmatch(md)
		if m == nil {
			t.Errorf("docs/README.md does not state %q", w.what)
			continue
		}
		a, _ := strconv.Atoi(string(m[1]))
		b, _ := strconv.Atoi(string(m[2]))
		if a != w.a || b != w.b {
			t.Errorf("docs/README.md says %q; this run: %q", m[0], w.what)
		}
	}
}

func runPage(t *testing.T, s *sandbox, name string, page *docscript.Page) {
	t.Helper()
	ctx := t.Context()
	for _, b := range page.Blocks {
		if b.Skip != "" {
			continue
		}
		where := ""
		switch b.Where {
		case "":
		case "a copy of this repository":
			where = filepath.Join(filepath.Dir(s.dir), "repository")
			if _, err := os.Stat(where); err != nil {
				copyRepository(t, s.root, where)
			}
		default:
			t.Fatalf("%s:%d: doc-test: in %q: the test knows only \"a copy of this repository\"", name, b.Line, b.Where)
		}
		for _, p := range b.Copy {
			cwd, err := os.ReadFile(filepath.Join(s.state, "cwd"))
			if err != nil {
				t.Fatal(err)
			}
			dst := strings.TrimSpace(string(cwd))
			if where != "" {
				dst = where
			}
			copyInto(t, filepath.Join(s.root, filepath.FromSlash(p)), filepath.Join(dst, filepath.Base(p)))
		}
		for _, c := range b.Commands {
			if c.Skip != "" {
				continue
			}
			out, code := s.run(ctx, c, where)
			t.Logf("%s:%d $ %s  (exit %d)\n%s", name, c.Line, c.Text, code, indent(out))
			if code != c.Exit {
				t.Fatalf("%s:%d: %s\nexit %d, the page says %d; output:\n%s", name, c.Line, c.Text, code, c.Exit, out)
			}
			for _, w := range c.Want {
				if !strings.Contains(out, w) {
					t.Errorf("%s:%d: %s\nthe page says it prints %q; output:\n%s", name, c.Line, c.Text, w, out)
				}
			}
		}
	}
}

func indent(s string) string {
	if s == "" {
		return ""
	}
	if lines := strings.Split(s, "\n"); len(lines) > 40 {
		s = strings.Join(lines[:40], "\n") + fmt.Sprintf("\n... (%d more lines)", len(lines)-40)
	}
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}
