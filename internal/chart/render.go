package chart

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	helmchart "helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/releaseutil"

	"github.com/hubfleet/hubfleet/internal/chart/engine"
)

// Expectations are what a site's configuration says the rendered objects
// must look like. Empty fields skip their check.
type Expectations struct {
	// ProxyServiceType is the type the proxy-public Service must have:
	// LoadBalancer (autohttps / cloud LB) or ClusterIP (behind an ingress).
	ProxyServiceType string `json:"proxyServiceType,omitempty"`
	// IngressHost must be routed by an Ingress rule.
	IngressHost string `json:"ingressHost,omitempty"`
	// IngressTLSSecret must be the TLS secret of IngressHost.
	IngressTLSSecret string `json:"ingressTLSSecret,omitempty"`
	// DaskGatewayPrefix is where dask-gateway must be routed
	// (/services/dask-gateway, after the site's baseURL): its traefik
	// IngressRoute must match PathPrefix(`<prefix>`).
	DaskGatewayPrefix string `json:"daskGatewayPrefix,omitempty"`
	// NoDaskGateway says the site runs no dask-gateway: the render must
	// hold none of its objects and no hub service for it.
	NoDaskGateway bool `json:"noDaskGateway,omitempty"`
	// JupyterHubChart is the jupyterhub chart version the values were
	// written for (its OAuthenticator keys): the rendered chart, or the
	// jupyterhub chart it vendors, must be that version.
	JupyterHubChart string `json:"jupyterhubChart,omitempty"`
}

// Request is one site's render: a chart and the values helm-controller
// would pass it (valuesFrom secrets replaced by placeholders).
type Request struct {
	// Site names the result.
	Site  string
	Chart *Chart
	// ReleaseName and Namespace are the HelmRelease's
	// (spec.releaseName, spec.targetNamespace).
	ReleaseName string
	Namespace   string
	// Values are the final values (inline values merged with valuesFrom).
	Values map[string]any
	// KubeVersion and APIVersions describe the site's cluster; empty uses
	// the renderer's defaults.
	KubeVersion string
	APIVersions []string
	Expect      Expectations
}

// RenderOptions configures a Renderer.
type RenderOptions struct {
	// KubeVersion is the default Kubernetes version (for example 1.31.0).
	KubeVersion string
	// APIVersions are extra API versions the cluster serves (for example
	// traefik.io/v1alpha1), added to Helm's defaults.
	APIVersions []string
	// Workers bounds concurrent renders in RenderAll.
	Workers int
	// CacheDir holds results by (chart digest, values hash); empty
	// disables the result cache.
	CacheDir string
	// StripSecrets names the Secrets whose data is replaced by a
	// placeholder before diffing (z2jh mints the `hub` Secret's data).
	StripSecrets []string
	// GCPercent, when positive, is the garbage collector target used
	// while RenderAll runs (restored afterwards). Template execution
	// allocates heavily while the live heap stays small, so the default
	// GOGC=100 spends a large share of a batch collecting garbage.
	GCPercent int
	// SkipAPIValidation turns off the check of rendered objects against
	// the Kubernetes API (removed API versions for the site's version,
	// strict decoding of built-in kinds).
	SkipAPIValidation bool
	// RenderChecksums computes checksum/* annotations the way the chart
	// does. They are stripped from results either way; by default
	// templates that only set them are not executed (see withoutChecksums),
	// which removes the most expensive template work of z2jh-like charts.
	RenderChecksums bool
	// MemoryLimit, when positive, is the soft memory limit (bytes) used
	// while RenderAll runs with GCPercent: the collector works harder as
	// the heap approaches it instead of letting garbage pile up.
	MemoryLimit int64
	// PlainEngine, when set, executes the templates instead of the
	// parse-once engine. helmengine.Render renders with Helm's
	// engine.Engine, which parses every template of the chart again for
	// every site; the output is the same. It is kept for comparison (go run
	// ./bench -engine plain) and lives in its own package so that Helm's
	// engine stays out of the hubfleet binary.
	PlainEngine TemplateFunc
	// CacheMaxBytes bounds the result cache on disk. When a RenderAll
	// (or Render) has written results and the cache is larger, the least
	// recently used results are removed until it is at most 3/4 of the
	// limit. 0 uses DefaultCacheMaxBytes; negative disables the limit.
	CacheMaxBytes int64
}

// DefaultResultCacheDir is os.UserCacheDir()/hubfleet/renders.
func DefaultResultCacheDir() string {
	return filepath.Join(filepath.Dir(DefaultCacheDir()), "renders")
}

// DefaultRenderOptions returns Kubernetes 1.31.0, one worker per CPU, the
// default result cache and the `hub` Secret stripped.
func DefaultRenderOptions() RenderOptions {
	return RenderOptions{
		KubeVersion:  "1.31.0",
		Workers:      runtime.GOMAXPROCS(0),
		CacheDir:     DefaultResultCacheDir(),
		StripSecrets: []string{"hub"},
		GCPercent:    800,
		MemoryLimit:  256 << 20,
	}
}

// Renderer renders charts per site. It is safe for concurrent use.
type Renderer struct {
	opts  RenderOptions
	strip map[string]bool
	// apiMemo maps the sha256 of an object's YAML to its API problem
	// ("" for none); the removed-version check does not use it.
	apiMemo sync.Map
	// engine keeps each chart's parsed templates.
	parsed *engine.Engine
	// stored counts results written to the cache since the last trim.
	stored atomic.Int64
}

// NewRenderer returns a Renderer.
func NewRenderer(opts RenderOptions) (*Renderer, error) {
	if opts.KubeVersion == "" {
		opts.KubeVersion = DefaultRenderOptions().KubeVersion
	}
	if _, err := chartutil.ParseKubeVersion(opts.KubeVersion); err != nil {
		return nil, fmt.Errorf("kubernetes version %q: %w", opts.KubeVersion, err)
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.CacheDir != "" {
		if err := os.MkdirAll(opts.CacheDir, 0o755); err != nil {
			return nil, fmt.Errorf("create render cache: %w", err)
		}
	}
	strip := map[string]bool{}
	for _, s := range opts.StripSecrets {
		strip[s] = true
	}
	return &Renderer{opts: opts, strip: strip, parsed: &engine.Engine{}}, nil
}

// RenderAll renders every request with a bounded worker pool and returns
// the results in request order. progress, when set, is called after each
// site (from one goroutine at a time).
func (r *Renderer) RenderAll(ctx context.Context, reqs []Request, progress func(done, total int)) []Result {
	out := make([]Result, len(reqs))
	done := 0
	r.RenderEach(ctx, reqs, func(i int, res Result) {
		out[i] = res
		done++
		if progress != nil {
			progress(done, len(reqs))
		}
	})
	return out
}

// RenderEach renders every request like RenderAll but hands each result
// to fn (called from one goroutine at a time, in completion order)
// instead of keeping them all: a caller that only needs the problems of
// a large fleet holds one result per worker in memory.
func (r *Renderer) RenderEach(ctx context.Context, reqs []Request, fn func(i int, res Result)) {
	if len(reqs) == 0 {
		return
	}
	if r.opts.GCPercent > 0 && len(reqs) > 1 {
		defer debug.SetGCPercent(debug.SetGCPercent(r.opts.GCPercent))
		if r.opts.MemoryLimit > 0 {
			defer debug.SetMemoryLimit(debug.SetMemoryLimit(r.opts.MemoryLimit))
		}
	}
	jobs := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	workers := min(r.opts.Workers, len(reqs))
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				res := r.Render(ctx, reqs[i])
				mu.Lock()
				fn(i, res)
				mu.Unlock()
			}
		}()
	}
	for i := range reqs {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if r.stored.Swap(0) > 0 {
		// The cache is an optimisation: a failed trim is retried by the
		// next run that writes.
		_, _ = r.TrimCache()
	}
}

// Key returns the cache key of a request: it changes when the chart, the
// values, the release, the cluster versions or the expectations change,
// and when hubfleet is built with another Helm (whose values coalescing
// the render follows).
func (r *Renderer) Key(req Request) (string, error) {
	kv, apis := r.versions(req)
	k := struct {
		Format      int            `json:"f"`
		Helm        string         `json:"h"`
		Digest      string         `json:"d"`
		Release     string         `json:"r"`
		Namespace   string         `json:"n"`
		KubeVersion string         `json:"k"`
		APIVersions []string       `json:"a"`
		Strip       []string       `json:"s"`
		Checksums   bool           `json:"c"`
		NoAPI       bool           `json:"na"`
		Expect      Expectations   `json:"e"`
		Values      map[string]any `json:"v"`
	}{cacheFormat, helmVersion(), req.Chart.Info.Digest, req.ReleaseName, req.Namespace, kv, apis, r.opts.StripSecrets, r.opts.RenderChecksums, r.opts.SkipAPIValidation, req.Expect, req.Values}
	b, err := json.Marshal(k)
	if err != nil {
		return "", fmt.Errorf("hash values of %s: %w", req.Site, err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// cacheFormat changes when what a cached result holds, or how this
// package renders, changes (3: the engine's Files.Lines follows Helm
// v3.21).
const cacheFormat = 3

// helmVersion is the version of the Helm module this binary is built
// with, "" when the binary carries no module information.
var helmVersion = sync.OnceValue(func() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, d := range bi.Deps {
		if d.Path == "helm.sh/helm/v3" {
			if d.Replace != nil {
				return d.Replace.Path + "@" + d.Replace.Version
			}
			return d.Version
		}
	}
	return ""
})

func (r *Renderer) versions(req Request) (string, []string) {
	kv := req.KubeVersion
	if kv == "" {
		kv = r.opts.KubeVersion
	}
	apis := req.APIVersions
	if apis == nil {
		apis = r.opts.APIVersions
	}
	return kv, apis
}

// Render renders one site. Problems are reported in the result, never as
// an error: a broken site does not stop the others.
func (r *Renderer) Render(ctx context.Context, req Request) Result {
	res := Result{Site: req.Site}
	if req.Chart == nil {
		res.Problems = []Problem{{Kind: ProblemChart, Message: "no chart"}}
		return res
	}
	res.Chart = req.Chart.Info
	key, err := r.Key(req)
	if err != nil {
		res.Problems = []Problem{{Kind: ProblemTemplate, Message: err.Error()}}
		return res
	}
	res.Key = key
	if cached, ok := r.load(key); ok {
		cached.Site = req.Site
		cached.Cached = true
		return cached
	}
	if err := ctx.Err(); err != nil {
		res.Problems = []Problem{{Kind: ProblemTemplate, Message: err.Error()}}
		return res
	}
	r.render(ctx, req, &res)
	if ctx.Err() == nil {
		r.store(&res)
	}
	return res
}

func (r *Renderer) render(ctx context.Context, req Request, res *Result) {
	kvStr, apis := r.versions(req)
	kv, err := chartutil.ParseKubeVersion(kvStr)
	if err != nil {
		res.Problems = append(res.Problems, Problem{Kind: ProblemKubeVersion, Message: fmt.Sprintf("invalid Kubernetes version %q: %v", kvStr, err)})
		return
	}
	if ps := kubeVersionProblems(req.Chart.chart, kv.String()); len(ps) > 0 {
		res.Problems = append(res.Problems, ps...)
		if ps[0].Chart == req.Chart.chart.Name() {
			// Helm refuses to render a chart whose own constraint fails.
			return
		}
	}
	schemas, err := req.Chart.compileSchemas()
	if err != nil {
		res.Problems = append(res.Problems, Problem{Kind: ProblemChart, Chart: req.Chart.Info.Name, Message: err.Error()})
	}
	vals := req.Values
	if vals == nil {
		vals = map[string]any{}
	}

	src, mode := req.Chart.fast, "fast"
	if r.opts.RenderChecksums {
		src, mode = req.Chart.chart, "full"
	}
	hc := clone(src)
	crds, templates, cvals, runErr := renderChart(r.templateEngine(req.Chart, src, mode), hc, vals, req.ReleaseName, req.Namespace, kv, apis)

	// Validate the values Helm would have validated: coalesced after the
	// dependencies of our clone were processed (conditions, aliases,
	// import-values).
	if len(schemas) > 0 && cvals != nil {
		res.Problems = append(res.Problems, validate(hc, cvals, "", schemas)...)
	}
	if runErr != nil {
		res.Problems = append(res.Problems, Problem{Kind: ProblemTemplate, Chart: req.Chart.Info.Name, Message: runErr.Error()})
		return
	}
	objs, err := r.parse(crds, templates)
	if err != nil {
		res.Problems = append(res.Problems, Problem{Kind: ProblemTemplate, Chart: req.Chart.Info.Name, Message: err.Error()})
		return
	}
	res.Objects = objs.objects
	if !r.opts.SkipAPIValidation {
		res.Problems = append(res.Problems, r.validateAPI(objs.objects, kv)...)
	}
	res.Checks = runChecks(objs, req)
	for _, c := range res.Checks {
		if c.Status == CheckFail {
			res.Problems = append(res.Problems, Problem{Kind: ProblemCheck, Check: c.Name, Message: c.Detail})
		}
	}
}

// renderChart renders a chart the way `helm template --include-crds` does
// (action.Install in client-only dry-run mode) without what this renderer
// does not need: Helm's SortManifests parses every document to order it
// for an install, and Install coalesces the values a second time for
// schema validation. It returns the CRDs and the rendered templates as
// YAML streams with "# Source:" comments, and the coalesced values.
func renderChart(render templateEngine, hc *helmchart.Chart, vals map[string]any, releaseName, namespace string, kv *chartutil.KubeVersion, apis []string) (crds, templates string, coalesced map[string]any, err error) {
	if err := chartutil.ProcessDependenciesWithMerge(hc, vals); err != nil {
		return "", "", nil, err
	}
	caps := chartutil.DefaultCapabilities.Copy()
	caps.KubeVersion = *kv
	caps.APIVersions = append(caps.APIVersions, apis...)
	top, err := chartutil.ToRenderValuesWithSchemaValidation(hc, vals,
		chartutil.ReleaseOptions{Name: releaseName, Namespace: namespace, Revision: 1, IsInstall: true}, caps, true)
	if err != nil {
		return "", "", nil, err
	}
	if v, ok := top["Values"].(chartutil.Values); ok {
		coalesced = v
	}
	files, err := render(hc, top)
	if err != nil {
		return "", "", coalesced, err
	}
	var cb strings.Builder
	for _, crd := range hc.CRDObjects() {
		fmt.Fprintf(&cb, "---\n# Source: %s\n%s\n", crd.Filename, crd.File.Data)
	}
	names := make([]string, 0, len(files))
	for name, content := range files {
		if strings.HasSuffix(name, "NOTES.txt") || strings.HasPrefix(path.Base(name), "_") || strings.TrimSpace(content) == "" {
			continue
		}
		names = append(names, name)
	}
	sort.Strings(names)
	var tb strings.Builder
	for _, name := range names {
		if !strings.Contains(files[name], "---") {
			// SplitManifests splits only at "---": one document.
			fmt.Fprintf(&tb, "---\n# Source: %s\n%s\n", name, strings.TrimSpace(files[name]))
			continue
		}
		docs := releaseutil.SplitManifests(files[name])
		keys := make([]string, 0, len(docs))
		for k := range docs {
			keys = append(keys, k)
		}
		sort.Sort(releaseutil.BySplitManifestsOrder(keys))
		for _, k := range keys {
			fmt.Fprintf(&tb, "---\n# Source: %s\n%s\n", name, docs[k])
		}
	}
	return cb.String(), tb.String(), coalesced, nil
}

func kubeVersionProblems(hc *helmchart.Chart, kv string) []Problem {
	var out []Problem
	if c := hc.Metadata.KubeVersion; c != "" && !chartutil.IsCompatibleRange(c, kv) {
		out = append(out, Problem{
			Kind:    ProblemKubeVersion,
			Chart:   hc.Name(),
			Message: fmt.Sprintf("chart %s %s requires kubeVersion %s, the site runs Kubernetes %s", hc.Name(), hc.Metadata.Version, c, kv),
		})
	}
	for _, d := range hc.Dependencies() {
		out = append(out, kubeVersionProblems(d, kv)...)
	}
	return out
}

func (r *Renderer) cachePath(key string) string {
	return filepath.Join(r.opts.CacheDir, key[:2], key+".gob")
}

func (r *Renderer) load(key string) (Result, bool) {
	if r.opts.CacheDir == "" {
		return Result{}, false
	}
	b, err := os.ReadFile(r.cachePath(key))
	if err != nil {
		return Result{}, false
	}
	var res Result
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&res); err != nil || res.Key != key {
		return Result{}, false
	}
	touch(r.cachePath(key))
	return res, true
}

func (r *Renderer) store(res *Result) {
	if r.opts.CacheDir == "" || res.Key == "" {
		return
	}
	// gob, not JSON: results are mostly long YAML strings, which JSON
	// escapes and unescapes at a cost comparable to parsing them.
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(res); err != nil {
		return
	}
	// The cache is an optimisation: a failed write only costs a render
	// next time.
	if writeAtomic(r.cachePath(res.Key), b.Bytes()) == nil {
		r.stored.Add(1)
	}
}
