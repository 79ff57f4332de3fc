package plan

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/Masterminds/semver/v3"
	"github.com/hubfleet/hubfleet/internal/chart"
	"github.com/pmezard/go-difflib/difflib"
)

// State is one side (base or head) of a site.
type State struct {
	// Files are the site's rendered overlay files by path (the
	// HelmRelease and whatever else hubfleet writes for the site).
	Files map[string][]byte
	// Result is the site's normalised chart render. When nil, Request is
	// rendered if the site's render inputs changed.
	Result *chart.Result
	// Request are the render inputs. Base and head may share one Request
	// when the caller knows the inputs are identical; otherwise their
	// cache keys are compared.
	Request *chart.Request
}

// Site pairs a site's base and head states. A nil Base is a new site; a
// nil Head is a removed site.
type Site struct {
	Name string
	Base *State
	Head *State
}

// buildOptions configure build.
type buildOptions struct {
	// Renderer renders states given as Requests. Required when a state
	// has a Request and no Result.
	Renderer *chart.Renderer
	// Context is the number of context lines in diffs.
	Context int
	// Progress, when set, reports rendering progress.
	Progress func(done, total int)
}

// Status of a site in a plan.
type Status string

const (
	Unchanged Status = "unchanged"
	Changed   Status = "changed"
	Added     Status = "added"
	Removed   Status = "removed"
)

// Verdict is a site's one word in a plan: its Status, or problem (the site
// is invalid, its chart version does not exist, its chart would not
// install, its overlay is stale in a check, or its removal is not
// confirmed) or unverified (its chart could not be read: Reason says why).
// Every site of the base and the head has exactly one.
type Verdict string

const (
	VerdictAdded              = Verdict(Added)
	VerdictChanged            = Verdict(Changed)
	VerdictUnchanged          = Verdict(Unchanged)
	VerdictRemoved            = Verdict(Removed)
	VerdictProblem    Verdict = "problem"
	VerdictUnverified Verdict = "unverified"
)

// Plan is the per-site outcome of a change.
type Plan struct {
	// Base is the commit the plan compares with.
	Base string `json:"base,omitempty"`
	// Charts says the chart objects were rendered and diffed; false is
	// an overlay-only plan (asked for, or the fallback when a chart
	// repository is unreachable and the chart not cached).
	Charts bool `json:"charts"`
	// Warnings say what the plan could not do.
	Warnings []string     `json:"warnings,omitempty"`
	Sites    []SiteChange `json:"sites"`

	// secrets are the secret values the masker found: masked in the
	// plan, registered with a runner's log mask.
	secrets []string
}

// Secrets are the secret values masked in the plan, for a log mask
// (::add-mask::). Never print them.
func (p *Plan) Secrets() []string { return p.secrets }

// SiteChange is what happens to one site.
type SiteChange struct {
	Site   string `json:"site"`
	Status Status `json:"status"`
	// Verdict is the site's one word in the plan (see Verdict); Reason
	// says why when it is problem or unverified.
	Verdict Verdict `json:"verdict"`
	Reason  string  `json:"reason,omitempty"`
	// Invalid are the site's validation problems, one line each
	// (file:line: field message (fix: ...)).
	Invalid []string `json:"invalid,omitempty"`
	// Stale are the site's overlay files that differ from a fresh render,
	// as a unified diff.
	Stale string `json:"stale,omitempty"`
	// Unverified says why the site's chart objects were not planned (its
	// chart repository could not be read and the chart is not cached);
	// its overlay files are.
	Unverified string `json:"unverified,omitempty"`
	// Files are the changed overlay files, sorted by path.
	Files []Diff `json:"files,omitempty"`
	// Objects are the changed chart objects, sorted by ID.
	Objects []Diff `json:"objects,omitempty"`
	// LabelOnly are the chart objects whose only change is a chart-version
	// label or annotation (helm.sh/chart, chart, app.kubernetes.io/version):
	// summarised, not diffed.
	LabelOnly []string `json:"labelOnly,omitempty"`
	// Charts are the chart and subchart version changes.
	Charts []ChartChange `json:"charts,omitempty"`
	// OneWayDoors are changes a revert will not undo.
	OneWayDoors []OneWayDoor `json:"oneWayDoors,omitempty"`
	// Problems are the head render's problems.
	Problems []chart.Problem `json:"problems,omitempty"`
	// Prune is what Flux deletes when the site is removed.
	Prune *Prune `json:"prune,omitempty"`

	// baseObjects are the base render's PersistentVolumeClaims of a
	// removed site, for its Prune.
	baseObjects []chart.Object
}

// Change kinds of a Diff.
const (
	DiffAdded    = "added"
	DiffRemoved  = "removed"
	DiffModified = "modified"
)

// Diff is a unified diff of one file or object.
type Diff struct {
	// Name is the file path or object ID.
	Name    string `json:"name"`
	Change  string `json:"change"`
	Unified string `json:"unified"`
}

// ChartChange is a version change of a chart or subchart.
type ChartChange struct {
	Chart          string `json:"chart"`
	FromVersion    string `json:"fromVersion,omitempty"`
	ToVersion      string `json:"toVersion,omitempty"`
	FromAppVersion string `json:"fromAppVersion,omitempty"`
	ToAppVersion   string `json:"toAppVersion,omitempty"`
}

// One-way door kinds.
const (
	DoorHubDatabase = "hub-database-migration"
	DoorCRD         = "crd-change"
	DoorKubeVersion = "kubernetes-minimum"
	DoorSiteRemoval = "site-removal"
	// DoorReleaseSwitch is a staying site whose Helm releases change: a
	// switch between the daskhub umbrella and composed mode.
	DoorReleaseSwitch = "release-switch"
)

// OneWayDoor is a change that `git revert` will not undo.
type OneWayDoor struct {
	Kind   string `json:"kind"`
	Detail string `json:"detail"`
}

// Changed says whether any site changes.
func (p *Plan) Changed() bool {
	for _, s := range p.Sites {
		if s.Status != Unchanged {
			return true
		}
	}
	return false
}

// Problems counts the head renders' problems of every site.
func (p *Plan) Problems() int {
	n := 0
	for _, s := range p.Sites {
		n += len(s.Problems)
	}
	return n
}

// Counts returns the number of sites per status.
func (p *Plan) Counts() map[Status]int {
	c := map[Status]int{}
	for _, s := range p.Sites {
		c[s.Status]++
	}
	return c
}

// build computes the plan. Only sites whose render inputs differ between
// base and head are rendered, concurrently through opts.Renderer (whose
// result cache makes re-plans cheap). Sites are reported sorted by name;
// entries with the same name (one per HelmRelease of a site) keep their order.
func build(ctx context.Context, sites []Site, opts buildOptions) (*Plan, error) {
	if opts.Context <= 0 {
		opts.Context = 3
	}
	type slot struct{ site, side int }
	var reqs []chart.Request
	var slots []slot
	renderOf := make([][2]*chart.Result, len(sites))
	for i, s := range sites {
		states := [2]*State{s.Base, s.Head}
		for side, st := range states {
			if st != nil && st.Result != nil {
				renderOf[i][side] = st.Result
			}
		}
		if s.Base != nil && s.Head != nil && renderOf[i][0] == nil && renderOf[i][1] == nil && s.Base.Request != nil && s.Head.Request != nil {
			if s.Base.Request == s.Head.Request {
				// The caller found the inputs identical (same site
				// files): nothing to hash.
				continue
			}
			same, err := sameInputs(opts.Renderer, *s.Base.Request, *s.Head.Request)
			if err != nil {
				return nil, fmt.Errorf("site %s: %w", s.Name, err)
			}
			if same {
				continue
			}
		}
		for side, st := range states {
			if st == nil || st.Result != nil || st.Request == nil {
				continue
			}
			if opts.Renderer == nil {
				return nil, fmt.Errorf("site %s: a state has render inputs but no renderer was given", s.Name)
			}
			req := *st.Request
			if req.Site == "" {
				req.Site = s.Name
			}
			reqs = append(reqs, req)
			slots = append(slots, slot{i, side})
		}
	}
	if len(reqs) > 0 {
		results := opts.Renderer.RenderAll(ctx, reqs, opts.Progress)
		for j, r := range results {
			renderOf[slots[j].site][slots[j].side] = &r
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p := &Plan{}
	m := &masker{}
	for i, s := range sites {
		p.Sites = append(p.Sites, siteChange(s, renderOf[i][0], renderOf[i][1], opts.Context, m))
	}
	p.secrets = m.secrets
	sort.SliceStable(p.Sites, func(a, b int) bool { return p.Sites[a].Site < p.Sites[b].Site })
	return p, nil
}

func sameInputs(r *chart.Renderer, a, b chart.Request) (bool, error) {
	if r == nil || a.Chart == nil || b.Chart == nil {
		return false, nil
	}
	ka, err := r.Key(a)
	if err != nil {
		return false, err
	}
	kb, err := r.Key(b)
	if err != nil {
		return false, err
	}
	return ka == kb, nil
}

func siteChange(s Site, base, head *chart.Result, context int, m *masker) SiteChange {
	sc := SiteChange{Site: s.Name}
	var baseFiles, headFiles map[string][]byte
	if s.Base != nil {
		baseFiles = s.Base.Files
	}
	if s.Head != nil {
		headFiles = s.Head.Files
	}
	// The secrets of the site's files are known before its chart objects
	// (made from them) are diffed, changed or not.
	m.scanFiles(baseFiles)
	m.scanFiles(headFiles)
	sc.Files = diffFiles(baseFiles, headFiles, context, m)
	sc.Objects, sc.LabelOnly = diffObjects(objectsOf(base), objectsOf(head), context, m)
	if s.Head == nil && base != nil {
		for _, o := range base.Objects {
			if o.Kind == "PersistentVolumeClaim" {
				sc.baseObjects = append(sc.baseObjects, o)
			}
		}
	}
	if base != nil && head != nil {
		sc.Charts = chartChanges(base.Chart, head.Chart)
		sc.OneWayDoors = oneWayDoors(base.Chart, head.Chart)
	}
	if head != nil {
		sc.Problems = head.Problems
	}
	switch {
	case s.Base == nil:
		sc.Status = Added
	case s.Head == nil:
		sc.Status = Removed
	case len(sc.Files) > 0 || len(sc.Objects) > 0 || len(sc.LabelOnly) > 0 || len(sc.Charts) > 0:
		sc.Status = Changed
	default:
		sc.Status = Unchanged
	}
	sc.Verdict = Verdict(sc.Status)
	return sc
}

func objectsOf(r *chart.Result) map[string]string {
	if r == nil {
		return nil
	}
	m := make(map[string]string, len(r.Objects))
	for _, o := range r.Objects {
		// Duplicates are reported by the render; keep the last.
		m[o.ID()] = o.YAML
	}
	return m
}

func diffFiles(base, head map[string][]byte, context int, m *masker) []Diff {
	b := make(map[string]string, len(base))
	for k, v := range base {
		b[k] = string(v)
	}
	h := make(map[string]string, len(head))
	for k, v := range head {
		h[k] = string(v)
	}
	return diffMaps(b, h, context, m.pairFiles)
}

// diffObjects diffs the chart objects, setting apart those whose only
// change is a chart-version label (see versionLabels).
func diffObjects(base, head map[string]string, context int, m *masker) (diffs []Diff, labelOnly []string) {
	for _, d := range diffMaps(base, head, context, m.pairObjects) {
		if d.Change == DiffModified && sameButVersionLabels(base[d.Name], head[d.Name]) {
			labelOnly = append(labelOnly, d.Name)
			continue
		}
		diffs = append(diffs, d)
	}
	return diffs, labelOnly
}

// diffMaps diffs the files or objects of two sides, each pair masked by m
// (see masker) before it is diffed.
func diffMaps(base, head map[string]string, context int, mask func(name, a, b string) (string, string)) []Diff {
	names := slices.Sorted(maps.Keys(base))
	for k := range head {
		if _, ok := base[k]; !ok {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	var out []Diff
	for _, n := range names {
		a, inA := base[n]
		b, inB := head[n]
		if inA && inB && a == b {
			continue
		}
		d := Diff{Name: n, Change: DiffModified}
		from, to := "base/"+n, "head/"+n
		switch {
		case !inA:
			d.Change, from = DiffAdded, "/dev/null"
		case !inB:
			d.Change, to = DiffRemoved, "/dev/null"
		}
		a, b = mask(n, a, b)
		d.Unified = unified(a, b, from, to, context)
		out = append(out, d)
	}
	return out
}

func unified(a, b, from, to string, context int) string {
	s, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A:        lines(a),
		B:        lines(b),
		FromFile: from,
		ToFile:   to,
		Context:  context,
	})
	if err != nil {
		// difflib only fails writing to its buffer.
		return fmt.Sprintf("(diff failed: %v)\n", err)
	}
	return s
}

// lines splits s into lines that keep their newline.
func lines(s string) []string {
	if s == "" {
		return nil
	}
	return difflib.SplitLines(strings.TrimSuffix(s, "\n"))
}

func ensureNewline(s string) string {
	if s == "" || strings.HasSuffix(s, "\n") {
		return s
	}
	return s + "\n"
}

// flatten lists a chart and its subcharts by name.
func flatten(i chart.Info, out map[string]chart.Info) map[string]chart.Info {
	if out == nil {
		out = map[string]chart.Info{}
	}
	if i.Name != "" {
		out[i.Name] = i
	}
	for _, s := range i.Subcharts {
		flatten(s, out)
	}
	return out
}

func chartChanges(base, head chart.Info) []ChartChange {
	b, h := flatten(base, nil), flatten(head, nil)
	names := slices.Sorted(maps.Keys(b))
	for n := range h {
		if _, ok := b[n]; !ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var out []ChartChange
	for _, n := range names {
		bi, hi := b[n], h[n]
		if bi.Version == hi.Version && bi.AppVersion == hi.AppVersion {
			continue
		}
		out = append(out, ChartChange{Chart: n, FromVersion: bi.Version, ToVersion: hi.Version, FromAppVersion: bi.AppVersion, ToAppVersion: hi.AppVersion})
	}
	return out
}

func oneWayDoors(base, head chart.Info) []OneWayDoor {
	var out []OneWayDoor
	b, h := flatten(base, nil), flatten(head, nil)
	if bj, ok := b["jupyterhub"]; ok {
		if hj, ok := h["jupyterhub"]; ok && bj.AppVersion != hj.AppVersion {
			out = append(out, OneWayDoor{Kind: DoorHubDatabase, Detail: hubDatabaseDoor(bj.AppVersion, hj.AppVersion)})
		}
	}
	// CRDs of the whole chart tree (Info.CRDs of the top chart includes
	// the subcharts' crds/).
	var crdChanges []string
	for _, name := range slices.Sorted(maps.Keys(union(base.CRDs, head.CRDs))) {
		bd, inB := base.CRDs[name]
		hd, inH := head.CRDs[name]
		switch {
		case !inB:
			crdChanges = append(crdChanges, name+" added")
		case !inH:
			crdChanges = append(crdChanges, name+" removed")
		case bd != hd:
			crdChanges = append(crdChanges, name+" changed")
		}
	}
	if len(crdChanges) > 0 {
		out = append(out, OneWayDoor{
			Kind: DoorCRD,
			Detail: fmt.Sprintf("CRDs change (%s): CRDs are cluster-wide, Helm installs them only with install/upgrade.crds CreateReplace and never removes or downgrades them on a revert.",
				strings.Join(crdChanges, "; ")),
		})
	}
	for _, n := range slices.Sorted(maps.Keys(h)) {
		bi, ok := b[n]
		if !ok {
			bi = chart.Info{}
		}
		hi := h[n]
		if bi.KubeVersion == hi.KubeVersion || hi.KubeVersion == "" {
			continue
		}
		bm, hm := minimumKube(bi.KubeVersion), minimumKube(hi.KubeVersion)
		if hm != nil && (bm == nil || hm.GreaterThan(bm)) {
			from := "none"
			if bm != nil {
				from = bm.String()
			}
			out = append(out, OneWayDoor{
				Kind:   DoorKubeVersion,
				Detail: fmt.Sprintf("chart %s raises its Kubernetes minimum from %s to %s (kubeVersion %q): clusters older than that cannot install it, and clusters upgraded for it do not downgrade.", n, from, hm, hi.KubeVersion),
			})
		}
	}
	return out
}

// hubDatabaseDoor says what a JupyterHub version change does to the hub
// database, naming a downgrade a downgrade.
func hubDatabaseDoor(from, to string) string {
	if Downgrade(from, to) {
		return fmt.Sprintf("JupyterHub %s -> %s is a downgrade: the hub database was migrated by JupyterHub %s, and the older hub will not start on it (DatabaseSchemaMismatch) unless the database is restored from a backup taken before the upgrade.",
			orNone(from), orNone(to), orNone(from))
	}
	return fmt.Sprintf("JupyterHub %s -> %s: the hub database is migrated on upgrade; a git revert is a forward helm upgrade to the old chart and the old hub will not start on the migrated database (DatabaseSchemaMismatch). Back up the hub database first.",
		orNone(from), orNone(to))
}

// Downgrade reports whether version to is below version from (semver;
// versions that do not parse are not a downgrade).
func Downgrade(from, to string) bool {
	f, err1 := semver.NewVersion(from)
	t, err2 := semver.NewVersion(to)
	return err1 == nil && err2 == nil && t.LessThan(f)
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func union(a, b map[string]string) map[string]string {
	out := make(map[string]string, len(a)+len(b))
	maps.Copy(out, a)
	maps.Copy(out, b)
	return out
}

// minimumKube returns the lowest Kubernetes minor release (1.x.0) that a
// kubeVersion constraint accepts, or nil when it accepts every probed
// version or none.
func minimumKube(constraint string) *semver.Version {
	if constraint == "" {
		return nil
	}
	c, err := semver.NewConstraint(constraint)
	if err != nil {
		return nil
	}
	c.IncludePrerelease = true
	for minor := 10; minor <= 60; minor++ {
		for _, patch := range []int{0, 99} {
			v := semver.MustParse(fmt.Sprintf("1.%d.%d", minor, patch))
			if c.Check(v) {
				if minor == 10 {
					return nil
				}
				return semver.MustParse(fmt.Sprintf("1.%d.%d", minor, patch))
			}
		}
	}
	return nil
}
