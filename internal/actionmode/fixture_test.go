package actionmode_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hubfleet/hubfleet/internal/actionmode"
	"github.com/hubfleet/hubfleet/internal/flowtest"
	"github.com/hubfleet/hubfleet/internal/github/githubtest"
	"github.com/hubfleet/hubfleet/internal/gitrepo"
	"github.com/hubfleet/hubfleet/internal/gittest"
	"github.com/hubfleet/hubfleet/internal/report"
	"github.com/hubfleet/hubfleet/internal/report/reporttest"
)

const token = "ghs_e2eTestToken0123456789"

// fixture is the example fleet of this repository in a git work tree
// cloned from a bare remote on disk (flowtest.Repo), and a fake GitHub API.
type fixture struct {
	t      *testing.T
	remote string
	work   string
	srv    *githubtest.Server
	repo   *flowtest.Repo
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	r := flowtest.New(t)
	return &fixture{t: t, remote: r.Remote, work: r.Work, repo: r, srv: githubtest.NewServer(t, "fleet", "hubs", token)}
}

// clone makes another work tree of the remote.
func (f *fixture) clone() string {
	f.t.Helper()
	dir := filepath.Join(f.t.TempDir(), "other")
	gittest.Run(f.t, filepath.Dir(dir), "clone", "--quiet", f.remote, dir)
	return dir
}

func (f *fixture) write(dir, path, content string) {
	f.t.Helper()
	p := filepath.Join(dir, path)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		f.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) read(dir, path string) string {
	f.t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, path))
	if err != nil {
		f.t.Fatal(err)
	}
	return string(b)
}

// replace edits a file in dir, failing if old is absent.
func (f *fixture) replace(dir, path, old, new string) {
	f.t.Helper()
	s := f.read(dir, path)
	if !strings.Contains(s, old) {
		f.t.Fatalf("%s does not contain %q", path, old)
	}
	f.write(dir, path, strings.Replace(s, old, new, 1))
}

// render re-renders the fleet in dir with the real renderer.
func (f *fixture) render(dir string) {
	f.t.Helper()
	f.repo.Render(dir)
}

// result is what one run of a mode left behind, read the way the runner
// reads it.
type result struct {
	err         error
	exit        int
	log         string
	outputs     map[string]string
	summary     string
	annotations []report.Annotation
}

func (r result) annotated(level report.Level, file, title string) *report.Annotation {
	for i, a := range r.annotations {
		if a.Level == level && a.File == file && a.Title == title {
			return &r.annotations[i]
		}
	}
	return nil
}

// run runs a mode in the work tree with the environment a GitHub Actions
// runner and action.yml would give it: GITHUB_* variables, the event
// payload from testdata, HUBFLEET_* inputs, and fresh output and summary
// files.
func (f *fixture) run(mode, event string, inputs map[string]string, opt func(*actionmode.Options)) result {
	f.t.Helper()
	dir := f.t.TempDir()
	outFile, summaryFile := filepath.Join(dir, "output"), filepath.Join(dir, "summary")
	eventPath, err := filepath.Abs(filepath.Join("testdata", "events", event+".json"))
	if err != nil {
		f.t.Fatal(err)
	}
	head := gittest.Run(f.t, f.work, "rev-parse", "HEAD")
	env := map[string]string{
		"GITHUB_ACTIONS":        "true",
		"GITHUB_OUTPUT":         outFile,
		"GITHUB_STEP_SUMMARY":   summaryFile,
		"GITHUB_REPOSITORY":     "fleet/hubs",
		"GITHUB_API_URL":        strings.TrimSuffix(f.srv.URL(), "/"),
		"GITHUB_SERVER_URL":     "https://github.com",
		"GITHUB_RUN_ID":         "4242",
		"GITHUB_EVENT_NAME":     event,
		"GITHUB_EVENT_PATH":     eventPath,
		"GITHUB_SHA":            head,
		"GITHUB_REF_NAME":       "main",
		"GITHUB_WORKSPACE":      f.work,
		"HUBFLEET_MODE":         mode,
		"HUBFLEET_GITHUB_TOKEN": token,
	}
	if event == "pull_request" {
		env["GITHUB_BASE_REF"] = "main"
		env["GITHUB_REF_NAME"] = "7/merge"
	}
	// Without chart repositories by default: a test that plans the
	// charts serves them (chartRepo) and sets HUBFLEET_PLAN_CHARTS.
	env["HUBFLEET_PLAN_CHARTS"] = "false"
	for k, v := range inputs {
		env[k] = v
	}
	var log bytes.Buffer
	opts := actionmode.DefaultOptions()
	opts.Root = f.work
	opts.Getenv = func(k string) string { return env[k] }
	opts.Stdout = &log
	opts.Git = gitrepo.DefaultOptions()
	opts.Git.Env = gittest.Isolated
	opts.Compare.Resolver.CacheDir = filepath.Join(dir, "charts")
	opts.Compare.Render.CacheDir = filepath.Join(dir, "renders")
	opts.GitHub.Sleep = func(context.Context, time.Duration) error { return nil }
	if opt != nil {
		opt(&opts)
	}
	err = actionmode.Run(context.Background(), mode, opts)

	res := result{err: err, exit: actionmode.ExitCode(err), log: log.String()}
	if b, err := os.ReadFile(outFile); err == nil {
		if res.outputs, err = reporttest.ParseOutputs(string(b)); err != nil {
			f.t.Fatal(err)
		}
	}
	if b, err := os.ReadFile(summaryFile); err == nil {
		res.summary = string(b)
	}
	if res.annotations, err = reporttest.ParseAnnotations(res.log); err != nil {
		f.t.Fatal(err)
	}
	// The token is masked before anything else and never printed.
	if env["GITHUB_ACTIONS"] != "true" {
		if strings.Contains(res.log, token) {
			f.t.Errorf("the token is in a terminal's log")
		}
		return res
	}
	if masks := reporttest.Masks(res.log); len(masks) == 0 || masks[0] != token {
		f.t.Errorf("first masked value = %v, want the token", masks)
	}
	if n := strings.Count(res.log, token); n != 1 {
		f.t.Errorf("token appears %d times in the log, want once (in ::add-mask::)", n)
	}
	return res
}
