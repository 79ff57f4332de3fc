package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hubfleet/hubfleet/internal/chart"
	"github.com/hubfleet/hubfleet/internal/chart/chartrepotest"
	"github.com/hubfleet/hubfleet/internal/fleettest"
)

func writeFile(t *testing.T, p string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func editSite(t *testing.T, root, name string, pairs ...string) {
	t.Helper()
	p := filepath.Join(root, "clusters", name, "site.yaml")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		if !bytes.Contains(b, []byte(pairs[i])) {
			t.Fatalf("%s has no %q", p, pairs[i])
		}
		b = bytes.Replace(b, []byte(pairs[i]), []byte(pairs[i+1]), 1)
	}
	writeFile(t, p, b)
}

func TestValidateJSONReportsEveryProblemWithAVersionedSchema(t *testing.T) {
	t.Parallel()
	root := fleetCopy(t)
	// An unknown field, a type error and two semantic errors in one file:
	// the type error does not hide the others.
	editSite(t, root, "egi-pangeo",
		"wave: 1", "wave: 1.5\n  colour: blue",
		"host: pangeo.vm.fedcloud.eu", "host: pangeo.vm.fedcloud.eu\n  namespace: kube-system",
		"limit: 4G", "limit: \"4 G\"")
	r := hubfleet(t, "", "validate", "-o", "json", "--root", root, "--chart-cache", t.TempDir())
	if r.code != exitProblems {
		t.Fatalf("exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
	var rep validateReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, r.stdout)
	}
	if rep.Version != ValidateReportVersion || rep.Valid || rep.Sites != 5 {
		t.Errorf("version %d valid %v sites %d, want %d false 5", rep.Version, rep.Valid, rep.Sites, ValidateReportVersion)
	}
	got := map[string]bool{}
	for _, p := range rep.Problems {
		if p.File != "clusters/egi-pangeo/site.yaml" || p.Line == 0 || p.Fix == "" || p.Message == "" {
			t.Errorf("problem lacks file, line, message or fix: %+v", p)
		}
		got[p.Kind+" "+p.Field] = true
	}
	for _, want := range []string{"type spec.wave", "unknown-field spec.colour", "reserved-namespace spec.namespace", "byte-spec spec.singleuser.memory.limit"} {
		if !got[want] {
			t.Errorf("no %q problem in %v", want, got)
		}
	}
	if rep.Errors != len(rep.Problems) {
		t.Errorf("errors = %d, problems = %d", rep.Errors, len(rep.Problems))
	}
}

func TestValidateWarnsOnLatestAndFailsWhenTheFleetRequiresPinnedImages(t *testing.T) {
	t.Parallel()
	root := fleetCopy(t)
	editSite(t, root, "egi-pangeo", "pangeo/pangeo-notebook:2024.11.11", "pangeo/pangeo-notebook:latest")
	r := hubfleet(t, "", "validate", "--root", root, "--chart-cache", t.TempDir())
	if r.code != exitOK || !strings.Contains(r.stderr, "warning: spec.singleuser.image") || !strings.Contains(r.stdout, "1 warning(s)") {
		t.Fatalf("latest: exit %d, want 0 with a warning\n%s%s", r.code, r.stdout, r.stderr)
	}
	fleetFile := filepath.Join(root, "bases/daskhub/fleet.yaml")
	b, _ := os.ReadFile(fleetFile)
	writeFile(t, fleetFile, bytes.Replace(b, []byte("spec:\n"), []byte("spec:\n  images: {requirePinned: true}\n"), 1))
	r = hubfleet(t, "", "validate", "--root", root, "--chart-cache", t.TempDir())
	if r.code != exitProblems || !strings.Contains(r.stderr, "spec.images.requirePinned") {
		t.Fatalf("latest with requirePinned: exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestRenderRefusesSymlinks(t *testing.T) {
	t.Parallel()
	root := fleetCopy(t)
	// The overlay file is a link to a mirrored copy elsewhere in the
	// repository: a render that followed it would update the copy and
	// leave the file Flux reads stale.
	real := filepath.Join(root, "overlays/egi-dev/helmrelease-daskhub.yaml")
	mirror := filepath.Join(root, "mirror/helmrelease-daskhub.yaml")
	b, err := os.ReadFile(real)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, mirror, b)
	if err := os.Remove(real); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../mirror/helmrelease-daskhub.yaml", real); err != nil {
		t.Fatal(err)
	}
	editSite(t, root, "egi-dev", "max: 32", "max: 64")
	for _, cmd := range []string{"render", "validate"} {
		r := hubfleet(t, "", cmd, "--root", root, "--chart-cache", t.TempDir())
		if r.code != exitProblems || !strings.Contains(r.stderr, "overlays/egi-dev/helmrelease-daskhub.yaml: is a symbolic link") {
			t.Errorf("%s: exit %d, want 1 naming the link\n%s%s", cmd, r.code, r.stdout, r.stderr)
		}
	}
	if after, _ := os.ReadFile(mirror); !bytes.Equal(after, b) {
		t.Error("render wrote through the symlink")
	}
}

// cacheRealCharts is a chart cache holding the real charts the example
// fleet pins, fetched from url the way plan fetches them, so that validate
// can check values offline.
func cacheRealCharts(t *testing.T, url string) string {
	t.Helper()
	cache := t.TempDir()
	fillRealChartCache(t, url, cache)
	return cache
}

// fillRealChartCache fetches the real charts the example fleet pins from
// url into the chart cache dir.
func fillRealChartCache(t *testing.T, url, dir string) {
	t.Helper()
	opts := chart.DefaultResolverOptions()
	opts.CacheDir = dir
	res, err := chart.NewResolver(opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range []chart.Ref{{RepoURL: url, Name: "jupyterhub", Version: "4.4.0"}, {RepoURL: url, Name: "dask-gateway", Version: "2026.3.0"}, {RepoURL: url, Name: "daskhub", Version: "2024.1.1"}} {
		if _, err := res.Resolve(context.Background(), ref); err != nil {
			t.Fatal(err)
		}
	}
}

// fleetOnRealCharts is a copy of the example fleet whose chart
// repositories are the real charts of ../shared/charts, served on loopback
// at url.
func fleetOnRealCharts(t *testing.T) (root, url string) {
	t.Helper()
	url = chartrepotest.StartReal(t).URL
	root = fleetCopy(t)
	fleetFile := filepath.Join(root, "bases/daskhub/fleet.yaml")
	b, _ := os.ReadFile(fleetFile)
	for _, u := range []string{"https://helm.dask.org", "https://hub.jupyter.org/helm-chart/"} {
		b = bytes.ReplaceAll(b, []byte(u), []byte(url))
	}
	writeFile(t, fleetFile, b)
	return root, url
}

func TestValidateChecksValuesAgainstTheRealChartSchemas(t *testing.T) {
	t.Parallel()
	root, url := fleetOnRealCharts(t)
	// pangeo-azure runs composed (jupyterhub 4.4.0), egi-dev the daskhub
	// umbrella (its vendored jupyterhub 3.2.1).
	editSite(t, root, "pangeo-azure", "  secrets:\n", "  values:\n    jupyterhub:\n      singelser: {}\n      singleuser:\n        memmory: {limit: 1G}\n      hub:\n        config:\n          MyAuthenticator: {anything: goes}\n        extraConfig:\n          10-anything: \"print('ok')\"\n  secrets:\n")
	editSite(t, root, "egi-dev", "  secrets:\n", "  values:\n    jupyterhub:\n      proxy:\n        chp:\n          resourcez: {}\n  secrets:\n")
	cache := t.TempDir()

	// A cache miss is a warning, never a hang or an error.
	r := hubfleet(t, "", "validate", "--root", root, "--chart-cache", cache)
	if r.code != exitOK || !strings.Contains(r.stderr, "not in the local chart cache") {
		t.Fatalf("empty cache: exit %d, want 0 with a warning\n%s%s", r.code, r.stdout, r.stderr)
	}

	// Fill the cache the way plan does, then validate offline.
	fillRealChartCache(t, url, cache)
	for _, cmd := range []string{"validate", "render"} {
		r = hubfleet(t, "", cmd, "--root", root, "--chart-cache", cache)
		if r.code != exitProblems {
			t.Fatalf("%s: exit %d, want 1\n%s%s", cmd, r.code, r.stdout, r.stderr)
		}
		for _, want := range []string{
			`clusters/pangeo-azure/site.yaml:`,
			`spec.values.jupyterhub.singelser: jupyterhub 4.4.0 does not accept the key "singelser"`, `did you mean "singleuser"?`,
			`spec.values.jupyterhub.singleuser.memmory: jupyterhub 4.4.0 does not accept the key "memmory"`, `did you mean "memory"?`,
			`spec.values.jupyterhub.proxy.chp.resourcez: jupyterhub 3.2.1 does not accept the key "resourcez"`, `did you mean "resources"?`,
			"3 problem(s) found",
		} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("%s output lacks %q:\n%s", cmd, want, r.stderr)
			}
		}
		for _, free := range []string{"MyAuthenticator", "10-anything"} {
			if strings.Contains(r.stderr, free) {
				t.Errorf("%s: the free-form key %s was refused:\n%s", cmd, free, r.stderr)
			}
		}
	}

	// import runs the same check on what it writes: each typo is named.
	values := filepath.Join(t.TempDir(), "values.yaml")
	writeFile(t, values, []byte("jupyterhub:\n  singelser: {cpu: {limit: 1}}\n  singleuser:\n    memmory: {limit: 1G}\n    memory: {limit: 2G}\n  ingress: {enabled: true, hosts: [typo.example.org]}\n"))
	r = hubfleet(t, "", "import", values, "--site", "typo", "--root", root, "--chart-cache", cache, "--contact-email", "ops@example.org")
	if r.code != exitProblems {
		t.Fatalf("import with typos: exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{`"singelser"`, `did you mean "singleuser"?`, `"memmory"`, `did you mean "memory"?`, "2 problem(s) found"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("import output lacks %q:\n%s", want, r.stderr)
		}
	}

	// The values blocks of the seeds import into sites that pass the
	// same check (seed 002 is a web copy with lines stripped: not YAML).
	seeds := filepath.Join(fleettest.Root(t), "internal/importer/testdata/seeds")
	clean := fleetCopy(t)
	fleetOnReal, err := os.ReadFile(filepath.Join(root, "bases/daskhub/fleet.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(clean, "bases/daskhub/fleet.yaml"), fleetOnReal)
	for i, seed := range []string{"seed000-checkin.yaml", "seed000-native.yaml", "seed001-checkin.yaml", "seed004-secrets.yaml"} {
		name := fmt.Sprintf("seed-%d", i)
		r := hubfleet(t, "", "import", filepath.Join(seeds, seed), "--site", name, "--root", clean, "--chart-cache", cache,
			"--host", name+".example.org", "--contact-email", "ops@example.org", "--age-recipient", "age19yjrrnrlvaylhkrxyewmespaj9mnzlk9ukux8zn9hlkwasjsmu9sje8d6l", "--write")
		if r.code != exitOK {
			t.Errorf("import %s: exit %d, want 0\n%s%s", seed, r.code, r.stdout, r.stderr)
		}
	}
}

func TestSIGTERMStopsALongValidateWithinASecond(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and a 20 MB site file")
	}
	bin := fleettest.CLI(t)
	root := fleetCopy(t)
	var b strings.Builder
	b.WriteString("apiVersion: hubfleet.dev/v1alpha1\nkind: Site\nmetadata: {name: big}\nspec:\n  values:\n    jupyterhub:\n      hub:\n        extraEnv:\n")
	for i := 0; i < 1_000_000; i++ {
		fmt.Fprintf(&b, "          K%d: %d\n", i, i)
	}
	writeFile(t, filepath.Join(root, "clusters/big/site.yaml"), []byte(b.String()))

	cmd := exec.Command(bin, "validate", "--root", root, "--chart-cache", t.TempDir())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		t.Fatalf("validate ended before the signal (%v): the input is too small to test an interruption\n%s", err, stderr.String())
	case <-time.After(1500 * time.Millisecond):
	}
	// The work done after the signal is measured in the process's own CPU
	// time, which a loaded machine does not stretch the way it stretches
	// wall time (scheduling delays are not the command's doing): at most
	// 1 s of CPU after SIGTERM, and an exit within 5 s of wall time.
	cpuAtSignal, err := processCPU(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	sent := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("validate did not stop within 5 s of SIGTERM")
	}
	wall := time.Since(sent)
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime() - cpuAtSignal
	t.Logf("after SIGTERM: %v wall, %v CPU", wall.Round(time.Millisecond), cpu.Round(time.Millisecond))
	if cpu > time.Second {
		t.Errorf("validate used %v of CPU after SIGTERM before it stopped, want at most 1 s", cpu)
	}
	if code := cmd.ProcessState.ExitCode(); code != exitError || !strings.Contains(stderr.String(), "interrupted") {
		t.Errorf("exit %d, stderr %q; want 2 and 'interrupted'", code, stderr.String())
	}
}

// processCPU is the user and system CPU time a running process has used
// so far (/proc/<pid>/stat, fields 14 and 15, in clock ticks of 1/100 s).
func processCPU(pid int) (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) is in parentheses and may hold spaces.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	fields := strings.Fields(string(data[i+1:]))
	if len(fields) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields after the name", pid, len(fields))
	}
	var ticks int64
	for _, f := range fields[11:13] { // utime, stime
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/%d/stat: %w", pid, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * 10 * time.Millisecond, nil
}
