package action_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/hubfleet/hubfleet/internal/release"
)

const (
	releaseTag    = "v1.4.2"
	releaseCommit = "0123456789abcdef0123456789abcdef01234567"
	releaseRepo   = "hubfleet/hubfleet"
)

// fixtureDir is the release package's test module: a main package named
// like hubfleet's that prints the tag and commit a release build stamps.
var fixtureDir = filepath.Join("..", "internal", "release", "testdata", "fixture")

// fakeGitHub serves release assets as github.com does: GET
// /<owner>/<repo>/releases/download/<tag>/<asset> answers 302 to the
// asset's storage URL, which serves the bytes; unknown tags and assets
// are 404. It is the only fake in these tests.
type fakeGitHub struct {
	*httptest.Server
	mu       sync.Mutex
	assets   map[string][]byte // "<tag>/<name>" -> content
	requests map[string]int    // asset name -> downloads
}

func newFakeGitHub(t *testing.T) *fakeGitHub {
	t.Helper()
	return newFakeGitHubWithGit(t, "")
}

// newFakeGitHubWithGit also serves the bare repository
// <gitRoot>/<releaseRepo> over git's smart HTTP protocol (real git
// http-backend), as github.com/<owner>/<repo> does.
func newFakeGitHubWithGit(t *testing.T, gitRoot string) *fakeGitHub {
	t.Helper()
	g := &fakeGitHub{assets: map[string][]byte{}, requests: map[string]int{}}
	mux := http.NewServeMux()
	if gitRoot != "" {
		git, err := exec.LookPath("git")
		if err != nil {
			t.Skip("no git")
		}
		h := &cgi.Handler{Path: git, Args: []string{"http-backend"}, Env: []string{"GIT_PROJECT_ROOT=" + gitRoot, "GIT_HTTP_EXPORT_ALL=1"}}
		mux.Handle("/"+releaseRepo+"/info/refs", h)
		mux.Handle("/"+releaseRepo+"/git-upload-pack", h)
	}
	prefix := "/" + releaseRepo + "/releases/download/"
	mux.HandleFunc(prefix, func(w http.ResponseWriter, r *http.Request) {
		key := strings.TrimPrefix(r.URL.Path, prefix)
		g.mu.Lock()
		_, ok := g.assets[key]
		g.mu.Unlock()
		if !ok {
			http.Error(w, "Not Found", http.StatusNotFound)
			return
		}
		sig := make([]byte, 8)
		rand.Read(sig)
		http.Redirect(w, r, "/release-assets/"+key+"?sig="+hex.EncodeToString(sig), http.StatusFound)
	})
	mux.HandleFunc("/release-assets/", func(w http.ResponseWriter, r *http.Request) {
		key := strings.TrimPrefix(r.URL.Path, "/release-assets/")
		g.mu.Lock()
		b, ok := g.assets[key]
		if ok {
			g.requests[filepath.Base(key)]++
		}
		g.mu.Unlock()
		if !ok {
			http.Error(w, "Not Found", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(b)
	})
	g.Server = httptest.NewServer(mux)
	t.Cleanup(g.Close)
	return g
}

func (g *fakeGitHub) publish(tag, dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return err
		}
		g.assets[tag+"/"+e.Name()] = b
	}
	return nil
}

func (g *fakeGitHub) set(tag, name string, b []byte) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.assets[tag+"/"+name] = b
}

func (g *fakeGitHub) downloads(name string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.requests[name]
}

var (
	releaseOnce sync.Once
	releaseDist string
	releaseErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if releaseDist != "" {
		os.RemoveAll(filepath.Dir(releaseDist))
	}
	os.Exit(code)
}

// buildReleaseAt builds the fixture's release for tag and commit.
func buildReleaseAt(t *testing.T, tag, commit string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "dist")
	if _, err := release.Build(context.Background(), release.Options{
		Tag: tag, Commit: commit, SourceDateEpoch: 1796573798,
		Dir: fixtureDir, Package: "./cmd/hubfleet", OutDir: out,
		Targets: []release.Target{release.HostTarget()}, Repository: "https://github.com/" + releaseRepo,
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// buildRelease builds the fixture's release for this machine once, with
// the real release code, into a directory shared by the tests.
func buildRelease(t *testing.T) string {
	t.Helper()
	releaseOnce.Do(func() {
		dir, err := os.MkdirTemp("", "hubfleet-action-release-")
		if err != nil {
			releaseErr = err
			return
		}
		releaseDist = filepath.Join(dir, "dist")
		_, releaseErr = release.Build(context.Background(), release.Options{
			Tag: releaseTag, Commit: releaseCommit, SourceDateEpoch: 1796573798,
			Dir: fixtureDir, Package: "./cmd/hubfleet", OutDir: releaseDist,
			Targets: []release.Target{release.HostTarget()}, Repository: "https://github.com/" + releaseRepo,
		})
	})
	if releaseErr != nil {
		t.Fatal(releaseErr)
	}
	return releaseDist
}

type installRun struct {
	code    int
	stdout  string
	stderr  string
	outputs map[string]string
}

// runInstall runs install.sh <mode> as the action's step does.
func runInstall(t *testing.T, mode string, env map[string]string) installRun {
	t.Helper()
	outFile := filepath.Join(t.TempDir(), "github_output")
	if err := os.WriteFile(outFile, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", "install.sh", mode)
	cmd.Env = append(os.Environ(), "GITHUB_OUTPUT="+outFile, "GITHUB_ACTIONS=true",
		"HUBFLEET_ACTION_REF=", "HUBFLEET_ACTION_REPOSITORY=", "GITHUB_ACTION_PATH=")
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := installRun{stdout: stdout.String(), stderr: stderr.String(), outputs: map[string]string{}}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(outFile)
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if k, v, ok := strings.Cut(l, "="); ok {
			r.outputs[k] = v
		}
	}
	return r
}

func runnerPlatform(t *testing.T) (string, string) {
	t.Helper()
	os := map[string]string{"linux": "Linux", "darwin": "macOS"}[runtime.GOOS]
	arch := map[string]string{"amd64": "X64", "arm64": "ARM64"}[runtime.GOARCH]
	if os == "" || arch == "" {
		t.Skipf("no release binary for %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	return os, arch
}

func TestInstallResolvesTheActionRef(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		env      map[string]string
		tag      string
		repo     string
		building bool
	}{
		{name: "release tag", env: map[string]string{"HUBFLEET_ACTION_REF": "v1.4.2", "HUBFLEET_ACTION_REPOSITORY": releaseRepo}, tag: "v1.4.2", repo: releaseRepo},
		{name: "release candidate", env: map[string]string{"HUBFLEET_ACTION_REF": "v2.0.0-rc.1", "HUBFLEET_ACTION_REPOSITORY": releaseRepo}, tag: "v2.0.0-rc.1", repo: releaseRepo},
		{name: "composite action without github.action_ref", env: map[string]string{"GITHUB_ACTION_PATH": "/home/runner/work/_actions/hubfleet/hubfleet/v1.4.2/action"}, tag: "v1.4.2", repo: releaseRepo},
		{name: "branch", env: map[string]string{"HUBFLEET_ACTION_REF": "main", "HUBFLEET_ACTION_REPOSITORY": releaseRepo}, repo: releaseRepo, building: true},
		{name: "commit", env: map[string]string{"HUBFLEET_ACTION_REF": releaseCommit, "HUBFLEET_ACTION_REPOSITORY": releaseRepo}, repo: releaseRepo, building: true},
		{name: "moving major tag", env: map[string]string{"HUBFLEET_ACTION_REF": "v1", "HUBFLEET_ACTION_REPOSITORY": releaseRepo}, repo: releaseRepo, building: true},
		{name: "local action (uses: ./action)", env: map[string]string{"GITHUB_ACTION_PATH": "/home/runner/work/fleet/fleet/action"}, building: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runInstall(t, "resolve", tt.env)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if r.outputs["tag"] != tt.tag || r.outputs["repository"] != tt.repo || r.outputs["start"] == "" {
				t.Errorf("outputs %v, want tag %q repository %q and a start time", r.outputs, tt.tag, tt.repo)
			}
			if got := strings.Contains(r.stdout, "building hubfleet from source"); got != tt.building {
				t.Errorf("building = %v, want %v:\n%s", got, tt.building, r.stdout)
			}
		})
	}
}

// TestInstallDownloadsAndVerifiesTheRelease runs the download path against
// a release laid out as GitHub serves one: installed, then from the cache,
// then a tampered archive that must fail closed.
func TestInstallDownloadsAndVerifiesTheRelease(t *testing.T) {
	t.Parallel()
	runnerOS, runnerArch := runnerPlatform(t)
	dist := buildRelease(t)
	gh := newFakeGitHub(t)
	if err := gh.publish(releaseTag, dist); err != nil {
		t.Fatal(err)
	}
	archive := release.ArchiveName(releaseTag, release.HostTarget())
	cache := t.TempDir()
	env := func(tmp string) map[string]string {
		return map[string]string{
			"HUBFLEET_RELEASE_TAG": releaseTag, "HUBFLEET_RELEASE_REPOSITORY": releaseRepo,
			"GITHUB_SERVER_URL": gh.URL, "RUNNER_TEMP": tmp, "RUNNER_OS": runnerOS, "RUNNER_ARCH": runnerArch,
			"HUBFLEET_CACHE_DIR": cache,
		}
	}
	runBinary := func(t *testing.T, tmp string) string {
		t.Helper()
		out, err := exec.Command(filepath.Join(tmp, "hubfleet"), "version").Output()
		if err != nil {
			t.Fatalf("the installed binary does not run: %v", err)
		}
		return string(out)
	}

	tmp := t.TempDir()
	r := runInstall(t, "download", env(tmp))
	if r.code != 0 || r.outputs["installed"] != "true" || r.outputs["how"] != "download" {
		t.Fatalf("exit %d, outputs %v\n%s%s", r.code, r.outputs, r.stdout, r.stderr)
	}
	if got := runBinary(t, tmp); !strings.HasPrefix(got, releaseTag+" "+releaseCommit) {
		t.Errorf("installed binary reports %q", got)
	}
	if n := gh.downloads(archive); n != 1 {
		t.Errorf("archive downloaded %d times, want 1", n)
	}

	// A second job restores the cache: the archive is verified again and
	// not downloaded.
	tmp = t.TempDir()
	r = runInstall(t, "download", env(tmp))
	if r.code != 0 || r.outputs["installed"] != "true" || r.outputs["how"] != "cache" {
		t.Fatalf("from the cache: exit %d, outputs %v\n%s%s", r.code, r.outputs, r.stdout, r.stderr)
	}
	if n := gh.downloads(archive); n != 1 {
		t.Errorf("archive downloaded %d times after a cache hit, want 1", n)
	}
	runBinary(t, tmp)

	// A cached archive that no longer matches is not used: it is
	// downloaded again and verified.
	if err := os.WriteFile(filepath.Join(cache, archive), []byte("corrupted"), 0o644); err != nil {
		t.Fatal(err)
	}
	tmp = t.TempDir()
	r = runInstall(t, "download", env(tmp))
	if r.code != 0 || r.outputs["how"] != "download" || gh.downloads(archive) != 2 {
		t.Fatalf("corrupted cache: exit %d, outputs %v, downloads %d\n%s", r.code, r.outputs, gh.downloads(archive), r.stderr)
	}

	// The release's archive changes under the same checksums file: the
	// install fails, names the mismatch and installs nothing.
	good, _ := os.ReadFile(filepath.Join(dist, archive))
	tampered := append(append([]byte(nil), good...), 0)
	gh.set(releaseTag, archive, tampered)
	os.Remove(filepath.Join(cache, archive))
	tmp = t.TempDir()
	r = runInstall(t, "download", env(tmp))
	if r.code == 0 || r.outputs["installed"] == "true" {
		t.Fatalf("a tampered archive was accepted: exit %d, outputs %v", r.code, r.outputs)
	}
	if !strings.Contains(r.stderr, "::error title=hubfleet install::checksum mismatch for "+archive) {
		t.Errorf("the error does not name the mismatch:\n%s", r.stderr)
	}
	if _, err := os.Stat(filepath.Join(tmp, "hubfleet")); !os.IsNotExist(err) {
		t.Errorf("a binary was installed from a tampered archive: %v", err)
	}
	if _, err := os.Stat(filepath.Join(cache, archive)); !os.IsNotExist(err) {
		t.Errorf("the tampered archive was cached: %v", err)
	}
	gh.set(releaseTag, archive, good)

	// A checksums file that lists a malformed sum fails too.
	sumsName := release.ChecksumsName(releaseTag)
	sums, _ := os.ReadFile(filepath.Join(dist, sumsName))
	gh.set(releaseTag, sumsName, bytes.Replace(sums, []byte("  "+archive), []byte("x  "+archive), 1))
	r = runInstall(t, "download", env(t.TempDir()))
	if r.code == 0 || !strings.Contains(r.stderr, "malformed checksum") {
		t.Errorf("a malformed checksums line: exit %d\n%s", r.code, r.stderr)
	}
	gh.set(releaseTag, sumsName, sums)
}

func TestInstallWithoutARelease(t *testing.T) {
	t.Parallel()
	runnerOS, runnerArch := runnerPlatform(t)
	gh := newFakeGitHub(t)
	tmp := t.TempDir()
	r := runInstall(t, "download", map[string]string{
		"HUBFLEET_RELEASE_TAG": "v9.9.9", "HUBFLEET_RELEASE_REPOSITORY": releaseRepo,
		"GITHUB_SERVER_URL": gh.URL, "RUNNER_TEMP": tmp, "RUNNER_OS": runnerOS, "RUNNER_ARCH": runnerArch,
		"HUBFLEET_CACHE_DIR": t.TempDir(),
	})
	if r.code != 0 || r.outputs["installed"] != "false" || !strings.Contains(r.stdout, "building from source") {
		t.Errorf("exit %d, outputs %v\n%s%s", r.code, r.outputs, r.stdout, r.stderr)
	}
	// The server is down: that is an error, not a silent fallback.
	gh.Close()
	r = runInstall(t, "download", map[string]string{
		"HUBFLEET_RELEASE_TAG": "v9.9.9", "HUBFLEET_RELEASE_REPOSITORY": releaseRepo,
		"GITHUB_SERVER_URL": gh.URL, "RUNNER_TEMP": tmp, "RUNNER_OS": runnerOS, "RUNNER_ARCH": runnerArch,
		"HUBFLEET_CACHE_DIR": t.TempDir(),
	})
	if r.code == 0 {
		t.Errorf("an unreachable server did not fail the install: %v", r.outputs)
	}
}

// TestInstallBuildsFromTheActionSource runs the build path on the release
// fixture laid out as an action checkout (<repo>/action/install.sh).
func TestInstallBuildsFromTheActionSource(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	src, err := filepath.Abs(fixtureDir)
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	r := runInstall(t, "build", map[string]string{"GITHUB_ACTION_PATH": filepath.Join(src, "action"), "RUNNER_TEMP": tmp})
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if _, err := exec.Command(filepath.Join(tmp, "hubfleet")).Output(); err != nil {
		t.Errorf("the built binary does not run: %v", err)
	}

	r = runInstall(t, "report", map[string]string{"HUBFLEET_INSTALL_START": "1", "HUBFLEET_INSTALL_HOW": "built from source"})
	if r.code != 0 || !strings.Contains(r.stdout, "::notice title=hubfleet install::hubfleet built from source in ") || r.outputs["install-ms"] == "" {
		t.Errorf("report: exit %d, outputs %v\n%s", r.code, r.outputs, r.stdout)
	}
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.org", "GIT_COMMITTER_NAME=t",
		"GIT_COMMITTER_EMAIL=t@example.org", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestInstallAtAPinnedCommit: workflows pin the action by commit SHA
// (hubfleet init writes @<sha> # vX.Y.Z). The release tag at that commit is
// found with git ls-remote against the (real git) server, its binary is
// installed, and a binary that reports another commit fails closed.
func TestInstallAtAPinnedCommit(t *testing.T) {
	t.Parallel()
	runnerOS, runnerArch := runnerPlatform(t)
	work := t.TempDir()
	git(t, work, "init", "-q", "-b", "main")
	commit := func(msg string) string {
		git(t, work, "commit", "-q", "--allow-empty", "-m", msg)
		return git(t, work, "rev-parse", "HEAD")
	}
	c1 := commit("one")
	git(t, work, "tag", "-a", "v1.5.0", "-m", "v1.5.0")
	c2 := commit("two")
	git(t, work, "tag", "v1.6.0")
	c3 := commit("three")
	git(t, work, "tag", "nightly")
	root := t.TempDir()
	git(t, root, "clone", "-q", "--bare", work, filepath.Join(root, releaseRepo))
	gh := newFakeGitHubWithGit(t, root)

	for _, tc := range []struct{ sha, tag string }{{c1, "v1.5.0"}, {c2, "v1.6.0"}, {c3, ""}} {
		r := runInstall(t, "resolve", map[string]string{"HUBFLEET_ACTION_REF": tc.sha, "HUBFLEET_ACTION_REPOSITORY": releaseRepo, "GITHUB_SERVER_URL": gh.URL})
		if r.code != 0 || r.outputs["tag"] != tc.tag {
			t.Errorf("resolve %s: exit %d, outputs %v, want tag %q\n%s%s", tc.sha, r.code, r.outputs, tc.tag, r.stdout, r.stderr)
		}
		if tc.tag != "" && r.outputs["commit"] != tc.sha {
			t.Errorf("resolve %s: commit output %q", tc.sha, r.outputs["commit"])
		}
	}

	if err := gh.publish("v1.5.0", buildReleaseAt(t, "v1.5.0", c1)); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	env := map[string]string{
		"HUBFLEET_RELEASE_TAG": "v1.5.0", "HUBFLEET_RELEASE_REPOSITORY": releaseRepo, "HUBFLEET_RELEASE_COMMIT": c1,
		"GITHUB_SERVER_URL": gh.URL, "RUNNER_TEMP": tmp, "RUNNER_OS": runnerOS, "RUNNER_ARCH": runnerArch, "HUBFLEET_CACHE_DIR": t.TempDir(),
	}
	if r := runInstall(t, "download", env); r.code != 0 || r.outputs["installed"] != "true" {
		t.Fatalf("download v1.5.0 at %s: exit %d, outputs %v\n%s", c1, r.code, r.outputs, r.stderr)
	}

	// A release whose binary was built from another commit than the tag's.
	if err := gh.publish("v1.6.0", buildReleaseAt(t, "v1.6.0", c1)); err != nil {
		t.Fatal(err)
	}
	tmp = t.TempDir()
	env["HUBFLEET_RELEASE_TAG"], env["HUBFLEET_RELEASE_COMMIT"], env["RUNNER_TEMP"] = "v1.6.0", c2, tmp
	r := runInstall(t, "download", env)
	if r.code == 0 || !strings.Contains(r.stderr, "does not report commit "+c2) {
		t.Errorf("a binary built from another commit was accepted: exit %d\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(tmp, "hubfleet")); !os.IsNotExist(err) {
		t.Errorf("the mismatched binary was left installed: %v", err)
	}
}
