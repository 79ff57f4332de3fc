package main

import (
	"bytes"
	"context"
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
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/hubfleet/hubfleet/internal/chart"
	"github.com/hubfleet/hubfleet/internal/chart/chartrepotest"
	"github.com/hubfleet/hubfleet/internal/plan"
	"sigs.k8s.io/yaml"
)

const (
	kubeVersion = "1.31.0"
	apiVersion  = "traefik.io/v1alpha1"
	releaseName = "daskhub"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

type config struct {
	sites, fleet int
	helm         string
	workers      int
	keep         bool
	runs         int
	// child mode: render sites in this process and exit (for max RSS).
	childRender int
	childRepo   string
	childCache  string
	cpuProfile  string
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var cfg config
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&cfg.sites, "sites", 50, "sites in the render and one-change plan workloads")
	fs.IntVar(&cfg.fleet, "fleet", 500, "sites in the no-op re-plan and memory workloads")
	fs.StringVar(&cfg.helm, "helm", "", "helm v3 binary (default: build helm.sh/helm/v3/cmd/helm into a temporary directory)")
	fs.IntVar(&cfg.workers, "workers", runtime.GOMAXPROCS(0), "hubfleet render workers")
	fs.BoolVar(&cfg.keep, "keep", false, "keep the temporary directory")
	fs.IntVar(&cfg.runs, "runs", 3, "repetitions of the timed workloads; the fastest run of each side is reported (the machine may be shared)")
	fs.IntVar(&cfg.childRender, "child-render", 0, "internal: render this many sites and exit")
	fs.StringVar(&cfg.childRepo, "child-repo", "", "internal: chart repository URL")
	fs.StringVar(&cfg.childCache, "child-cache", "", "internal: chart cache directory")
	fs.StringVar(&cfg.cpuProfile, "cpuprofile", "", "write a CPU profile of the hubfleet side of the first workload")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var err error
	if cfg.childRender > 0 {
		err = childRender(ctx, cfg, stdout)
	} else {
		err = bench(ctx, cfg, stdout, stderr)
	}
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 2
	}
	return 0
}

type row struct {
	workload string
	hubfleet time.Duration
	helm     time.Duration
	// CPU times (user+sys): hubfleet's own, helm's children's.
	hubCPU, helmCPU time.Duration
	target          string
	note            string
}

// cpuTime returns the user+system CPU time of this process (who =
// syscall.RUSAGE_SELF) or of its waited-for children (RUSAGE_CHILDREN).
func cpuTime(who int) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measure runs f and returns its wall time and the CPU time spent by
// this process (self) or its children.
func measure(who int, f func() error) (wall, cpu time.Duration, err error) {
	c0, t0 := cpuTime(who), time.Now()
	err = f()
	return time.Since(t0), cpuTime(who) - c0, err
}

// pair alternates n runs of hub (in this process) and peer (child
// processes), so both sides see the same machine load, and returns each
// side's fastest run and the median of the per-pair wall-time ratios.
func pair(n int, hub, peer func(run int) error) (r row, median float64, err error) {
	var ratios []float64
	for i := range max(n, 1) {
		hw, hc, err := measure(syscall.RUSAGE_SELF, func() error { return hub(i) })
		if err != nil {
			return row{}, 0, err
		}
		pw, pc, err := measure(syscall.RUSAGE_CHILDREN, func() error { return peer(i) })
		if err != nil {
			return row{}, 0, err
		}
		if i == 0 || hw < r.hubfleet {
			r.hubfleet, r.hubCPU = hw, hc
		}
		if i == 0 || pw < r.helm {
			r.helm, r.helmCPU = pw, pc
		}
		ratios = append(ratios, float64(pw)/float64(hw))
	}
	slices.Sort(ratios)
	return r, ratios[len(ratios)/2], nil
}

// best runs f n times (f gets the run number) and returns the fastest
// wall time with its CPU time.
func best(n, who int, f func(run int) error) (wall, cpu time.Duration, err error) {
	for i := range max(n, 1) {
		w, c, err := measure(who, func() error { return f(i) })
		if err != nil {
			return 0, 0, err
		}
		if i == 0 || w < wall {
			wall, cpu = w, c
		}
	}
	return wall, cpu, nil
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
	helm := cfg.helm
	if helm == "" {
		helm = filepath.Join(tmp, "helm")
		fmt.Fprintln(stderr, "building helm.sh/helm/v3/cmd/helm ...")
		build := exec.CommandContext(ctx, "go", "build", "-o", helm, "helm.sh/helm/v3/cmd/helm")
		build.Stdout, build.Stderr = stderr, stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("build helm: %w", err)
		}
	}
	out, err := exec.CommandContext(ctx, helm, "version", "--short").Output()
	if err != nil {
		return fmt.Errorf("helm version: %w", err)
	}
	helmVersion := strings.TrimSpace(string(out))

	// A chart repository on loopback serving the daskhub umbrella.
	repoDir := filepath.Join(tmp, "repo")
	srv := httptest.NewServer(http.FileServer(http.Dir(repoDir)))
	defer srv.Close()
	tgz, err := chartrepotest.Package(chartrepotest.Chart{Dir: chartrepotest.Dir("daskhub")}, repoDir)
	if err != nil {
		return err
	}
	if err := chartrepotest.WriteIndex(repoDir, srv.URL); err != nil {
		return err
	}
	ref := chart.Ref{RepoURL: srv.URL, Name: "daskhub", Version: "2024.1.x"}

	sitesDir := filepath.Join(tmp, "sites")
	base := make([]site, cfg.fleet)
	for i := range base {
		base[i] = syntheticSite(i, "base")
	}
	if cfg.sites > cfg.fleet {
		return errors.New("-sites must not exceed -fleet")
	}
	basePaths, err := writeSites(filepath.Join(sitesDir, "base"), base)
	if err != nil {
		return err
	}
	head := append([]site(nil), base[:cfg.sites]...)
	changed := cfg.sites / 2
	head[changed] = syntheticSite(changed, "head")
	headPaths, err := writeSites(filepath.Join(sitesDir, "head"), head)
	if err != nil {
		return err
	}

	var rows []row
	fmt.Fprintf(stderr, "1/4 full render of %d sites, cold caches ...\n", cfg.sites)
	chartCache := filepath.Join(tmp, "charts")
	if cfg.cpuProfile != "" {
		f, err := os.Create(cfg.cpuProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	var results []chart.Result
	r1, med, err := pair(cfg.runs, func(run int) error {
		// Cold: empty chart cache and empty result cache every run.
		var err error
		results, err = renderSites(ctx, cfg, ref, filepath.Join(tmp, fmt.Sprintf("charts-cold-%d", run)), filepath.Join(tmp, fmt.Sprintf("renders-cold-%d", run)), base[:cfg.sites], basePaths[:cfg.sites])
		if err == nil {
			if bad := failing(results); bad != "" {
				err = fmt.Errorf("synthetic sites do not render cleanly: %s", bad)
			}
		}
		return err
	}, func(int) error {
		return helmLoop(ctx, helm, tgz, base[:cfg.sites], basePaths[:cfg.sites])
	})
	pprof.StopCPUProfile()
	if err != nil {
		return err
	}
	// Later workloads start from a downloaded chart.
	if _, err := resolve(ctx, ref, chartCache); err != nil {
		return err
	}
	r1.workload, r1.target, r1.note = fmt.Sprintf("full render + validation, %d sites, cold", cfg.sites), ">= 4x", fmt.Sprintf("median paired speedup %.1fx", med)
	rows = append(rows, r1)

	fmt.Fprintf(stderr, "2/4 plan of a one-site change in a %d-site fleet ...\n", cfg.sites)
	var p *plan.Plan
	r2, med, err := pair(cfg.runs, func(run int) error {
		// A fresh result cache each run: the change was never rendered.
		var err error
		p, err = planSites(ctx, cfg, ref, chartCache, filepath.Join(tmp, fmt.Sprintf("renders-plan-%d", run)), base[:cfg.sites], basePaths[:cfg.sites], head, headPaths)
		if err == nil {
			if c := p.Counts(); c[plan.Changed] != 1 {
				err = fmt.Errorf("one-site change planned %v", c)
			}
		}
		return err
	}, func(int) error {
		if err := helmLoop(ctx, helm, tgz, base[:cfg.sites], basePaths[:cfg.sites]); err != nil {
			return err
		}
		return helmLoop(ctx, helm, tgz, head, headPaths)
	})
	if err != nil {
		return err
	}
	r2.workload, r2.target, r2.note = fmt.Sprintf("plan of a one-site change, %d-site fleet (helm: every site at base and head)", cfg.sites), ">= 30x", fmt.Sprintf("median paired speedup %.1fx", med)
	rows = append(rows, r2)

	fmt.Fprintf(stderr, "3/4 no-op re-plan of %d sites, warm caches ...\n", cfg.fleet)
	hub, hubCPU, err := best(cfg.runs, syscall.RUSAGE_SELF, func(int) error {
		var err error
		p, err = planSites(ctx, cfg, ref, chartCache, filepath.Join(tmp, "renders-plan-0"), base, basePaths, base, basePaths)
		return err
	})
	if err != nil {
		return err
	}
	if p.Changed() {
		return errors.New("no-op plan reports changes")
	}
	rows = append(rows, row{workload: fmt.Sprintf("no-op re-plan, %d sites, warm", cfg.fleet), hubfleet: hub, hubCPU: hubCPU, target: "< 1 s"})

	fmt.Fprintf(stderr, "4/4 render of %d sites in a child process (peak memory) ...\n", cfg.fleet)
	self, err := os.Executable()
	if err != nil {
		return err
	}
	child := exec.CommandContext(ctx, self, "-child-render", strconv.Itoa(cfg.fleet), "-child-repo", srv.URL, "-child-cache", chartCache, "-workers", strconv.Itoa(cfg.workers))
	child.Stderr = stderr
	var childOut []byte
	_, childCPU, err := measure(syscall.RUSAGE_CHILDREN, func() error {
		var err error
		childOut, err = child.Output()
		return err
	})
	if err != nil {
		return fmt.Errorf("child render: %w", err)
	}
	maxRSS := child.ProcessState.SysUsage().(*syscall.Rusage).Maxrss * 1024 // KiB on Linux
	childTime, _ := time.ParseDuration(strings.TrimSpace(string(childOut)))
	rows = append(rows, row{workload: fmt.Sprintf("full render + validation, %d sites, cold (child process)", cfg.fleet), hubfleet: childTime, hubCPU: childCPU, target: "peak memory < 500 MiB",
		note: fmt.Sprintf("peak RSS %.0f MiB", float64(maxRSS)/(1<<20))})

	fmt.Fprintf(stdout, "hubfleet chart benchmark: %s, %d CPUs, %d hubfleet workers, %s, Kubernetes %s, fastest of %d alternating runs per side\n\n", runtime.Version(), runtime.NumCPU(), cfg.workers, helmVersion, kubeVersion, max(cfg.runs, 1))
	fmt.Fprintln(stdout, "| workload | hubfleet wall (CPU) | helm template loop wall (CPU) | speedup wall (CPU) | target | note |")
	fmt.Fprintln(stdout, "|---|---|---|---|---|---|")
	ms := func(d time.Duration) string { return d.Round(time.Millisecond).String() }
	for _, r := range rows {
		helmCol, speed := "-", "-"
		if r.helm > 0 {
			helmCol = fmt.Sprintf("%s (%s)", ms(r.helm), ms(r.helmCPU))
			speed = fmt.Sprintf("%.1fx (%.1fx)", float64(r.helm)/float64(r.hubfleet), float64(r.helmCPU)/float64(max(r.hubCPU, time.Millisecond)))
		}
		fmt.Fprintf(stdout, "| %s | %s (%s) | %s | %s | %s | %s |\n", r.workload, ms(r.hubfleet), ms(r.hubCPU), helmCol, speed, r.target, r.note)
	}
	if load, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Fprintf(stdout, "\nload average at the end of the run: %s", load)
	}
	return nil
}

func writeSites(dir string, sites []site) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	paths := make([]string, len(sites))
	for i, s := range sites {
		paths[i] = filepath.Join(dir, s.name+".yaml")
		if err := os.WriteFile(paths[i], []byte(s.values), 0o644); err != nil {
			return nil, err
		}
	}
	return paths, nil
}

// requests reads and parses each site's values file, as hubfleet reads
// site files, with one worker per CPU.
func requests(c *chart.Chart, sites []site, paths []string) ([]chart.Request, error) {
	reqs := make([]chart.Request, len(sites))
	errs := make([]error, len(sites))
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				b, err := os.ReadFile(paths[i])
				if err != nil {
					errs[i] = err
					continue
				}
				var v map[string]any
				if err := yaml.Unmarshal(b, &v); err != nil {
					errs[i] = fmt.Errorf("%s: %w", paths[i], err)
					continue
				}
				s := sites[i]
				reqs[i] = chart.Request{Site: s.name, Chart: c, ReleaseName: releaseName, Namespace: s.name, Values: v, Expect: s.expect}
			}
		}()
	}
	for i := range sites {
		next <- i
	}
	close(next)
	wg.Wait()
	return reqs, errors.Join(errs...)
}

func newRenderer(cfg config, cache string) (*chart.Renderer, error) {
	opts := chart.DefaultRenderOptions()
	opts.KubeVersion = kubeVersion
	opts.APIVersions = []string{apiVersion}
	opts.Workers = cfg.workers
	opts.CacheDir = cache
	return chart.NewRenderer(opts)
}

func resolve(ctx context.Context, ref chart.Ref, cache string) (*chart.Chart, error) {
	opts := chart.DefaultResolverOptions()
	opts.CacheDir = cache
	r, err := chart.NewResolver(opts)
	if err != nil {
		return nil, err
	}
	return r.Resolve(ctx, ref)
}

func renderSites(ctx context.Context, cfg config, ref chart.Ref, chartCache, renderCache string, sites []site, paths []string) ([]chart.Result, error) {
	c, err := resolve(ctx, ref, chartCache)
	if err != nil {
		return nil, err
	}
	reqs, err := requests(c, sites, paths)
	if err != nil {
		return nil, err
	}
	r, err := newRenderer(cfg, renderCache)
	if err != nil {
		return nil, err
	}
	return r.RenderAll(ctx, reqs, nil), nil
}

func planSites(ctx context.Context, cfg config, ref chart.Ref, chartCache, renderCache string, base []site, basePaths []string, head []site, headPaths []string) (*plan.Plan, error) {
	c, err := resolve(ctx, ref, chartCache)
	if err != nil {
		return nil, err
	}
	// Like `hubfleet plan`, parse a site's head files only when they
	// differ from its base files.
	var changedSites []site
	var changedPaths []string
	var changedIdx []int
	for i := range head {
		if headPaths[i] == basePaths[i] {
			continue
		}
		hb, err := os.ReadFile(headPaths[i])
		if err != nil {
			return nil, err
		}
		bb, err := os.ReadFile(basePaths[i])
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(hb, bb) {
			changedSites, changedPaths, changedIdx = append(changedSites, head[i]), append(changedPaths, headPaths[i]), append(changedIdx, i)
		}
	}
	b, err := requests(c, base, basePaths)
	if err != nil {
		return nil, err
	}
	h, err := requests(c, changedSites, changedPaths)
	if err != nil {
		return nil, err
	}
	r, err := newRenderer(cfg, renderCache)
	if err != nil {
		return nil, err
	}
	sites := make([]plan.Site, len(b))
	for i := range b {
		sites[i] = plan.Site{Name: b[i].Site, Base: &plan.State{Request: &b[i]}, Head: &plan.State{Request: &b[i]}}
	}
	for j, i := range changedIdx {
		sites[i].Head = &plan.State{Request: &h[j]}
	}
	opts := plan.DefaultOptions()
	opts.Renderer = r
	return plan.Build(ctx, sites, opts)
}

func failing(results []chart.Result) string {
	for _, r := range results {
		if !r.OK() {
			return fmt.Sprintf("%s: %v", r.Site, r.Problems)
		}
	}
	return ""
}

// helmLoop is what peers do: one `helm template` process per site.
func helmLoop(ctx context.Context, helm, tgz string, sites []site, paths []string) error {
	for i, s := range sites {
		cmd := exec.CommandContext(ctx, helm, "template", releaseName, tgz,
			"--namespace", s.name, "-f", paths[i],
			"--kube-version", kubeVersion, "--api-versions", apiVersion, "--include-crds")
		cmd.Stdout = io.Discard
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("helm template %s: %w: %s", s.name, err, stderr.String())
		}
	}
	return nil
}

func childRender(ctx context.Context, cfg config, stdout io.Writer) error {
	tmp, err := os.MkdirTemp("", "hubfleet-bench-child-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	sites := make([]site, cfg.childRender)
	for i := range sites {
		sites[i] = syntheticSite(i, "base")
	}
	paths, err := writeSites(filepath.Join(tmp, "sites"), sites)
	if err != nil {
		return err
	}
	start := time.Now()
	ref := chart.Ref{RepoURL: cfg.childRepo, Name: "daskhub", Version: "2024.1.x"}
	results, err := renderSites(ctx, cfg, ref, cfg.childCache, filepath.Join(tmp, "renders"), sites, paths)
	if err != nil {
		return err
	}
	if bad := failing(results); bad != "" {
		return errors.New(bad)
	}
	elapsed := time.Since(start)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(os.Stderr, "child: %d results, live heap after GC %d MiB, heap sys %d MiB, total sys %d MiB, GCs %d\n", len(results), ms.HeapAlloc>>20, ms.HeapSys>>20, ms.Sys>>20, ms.NumGC)
	runtime.KeepAlive(results)
	fmt.Fprintln(stdout, elapsed)
	return nil
}
