package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/hubfleet/hubfleet/internal/chart/chartrepotest"
)

const (
	kubeVersion = "1.31.0"
	apiVersion  = "traefik.io/v1alpha1"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

type config struct {
	sites, planFleet, fleet int
	helm                    string
	charts                  string
	workers                 int
	keep                    bool
	runs                    int
	cpuProfile              string
	child                   string
	fleetCold               bool
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var cfg config
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&cfg.sites, "sites", 50, "sites in the cold render workloads compared with the helm template loop")
	fs.IntVar(&cfg.planFleet, "plan-fleet", 500, "sites in the fleet of the one-site plan")
	fs.IntVar(&cfg.fleet, "fleet", 5000, "sites in the generated fleet (cold render, no-op re-plan, peak RSS); 0 skips it")
	fs.StringVar(&cfg.helm, "helm", "", "helm v3 binary (default: build helm.sh/helm/v3/cmd/helm into a temporary directory)")
	fs.StringVar(&cfg.charts, "charts", "", "directory of the real chart archives (default: ../shared/charts from the repository root)")
	fs.IntVar(&cfg.workers, "workers", runtime.GOMAXPROCS(0), "hubfleet render workers")
	fs.BoolVar(&cfg.keep, "keep", false, "keep the temporary directory")
	fs.IntVar(&cfg.runs, "runs", 3, "paired alternating runs of the compared workloads; medians are reported")
	fs.StringVar(&cfg.cpuProfile, "cpuprofile", "", "write CPU profiles of the first hubfleet run of each cold workload into this directory")
	fs.BoolVar(&cfg.fleetCold, "fleet-cold", true, "render the -fleet fleet cold (peak RSS); false measures only its no-op re-plan")
	fs.StringVar(&cfg.child, "child", "", "internal: run the job in this file and exit")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var err error
	if cfg.child != "" {
		err = childMain(ctx, cfg.child, stdout)
	} else {
		err = bench(ctx, cfg, stdout, stderr)
	}
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 2
	}
	return 0
}

// sample is one measured run of one side.
type sample struct {
	wall, cpu time.Duration
	// rss is the peak resident set size in bytes (the largest process).
	rss int64
}

func usage(ps *os.ProcessState) (cpu time.Duration, rss int64) {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), ru.Maxrss * 1024 // KiB on Linux
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

type env struct {
	cfg    config
	self   string
	tmp    string
	repo   string
	helm   string
	stderr io.Writer
	// archives maps a chart version to its archive (for helm template).
	archives map[chartRef]string
	jobs     int
}

// hubfleet runs j in a child process (a fresh process like a hubfleet
// command) and measures it.
func (e *env) hubfleet(ctx context.Context, j job) (sample, report, error) {
	e.jobs++
	if j.Workers == 0 {
		j.Workers = e.cfg.workers
	}
	f := filepath.Join(e.tmp, fmt.Sprintf("job-%d.json", e.jobs))
	b, err := json.Marshal(j)
	if err != nil {
		return sample{}, report{}, err
	}
	if err := os.WriteFile(f, b, 0o644); err != nil {
		return sample{}, report{}, err
	}
	cmd := exec.CommandContext(ctx, e.self, "-child", f)
	cmd.Stderr = e.stderr
	t0 := time.Now()
	out, err := cmd.Output()
	wall := time.Since(t0)
	if err != nil {
		return sample{}, report{}, fmt.Errorf("hubfleet child: %w", err)
	}
	var rep report
	if err := json.Unmarshal(out, &rep); err != nil {
		return sample{}, report{}, fmt.Errorf("child report: %w", err)
	}
	cpu, rss := usage(cmd.ProcessState)
	return sample{wall: wall, cpu: cpu, rss: rss}, rep, nil
}

// helmLoop is what peers do: one `helm template` process per release of
// every site, one after the other.
func (e *env) helmLoop(ctx context.Context, sites []site) (sample, error) {
	var s sample
	t0 := time.Now()
	for _, st := range sites {
		for _, r := range st.Releases {
			cmd := exec.CommandContext(ctx, e.helm, "template", r.Release, e.archives[chartRef{r.Chart, r.Version}],
				"--namespace", st.Name, "-f", r.Path,
				"--kube-version", kubeVersion, "--api-versions", apiVersion, "--include-crds")
			cmd.Stdout = io.Discard
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Run(); err != nil {
				return s, fmt.Errorf("helm template %s/%s: %w: %s", st.Name, r.Release, err, stderr.String())
			}
			cpu, rss := usage(cmd.ProcessState)
			s.cpu += cpu
			s.rss = max(s.rss, rss)
		}
	}
	s.wall = time.Since(t0)
	return s, nil
}

func (e *env) writeSites(dir string, sites []site) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for i := range sites {
		for k := range sites[i].Releases {
			r := &sites[i].Releases[k]
			r.Path = filepath.Join(dir, sites[i].Name+"-"+r.Release+".yaml")
			if err := os.WriteFile(r.Path, []byte(r.Values), 0o644); err != nil {
				return err
			}
			r.Values = ""
		}
	}
	return nil
}

func generate(n int, salt string, l func(i int) layout) []site {
	out := make([]site, n)
	for i := range out {
		out[i] = syntheticSite(i, salt, l(i))
	}
	return out
}

func noProblems(what string, rep report) error {
	if len(rep.Problems) > 0 {
		return fmt.Errorf("%s: %d problems, first: %s", what, len(rep.Problems), rep.Problems[0])
	}
	return nil
}

func median(xs []time.Duration) time.Duration {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func medianF(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func bench(ctx context.Context, cfg config, stdout, stderr io.Writer) error {
	tmp, err := os.MkdirTemp("", "hubfleet-bench-")
	if err != nil {
		return err
	}
	if cfg.keep {
		fmt.Fprintln(stderr, "work dir:", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	e := &env{cfg: cfg, self: self, tmp: tmp, stderr: stderr, archives: map[chartRef]string{}}
	if e.helm, err = buildHelm(ctx, cfg, tmp, stderr); err != nil {
		return err
	}
	out, err := exec.CommandContext(ctx, e.helm, "version", "--short").Output()
	if err != nil {
		return fmt.Errorf("helm version: %w", err)
	}
	helmVersion := strings.TrimSpace(string(out))

	// The real charts, served from a chart repository on loopback.
	chartsDir := cfg.charts
	if chartsDir == "" {
		if chartsDir, err = sharedCharts(); err != nil {
			return err
		}
	}
	repoDir := filepath.Join(tmp, "repo")
	if err := os.MkdirAll(repoDir, 0o755); err != nil {
		return err
	}
	for _, c := range realChartFiles {
		name := fmt.Sprintf("%s-%s.tgz", c.name, c.version)
		b, err := os.ReadFile(filepath.Join(chartsDir, name))
		if err != nil {
			return fmt.Errorf("real chart: %w (see ../shared/REAL.md)", err)
		}
		e.archives[c] = filepath.Join(repoDir, name)
		if err := os.WriteFile(e.archives[c], b, 0o644); err != nil {
			return err
		}
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(repoDir)))
	defer srv.Close()
	if err := chartrepotest.WriteIndex(repoDir, srv.URL); err != nil {
		return err
	}
	e.repo = srv.URL
	warmCharts := filepath.Join(tmp, "charts-warm")

	fmt.Fprintf(stdout, "hubfleet chart benchmark on the real charts: %s, %d CPUs, %d hubfleet workers, %s, Kubernetes %s\n", runtime.Version(), runtime.NumCPU(), cfg.workers, helmVersion, kubeVersion)
	fmt.Fprintf(stdout, "medians of %d paired alternating runs; CPU is user+system of all processes of a side; peak RSS is the largest process\n\n", max(cfg.runs, 1))

	// 1. Cold render + validation of -sites sites, per chart mode.
	fmt.Fprintln(stdout, "| chart mode | side | wall | CPU | peak RSS | vs helm: wall | vs helm: CPU | load average |")
	fmt.Fprintln(stdout, "|---|---|---|---|---|---|---|---|")
	for li, l := range []layout{umbrellaLayout, composedLayout} {
		sites := generate(cfg.sites, "base", func(int) layout { return l })
		if err := e.writeSites(filepath.Join(tmp, fmt.Sprintf("cold-%d", li)), sites); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "cold render of %d sites, %s ...\n", cfg.sites, l.name)
		var hub, plain, helm []sample
		var loads []string
		for run := range max(cfg.runs, 1) {
			loads = append(loads, loadavg())
			for _, engine := range []string{"parsed", "plain"} {
				j := job{Repo: e.repo, Engine: engine, Base: sites,
					ChartCache:  filepath.Join(tmp, fmt.Sprintf("charts-cold-%d-%d-%s", li, run, engine)),
					RenderCache: filepath.Join(tmp, fmt.Sprintf("renders-cold-%d-%d-%s", li, run, engine))}
				if run == 0 && cfg.cpuProfile != "" && engine == "parsed" {
					j.CPUProfile = filepath.Join(cfg.cpuProfile, fmt.Sprintf("cold-%d-%s.prof", cfg.sites, []string{"daskhub", "composed"}[li]))
				}
				s, rep, err := e.hubfleet(ctx, j)
				if err != nil {
					return err
				}
				if err := noProblems(l.name, rep); err != nil {
					return err
				}
				if engine == "parsed" {
					hub = append(hub, s)
				} else {
					plain = append(plain, s)
				}
			}
			s, err := e.helmLoop(ctx, sites)
			if err != nil {
				return err
			}
			helm = append(helm, s)
		}
		loads = append(loads, loadavg())
		rows := []struct {
			side    string
			samples []sample
		}{
			{"hubfleet", hub},
			{"hubfleet with Helm's engine (parse per site)", plain},
			{fmt.Sprintf("`helm template` loop (%d processes)", len(flatten(sites))), helm},
		}
		for _, r := range rows {
			var walls, cpus []time.Duration
			var wallRatio, cpuRatio []float64
			var rss int64
			for i, s := range r.samples {
				walls, cpus = append(walls, s.wall), append(cpus, s.cpu)
				wallRatio = append(wallRatio, float64(helm[i].wall)/float64(s.wall))
				cpuRatio = append(cpuRatio, float64(helm[i].cpu)/float64(s.cpu))
				rss = max(rss, s.rss)
			}
			vsWall, vsCPU := fmt.Sprintf("**%.1fx**", medianF(wallRatio)), fmt.Sprintf("**%.1fx**", medianF(cpuRatio))
			if r.side == rows[2].side {
				vsWall, vsCPU = "1x", "1x"
			}
			fmt.Fprintf(stdout, "| %s, %d sites, cold | %s | %s | %s | %s | %s | %s | %s |\n", l.name, cfg.sites, r.side, ms(median(walls)), ms(median(cpus)), mib(rss), vsWall, vsCPU, strings.Join(loads, " / "))
		}
	}
	fmt.Fprintln(stdout, "\ntargets: hubfleet >= 5x less CPU and >= 6x less wall time than the helm template loop")

	// 2. The generated fleet.
	fmt.Fprintln(stdout, "\n| fleet workload | wall | CPU | peak RSS | releases rendered | load average | target |")
	fmt.Fprintln(stdout, "|---|---|---|---|---|---|---|")
	mixed := func(i int) layout { return fleetLayouts[i%len(fleetLayouts)] }

	// One-site plan in a -plan-fleet fleet: the change was never rendered.
	fmt.Fprintf(stderr, "one-site plan in a %d-site fleet ...\n", cfg.planFleet)
	base := generate(cfg.planFleet, "base", mixed)
	if err := e.writeSites(filepath.Join(tmp, "plan-base"), base); err != nil {
		return err
	}
	changed := cfg.planFleet / 2
	head := slices.Clone(base)
	head[changed] = syntheticSite(changed, "head", mixed(changed))
	if err := e.writeSites(filepath.Join(tmp, "plan-head", head[changed].Name), head[changed:changed+1]); err != nil {
		return err
	}
	// Download the charts once: a plan runs with the chart cache warm.
	if _, _, err := e.hubfleet(ctx, job{Repo: e.repo, ChartCache: warmCharts, Base: base[:len(fleetLayouts)]}); err != nil {
		return err
	}
	var ps []sample
	var prep report
	load0 := loadavg()
	for run := range max(cfg.runs, 1) {
		j := job{Repo: e.repo, ChartCache: warmCharts, RenderCache: filepath.Join(tmp, fmt.Sprintf("renders-plan-%d", run)), Base: base, Head: head}
		if run == 0 && cfg.cpuProfile != "" {
			j.CPUProfile = filepath.Join(cfg.cpuProfile, fmt.Sprintf("plan-%d.prof", cfg.planFleet))
		}
		s, rep, err := e.hubfleet(ctx, j)
		if err != nil {
			return err
		}
		if rep.Changed != len(head[changed].Releases) {
			return fmt.Errorf("one-site plan: %d releases changed, want %d", rep.Changed, len(head[changed].Releases))
		}
		ps, prep = append(ps, s), rep
	}
	fmt.Fprintf(stdout, "| plan of a one-site change, %d-site fleet (%d releases), never rendered | %s | %s | %s | %d | %s / %s | < 0.5 s |\n", cfg.planFleet, prep.Releases, ms(medianWall(ps)), ms(medianCPU(ps)), mib(maxRSS(ps)), 2*len(head[changed].Releases), load0, loadavg())

	if cfg.fleet > 0 {
		fmt.Fprintf(stderr, "cold render of a %d-site fleet ...\n", cfg.fleet)
		fleet := generate(cfg.fleet, "base", mixed)
		if err := e.writeSites(filepath.Join(tmp, "fleet"), fleet); err != nil {
			return err
		}
		counts := map[string]int{}
		for i := range fleet {
			counts[mixed(i).name]++
		}
		renders := filepath.Join(tmp, "renders-fleet")
		j := job{Repo: e.repo, ChartCache: filepath.Join(tmp, "charts-fleet"), RenderCache: renders, Base: fleet}
		if cfg.cpuProfile != "" {
			j.CPUProfile = filepath.Join(cfg.cpuProfile, fmt.Sprintf("cold-fleet-%d.prof", cfg.fleet))
		}
		load0 := loadavg()
		var cacheNote string
		if cfg.fleetCold {
			s, rep, err := e.hubfleet(ctx, j)
			if err != nil {
				return err
			}
			if err := noProblems("fleet", rep); err != nil {
				return err
			}
			cacheSize, cacheFiles := dirSize(renders)
			cacheNote = fmt.Sprintf("; render cache after the cold run: %s in %d files", mib(cacheSize), cacheFiles)
			fmt.Fprintf(stdout, "| render + validation of %d sites (%d releases), cold | %s | %s | %s | %d | %s / %s | < 1 GiB peak RSS |\n", cfg.fleet, rep.Releases, ms(s.wall), ms(s.cpu), mib(s.rss), rep.Rendered, load0, loadavg())
		}

		fmt.Fprintf(stderr, "no-op re-plan of a %d-site fleet ...\n", cfg.fleet)
		var ns []sample
		load0 = loadavg()
		for range max(cfg.runs, 1) {
			s, rep, err := e.hubfleet(ctx, job{Repo: e.repo, ChartCache: warmCharts, RenderCache: renders, Base: fleet, Head: fleet})
			if err != nil {
				return err
			}
			if rep.Changed != 0 {
				return fmt.Errorf("no-op re-plan: %d releases changed", rep.Changed)
			}
			ns = append(ns, s)
		}
		fmt.Fprintf(stdout, "| no-op re-plan of %d sites | %s | %s | %s | 0 | %s / %s | < 1 s |\n", cfg.fleet, ms(medianWall(ns)), ms(medianCPU(ns)), mib(maxRSS(ns)), load0, loadavg())
		var mix []string
		for _, l := range fleetLayouts {
			if counts[l.name] > 0 {
				mix = append(mix, fmt.Sprintf("%d × %s", counts[l.name], l.name))
				counts[l.name] = 0
			}
		}
		fmt.Fprintf(stdout, "\nfleet: %s%s\n", strings.Join(mix, ", "), cacheNote)
	}
	fmt.Fprintf(stdout, "\nload average at the end of the run: %s\n", loadavg())
	return nil
}

func medianWall(s []sample) time.Duration {
	var w []time.Duration
	for _, x := range s {
		w = append(w, x.wall)
	}
	return median(w)
}

func medianCPU(s []sample) time.Duration {
	var w []time.Duration
	for _, x := range s {
		w = append(w, x.cpu)
	}
	return median(w)
}

func maxRSS(s []sample) int64 {
	var m int64
	for _, x := range s {
		m = max(m, x.rss)
	}
	return m
}

func ms(d time.Duration) string {
	if d >= 10*time.Second {
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Millisecond).String()
}

func mib(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }

func dirSize(dir string) (size int64, files int) {
	_ = filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				size += fi.Size()
				files++
			}
		}
		return nil
	})
	return size, files
}

func buildHelm(ctx context.Context, cfg config, tmp string, stderr io.Writer) (string, error) {
	if cfg.helm != "" {
		return cfg.helm, nil
	}
	helm := filepath.Join(tmp, "helm")
	fmt.Fprintln(stderr, "building helm.sh/helm/v3/cmd/helm ...")
	build := exec.CommandContext(ctx, "go", "build", "-o", helm, "helm.sh/helm/v3/cmd/helm")
	build.Stdout, build.Stderr = stderr, stderr
	if err := build.Run(); err != nil {
		return "", fmt.Errorf("build helm: %w", err)
	}
	return helm, nil
}

// sharedCharts finds ../shared/charts from the repository root (the
// directory holding go.mod, at or above the working directory).
func sharedCharts() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "charts"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run from the repository (no go.mod found), or pass -charts")
		}
		dir = parent
	}
}
