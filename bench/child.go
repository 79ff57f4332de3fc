package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"

	"github.com/hubfleet/hubfleet/internal/chart"
	"github.com/hubfleet/hubfleet/internal/chart/helmengine"
	"github.com/hubfleet/hubfleet/internal/plan"
	"sigs.k8s.io/yaml"
)

// job is what a child process does, as hubfleet would in one command:
// render every site (Head nil) or plan Base against Head.
type job struct {
	Repo        string `json:"repo"`
	ChartCache  string `json:"chartCache"`
	RenderCache string `json:"renderCache"`
	Workers     int    `json:"workers"`
	// Engine is "parsed" (default) or "plain" (Helm's engine).
	Engine     string `json:"engine"`
	CPUProfile string `json:"cpuProfile,omitempty"`
	// CacheMax is the render cache's size limit in bytes (0: default).
	CacheMax int64  `json:"cacheMax,omitempty"`
	Base     []site `json:"base"`
	Head     []site `json:"head,omitempty"`
}

// report is what a child found.
type report struct {
	Releases int `json:"releases"`
	// Rendered counts the renders done (not served by the cache).
	Rendered int      `json:"rendered"`
	Problems []string `json:"problems,omitempty"`
	Changed  int      `json:"changed"`
}

func childMain(ctx context.Context, jobFile string, stdout io.Writer) error {
	b, err := os.ReadFile(jobFile)
	if err != nil {
		return err
	}
	var j job
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	if j.CPUProfile != "" {
		f, err := os.Create(j.CPUProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	var rep report
	if j.Head == nil {
		rep, err = renderJob(ctx, j)
	} else {
		rep, err = planJob(ctx, j)
	}
	if err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(rep)
}

// charts resolves every chart version the sites use, once, from the
// loopback repository.
func charts(ctx context.Context, j job, sites ...[]site) (map[chartRef]*chart.Chart, error) {
	opts := chart.DefaultResolverOptions()
	opts.CacheDir = j.ChartCache
	r, err := chart.NewResolver(opts)
	if err != nil {
		return nil, err
	}
	out := map[chartRef]*chart.Chart{}
	for _, ss := range sites {
		for _, s := range ss {
			for _, rel := range s.Releases {
				ref := chartRef{rel.Chart, rel.Version}
				if out[ref] != nil {
					continue
				}
				c, err := r.Resolve(ctx, chart.Ref{RepoURL: j.Repo, Name: ref.name, Version: ref.version})
				if err != nil {
					return nil, err
				}
				out[ref] = c
			}
		}
	}
	return out, nil
}

func renderer(j job) (*chart.Renderer, error) {
	return chart.NewRenderer(renderOptions(j))
}

func renderOptions(j job) chart.RenderOptions {
	opts := chart.DefaultRenderOptions()
	opts.KubeVersion = kubeVersion
	opts.APIVersions = []string{apiVersion}
	opts.Workers = j.Workers
	opts.CacheDir = j.RenderCache
	if j.Engine == "plain" {
		opts.PlainEngine = helmengine.Render
	}
	if j.CacheMax != 0 {
		opts.CacheMaxBytes = j.CacheMax
	}
	return opts
}

// parallel runs f(i) for i in [0, n) on one worker per CPU.
func parallel(n int, f func(i int) error) error {
	errs := make([]error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				errs[i] = f(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return errors.Join(errs...)
}

// flat lists every release of the sites with its site.
type flatRelease struct {
	site string
	rel  release
}

func flatten(sites []site) []flatRelease {
	var out []flatRelease
	for _, s := range sites {
		for _, r := range s.Releases {
			out = append(out, flatRelease{s.Name, r})
		}
	}
	return out
}

func request(cs map[chartRef]*chart.Chart, f flatRelease, data []byte) (chart.Request, error) {
	var v map[string]any
	if err := yaml.Unmarshal(data, &v); err != nil {
		return chart.Request{}, fmt.Errorf("%s: %w", f.rel.Path, err)
	}
	return chart.Request{
		Site: f.site + "/" + f.rel.Release, Chart: cs[chartRef{f.rel.Chart, f.rel.Version}],
		ReleaseName: f.rel.Release, Namespace: f.site, Values: v, Expect: f.rel.Expect,
	}, nil
}

func renderJob(ctx context.Context, j job) (report, error) {
	cs, err := charts(ctx, j, j.Base)
	if err != nil {
		return report{}, err
	}
	rels := flatten(j.Base)
	reqs := make([]chart.Request, len(rels))
	if err := parallel(len(rels), func(i int) error {
		b, err := os.ReadFile(rels[i].rel.Path)
		if err != nil {
			return err
		}
		reqs[i], err = request(cs, rels[i], b)
		return err
	}); err != nil {
		return report{}, err
	}
	r, err := renderer(j)
	if err != nil {
		return report{}, err
	}
	// Like a validation of the whole fleet: only the problems are kept.
	rep := report{Releases: len(reqs)}
	r.RenderEach(ctx, reqs, func(_ int, res chart.Result) {
		if !res.Cached {
			rep.Rendered++
		}
		for _, p := range res.Problems {
			rep.Problems = append(rep.Problems, res.Site+": "+p.String())
		}
	})
	return rep, nil
}

// planJob plans Head against Base as `hubfleet plan` can: a release
// whose values file and chart version are unchanged is neither parsed nor
// rendered (it shares one empty request between base and head), and only
// the charts of changed releases are loaded.
func planJob(ctx context.Context, j job) (report, error) {
	base, head := flatten(j.Base), flatten(j.Head)
	if len(base) != len(head) {
		return report{}, errors.New("base and head differ in their releases")
	}
	unchanged := &plan.State{Request: &chart.Request{}}
	sites := make([]plan.Site, len(base))
	data := make([][2][]byte, len(base))
	if err := parallel(len(base), func(i int) error {
		sites[i] = plan.Site{Name: base[i].site + "/" + base[i].rel.Release, Base: unchanged, Head: unchanged}
		bb, err := os.ReadFile(base[i].rel.Path)
		if err != nil {
			return err
		}
		hb := bb
		if head[i].rel.Path != base[i].rel.Path {
			if hb, err = os.ReadFile(head[i].rel.Path); err != nil {
				return err
			}
		}
		if !bytes.Equal(bb, hb) || base[i].rel.Version != head[i].rel.Version {
			data[i] = [2][]byte{bb, hb}
		}
		return nil
	}); err != nil {
		return report{}, err
	}
	var changedBase, changedHead []site
	for i := range base {
		if data[i][0] != nil {
			changedBase = append(changedBase, site{Name: base[i].site, Releases: []release{base[i].rel}})
			changedHead = append(changedHead, site{Name: head[i].site, Releases: []release{head[i].rel}})
		}
	}
	cs, err := charts(ctx, j, changedBase, changedHead)
	if err != nil {
		return report{}, err
	}
	for i := range base {
		if data[i][0] == nil {
			continue
		}
		br, err := request(cs, base[i], data[i][0])
		if err != nil {
			return report{}, err
		}
		hr, err := request(cs, head[i], data[i][1])
		if err != nil {
			return report{}, err
		}
		sites[i].Base, sites[i].Head = &plan.State{Request: &br}, &plan.State{Request: &hr}
	}
	// The plan flow, on the paired render inputs: nothing is read.
	res, err := plan.Run(ctx, nil, plan.Request{Pairs: sites, CompareOptions: plan.CompareOptions{Charts: true, Render: renderOptions(j)}})
	if err != nil {
		return report{}, err
	}
	return report{Releases: len(sites), Changed: res.Plan.Counts()[plan.Changed]}, nil
}
