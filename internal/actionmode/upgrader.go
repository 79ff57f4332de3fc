package actionmode

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/Masterminds/semver/v3"
	"gopkg.in/yaml.v3"

	"github.com/hubfleet/hubfleet/internal/chart"
	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/flux"
	"github.com/hubfleet/hubfleet/internal/github"
	"github.com/hubfleet/hubfleet/internal/gitrepo"
	"github.com/hubfleet/hubfleet/internal/overlay"
	"github.com/hubfleet/hubfleet/internal/plan"
	"github.com/hubfleet/hubfleet/internal/site"
	"github.com/hubfleet/hubfleet/internal/writeset"
)

// ChartUpgrader is the Upgrader: it asks each chart repository of the
// fleet for the newest version above the pin that the pin's constraint
// allows (prereleases only where the fleet opts in), rewrites the pins or
// stages canaries in bases/daskhub/fleet.yaml in place (comments and layout
// kept), re-renders every site and plans each against the base branch.
type ChartUpgrader struct {
	// Resolver reads the repositories' indexes; IncludePrereleases is set
	// per chart from the fleet.
	Resolver chart.ResolverOptions
	// Compare configures the plan of each site against the base branch.
	Compare plan.CompareOptions
	// BaseRef is planned against when UpgradeOptions.BaseRef is empty.
	BaseRef string
	Git     gitrepo.Options

	// write writes the computed files, all or none; nil means
	// writeset.Apply. Tests fail it.
	write func(root string, changes []flux.Change) error
}

var _ Upgrader = ChartUpgrader{}

// DefaultChartUpgrader returns an upgrader using the user's chart cache,
// planning each site at the level of the rendered chart objects.
func DefaultChartUpgrader() ChartUpgrader {
	return ChartUpgrader{
		Resolver: chart.DefaultResolverOptions(),
		Compare:  plan.DefaultCompareOptions(),
		BaseRef:  "main",
		Git:      gitrepo.DefaultOptions(),
	}
}

// chartChangelogs are where each chart's changes are described.
var chartChangelogs = map[string]string{
	"jupyterhub":   "https://z2jh.jupyter.org/en/stable/changelog.html",
	"daskhub":      "https://github.com/dask/helm-chart/releases",
	"dask-gateway": "https://gateway.dask.org/changelog.html",
}

// Upgrade implements Upgrader.
//
// Where the fleet rolls out in waves (spec.rollout.waves, or
// opts.MaxWave >= 0) a newer version is first staged as the chart's canary
// for the sites of waves up to MaxWave (0 by default) while the pin stays.
// A canary staged on the base branch is promoted to the pin once every
// site of its waves has a successful hubfleet/verify/<site> status on the
// base branch head; until then it is held, or moved to a still newer
// version.
func (u ChartUpgrader) Upgrade(ctx context.Context, root string, opts UpgradeOptions) (*UpgradeResult, error) {
	fl, err := fleet.LoadDir(root)
	if err != nil {
		return nil, fmt.Errorf("load fleet: %w", err)
	}
	c := fl.Config.Spec.Charts
	sources := []struct {
		key string
		src site.ChartSource
	}{{"daskhub", c.DaskHub}, {"jupyterhub", c.JupyterHub}, {"daskGateway", c.DaskGateway}}
	waves := fl.Config.Spec.Rollout.Waves || opts.MaxWave >= 0
	g := &gate{opts: opts, fleet: fl.Config, sites: fl.Sites}

	res := &UpgradeResult{}
	var edits []chartEdit
	deferred := map[string]bool{}
	var errs []error
	for _, e := range sources {
		key, s := e.key, e.src
		if s.Repository == "" || s.Chart == "" || s.Version == "" || len(opts.Charts) > 0 && !slices.Contains(opts.Charts, s.Chart) {
			continue
		}
		newest, err := u.newest(ctx, s)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		change := VersionChange{Chart: s.Chart, From: s.Version, To: newest, ChangelogURL: chartChangelogs[s.Chart], Stage: StagePin}
		switch {
		case !waves:
			// Every site at once; a canary left from a wave rollout goes.
			if newest == "" {
				continue
			}
			edits = append(edits, chartEdit{key: key, pin: newest, dropCanary: s.Canary != nil})
		case s.Canary == nil:
			if newest == "" {
				continue
			}
			maxWave := max(opts.MaxWave, 0)
			if len(g.running(key, maxWave)) == 0 {
				// A canary no site runs would verify nothing: stage it up
				// to the first wave that runs the chart.
				w, ok := g.firstWaveRunning(key)
				if !ok {
					edits = append(edits, chartEdit{key: key, pin: newest})
					res.Notes = append(res.Notes, fmt.Sprintf("No site runs the %s chart: %s moves the pin.", s.Chart, newest))
					break
				}
				res.Notes = append(res.Notes, fmt.Sprintf("No site of waves up to %d runs the %s chart: its canary goes up to wave %d, the first wave that runs it.", maxWave, s.Chart, w))
				maxWave = w
			}
			_, later := g.split(maxWave)
			edits = append(edits, chartEdit{key: key, canary: newest, maxWave: maxWave})
			change.Stage, change.MaxWave, change.Sites, change.Running = StageCanary, maxWave, g.running(key, maxWave), g.running(key, maxWave)
			for _, n := range later {
				deferred[n] = true
			}
		default:
			check, err := g.check(ctx, key, s)
			if err != nil {
				errs = append(errs, fmt.Errorf("chart %s: %w", s.Chart, err))
				continue
			}
			if newest != "" && newerThan(newest, s.Canary.Version) {
				check.Newer = newest
			}
			res.Canaries = append(res.Canaries, check)
			change.MaxWave, change.Running = s.Canary.MaxWave, check.Running
			switch {
			case check.Verified():
				edits = append(edits, chartEdit{key: key, pin: s.Canary.Version, dropCanary: true})
				change.To, change.Stage = s.Canary.Version, StagePromote
			case check.Newer != "":
				// Not verified yet: the first waves move on to the newer
				// version, and verify that one instead.
				edits = append(edits, chartEdit{key: key, canary: check.Newer, maxWave: s.Canary.MaxWave, moveCanary: true})
				first, later := g.split(s.Canary.MaxWave)
				change.From, change.To, change.Stage, change.Sites = s.Canary.Version, check.Newer, StageCanary, first
				for _, n := range later {
					deferred[n] = true
				}
			default:
				continue // held until its waves verify
			}
		}
		res.Versions = append(res.Versions, change)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("upgrade: %w", err)
	}
	res.Deferred = sortedKeys(deferred)
	if len(edits) == 0 {
		return res, nil
	}
	// Everything is computed before anything is written: the edited fleet
	// file, the render of every site with it, and the plan against the
	// base branch. Only then are the files written, all or none.
	fleetPath := filepath.Join(root, filepath.FromSlash(fleet.FleetFile))
	oldFleet, err := os.ReadFile(fleetPath)
	if err != nil {
		return nil, fmt.Errorf("upgrade: %w", err)
	}
	newFleet, err := editFleet(fleet.FleetFile, oldFleet, edits)
	if err != nil {
		return nil, fmt.Errorf("upgrade: %w", err)
	}
	fsys := writeset.Preview(os.DirFS(root), []flux.Change{{Path: fleet.FleetFile, Old: oldFleet, New: newFleet}})
	nfl, err := fleet.Load(fsys)
	if err != nil {
		return nil, fmt.Errorf("upgrade: the upgraded fleet does not load: %w", err)
	}
	files, err := flux.Render(fsys, nfl, nil)
	if err != nil {
		return nil, fmt.Errorf("upgrade: re-render: %w", err)
	}
	changes, err := flux.Changes(fsys, nfl, files, nil)
	if err != nil {
		return nil, fmt.Errorf("upgrade: re-render: %w", err)
	}
	head := plan.Sides{}
	for _, s := range nfl.Sites {
		n := s.Metadata.Name
		if head[n], err = overlay.FromDisk(root, n); err != nil {
			return nil, fmt.Errorf("upgrade: %w", err)
		}
	}
	for _, c := range changes {
		n := overlay.SiteOf(c.Path)
		if _, ok := head[n]; !ok || !strings.HasPrefix(c.Path, fleet.OverlaysDir+"/") {
			continue
		}
		if c.New == nil {
			delete(head[n], c.Path)
		} else {
			head[n][c.Path] = c.New
		}
	}
	base := opts.BaseRef
	if base == "" {
		base = u.BaseRef
	}
	repo, err := gitrepo.Open(ctx, root, u.Git)
	if err != nil {
		return nil, fmt.Errorf("upgrade: %w", err)
	}
	popts := plan.GitOptions{CompareOptions: u.Compare, Base: base, Head: head}
	popts.Fleet = nfl
	if res.Plan, err = plan.Make(ctx, repo, popts); err != nil {
		return nil, fmt.Errorf("upgrade: plan: %w", err)
	}
	seen := map[string]bool{}
	for _, sc := range res.Plan.Sites {
		for _, d := range sc.OneWayDoors {
			if line := d.Kind + ": " + d.Detail; !seen[line] {
				seen[line] = true
				res.OneWayDoors = append(res.OneWayDoors, line)
			}
		}
	}
	sort.Strings(res.OneWayDoors)

	writes := append([]flux.Change{{Path: fleet.FleetFile, Old: oldFleet, New: newFleet}}, changes...)
	if opts.DryRun {
		return res, nil
	}
	write := u.write
	if write == nil {
		write = writeset.Apply
	}
	if err := write(root, writes); err != nil {
		return nil, fmt.Errorf("upgrade: %w", err)
	}
	for _, c := range writes {
		res.Written = append(res.Written, c.Path)
	}
	return res, nil
}

// newest is the newest version of the chart above its pin that the
// fleet's policy allows, or "" when there is none.
func (u ChartUpgrader) newest(ctx context.Context, s site.ChartSource) (string, error) {
	ro := u.Resolver
	ro.IncludePrereleases = s.Prereleases
	resolver, err := chart.NewResolver(ro)
	if err != nil {
		return "", err
	}
	constraint := ">" + s.Version
	if s.Constraint != "" {
		constraint = s.Constraint + ", " + constraint
	}
	ch, err := resolver.Resolve(ctx, chart.Ref{RepoURL: s.Repository, Name: s.Chart, Version: constraint})
	var nv *chart.NoVersionError
	switch {
	case errors.As(err, &nv) && nv.Err == nil:
		return "", nil // nothing newer within the policy
	case err != nil:
		return "", fmt.Errorf("chart %s: %w", s.Chart, err)
	}
	if ch.Info.Version == s.Version {
		return "", nil
	}
	return ch.Info.Version, nil
}

// newerThan reports whether version a is above b; versions that do not
// parse are compared as text.
func newerThan(a, b string) bool {
	va, errA := semver.NewVersion(a)
	vb, errB := semver.NewVersion(b)
	if errA != nil || errB != nil {
		return a != b && a > b
	}
	return va.GreaterThan(vb)
}

// gate decides whether staged canaries verified, reading the base branch
// head's commit statuses once.
type gate struct {
	opts     UpgradeOptions
	fleet    *site.Fleet
	sites    []*site.Site
	statuses map[string]github.State
	commit   string
}

// split returns the names of the sites of the waves up to maxWave and of
// the later ones.
func (g *gate) split(maxWave int) (first, later []string) {
	for _, s := range g.sites {
		if s.Spec.Wave <= maxWave {
			first = append(first, s.Metadata.Name)
		} else {
			later = append(later, s.Metadata.Name)
		}
	}
	return first, later
}

// running returns the names of the sites of the waves up to maxWave that
// run the chart spec.charts.<key>: the umbrella in daskhub mode, the
// separate charts when composed.
func (g *gate) running(key string, maxWave int) []string {
	var out []string
	for _, s := range g.sites {
		if s.Spec.Wave > maxWave {
			continue
		}
		composed := site.ModeOf(s, g.fleet) == site.ModeComposed
		if key == "daskhub" && !composed || key == "jupyterhub" && composed || key == "daskGateway" && composed && s.Spec.GatewayEnabled() {
			out = append(out, s.Metadata.Name)
		}
	}
	return out
}

// firstWaveRunning is the lowest wave with a site that runs the chart.
func (g *gate) firstWaveRunning(key string) (int, bool) {
	best, found := 0, false
	for _, s := range g.sites {
		if len(g.running(key, s.Spec.Wave)) > 0 && (!found || s.Spec.Wave < best) {
			if slices.Contains(g.running(key, s.Spec.Wave), s.Metadata.Name) {
				best, found = s.Spec.Wave, true
			}
		}
	}
	return best, found
}

// check reads the verification of the sites of the canary's waves that
// run the chart: only they can tell whether the canary works.
func (g *gate) check(ctx context.Context, key string, s site.ChartSource) (CanaryCheck, error) {
	c := CanaryCheck{Chart: s.Chart, Pin: s.Version, Version: s.Canary.Version, MaxWave: s.Canary.MaxWave, Running: g.running(key, s.Canary.MaxWave)}
	if g.statuses == nil {
		ref := g.opts.BaseCommit
		if ref == "" {
			ref = g.opts.BaseRef
		}
		if ref == "" {
			ref = "main"
		}
		if g.opts.Statuses == nil {
			return c, fmt.Errorf("canary %s is staged but no commit statuses can be read to verify it", s.Canary.Version)
		}
		st, err := g.opts.Statuses.LatestStatuses(ctx, ref)
		if err != nil {
			return c, fmt.Errorf("verification of canary %s: %w", s.Canary.Version, err)
		}
		g.statuses, g.commit = st, ref
	}
	c.Commit = g.commit
	for _, st := range g.sites {
		if st.Spec.Wave > s.Canary.MaxWave || !slices.Contains(c.Running, st.Metadata.Name) {
			continue
		}
		n := st.Metadata.Name
		c.Sites = append(c.Sites, SiteStatus{Site: n, Wave: st.Spec.Wave, Context: StatusContext(n), State: g.statuses[StatusContext(n)]})
	}
	return c, nil
}

// chartEdit is what changes under spec.charts.<key> of the fleet file.
type chartEdit struct {
	key string
	// pin is the new spec.charts.<key>.version, "" to keep it.
	pin string
	// canary is the new canary version, "" for none: with moveCanary the
	// staged canary's version is replaced, otherwise a canary block is
	// added after the pin.
	canary     string
	maxWave    int
	moveCanary bool
	// dropCanary removes the canary block.
	dropCanary bool
}

// lineEdit replaces lines [start, end) with repl.
type lineEdit struct {
	start, end int
	repl       []string
}

// editFleet applies the chart edits to the fleet file's content, touching
// only the lines they concern so comments and layout stay, and checks the
// result reads back as intended.
func editFleet(path string, data []byte, edits []chartEdit) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	lines := strings.Split(string(data), "\n")
	var les []lineEdit
	for _, e := range edits {
		pin := lookup(&doc, "spec", "charts", e.key, "version")
		if pin == nil || pin.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("%s: no spec.charts.%s.version", path, e.key)
		}
		if e.pin != "" {
			le, err := replaceScalar(path, lines, pin, e.pin)
			if err != nil {
				return nil, err
			}
			les = append(les, le)
		}
		switch {
		case e.canary != "" && e.moveCanary:
			n := lookup(&doc, "spec", "charts", e.key, "canary", "version")
			if n == nil || n.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("%s: no spec.charts.%s.canary.version", path, e.key)
			}
			le, err := replaceScalar(path, lines, n, e.canary)
			if err != nil {
				return nil, err
			}
			les = append(les, le)
		case e.canary != "":
			if lookup(&doc, "spec", "charts", e.key, "canary") != nil {
				return nil, fmt.Errorf("%s: spec.charts.%s already has a canary", path, e.key)
			}
			// The canary block goes right after the pin, indented like it.
			keyCol := pinKeyColumn(&doc, e.key)
			indent := strings.Repeat(" ", keyCol)
			les = append(les, lineEdit{start: pin.Line, end: pin.Line, repl: []string{
				indent + "canary:",
				indent + "  version: " + e.canary,
				fmt.Sprintf("%s  maxWave: %d", indent, e.maxWave),
			}})
		}
		if e.dropCanary {
			key, val := lookupKey(&doc, "spec", "charts", e.key, "canary")
			if key == nil {
				return nil, fmt.Errorf("%s: no spec.charts.%s.canary to remove", path, e.key)
			}
			les = append(les, lineEdit{start: key.Line - 1, end: lastLine(val)})
		}
	}
	sort.Slice(les, func(i, j int) bool { return les[i].start > les[j].start })
	for i := 1; i < len(les); i++ {
		if les[i].end > les[i-1].start {
			return nil, fmt.Errorf("%s: overlapping edits at line %d", path, les[i].start+1)
		}
	}
	for _, le := range les {
		lines = append(lines[:le.start], append(append([]string(nil), le.repl...), lines[le.end:]...)...)
	}
	out := []byte(strings.Join(lines, "\n"))
	if err := checkEdits(out, edits); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}

// replaceScalar replaces a plain or quoted scalar in its line.
func replaceScalar(path string, lines []string, n *yaml.Node, value string) (lineEdit, error) {
	i := n.Line - 1
	col := n.Column - 1
	if i < 0 || i >= len(lines) || col > len(lines[i]) {
		return lineEdit{}, fmt.Errorf("%s: %q at %d:%d is out of range", path, n.Value, n.Line, n.Column)
	}
	rest := lines[i][col:]
	at := strings.Index(rest, n.Value)
	if at < 0 || at > 1 {
		return lineEdit{}, fmt.Errorf("%s:%d: cannot find version %q to replace", path, n.Line, n.Value)
	}
	return lineEdit{start: i, end: i + 1, repl: []string{lines[i][:col+at] + value + rest[at+len(n.Value):]}}, nil
}

// pinKeyColumn is the 0-based column of the key spec.charts.<key>.version.
func pinKeyColumn(doc *yaml.Node, key string) int {
	k, _ := lookupKey(doc, "spec", "charts", key, "version")
	return k.Column - 1
}

// lastLine is the last line (1-based) a node's subtree spans.
func lastLine(n *yaml.Node) int {
	last := n.Line
	for _, c := range n.Content {
		last = max(last, lastLine(c))
	}
	return last
}

// checkEdits reads the edited fleet file back and checks every chart holds
// what the edits meant.
func checkEdits(data []byte, edits []chartEdit) error {
	var f site.Fleet
	if err := yaml.Unmarshal(data, &f); err != nil {
		return fmt.Errorf("edited file does not parse: %w", err)
	}
	byKey := map[string]site.ChartSource{"daskhub": f.Spec.Charts.DaskHub, "jupyterhub": f.Spec.Charts.JupyterHub, "daskGateway": f.Spec.Charts.DaskGateway}
	var errs []error
	for _, e := range edits {
		s := byKey[e.key]
		if e.pin != "" && s.Version != e.pin {
			errs = append(errs, fmt.Errorf("spec.charts.%s.version is %q after the edit, want %q", e.key, s.Version, e.pin))
		}
		switch {
		case e.dropCanary && s.Canary != nil:
			errs = append(errs, fmt.Errorf("spec.charts.%s.canary is still there after the edit", e.key))
		case e.canary != "" && (s.Canary == nil || s.Canary.Version != e.canary || s.Canary.MaxWave != e.maxWave):
			errs = append(errs, fmt.Errorf("spec.charts.%s.canary is %+v after the edit, want version %s, maxWave %d", e.key, s.Canary, e.canary, e.maxWave))
		}
	}
	return errors.Join(errs...)
}

// lookupKey follows mapping keys from a document node and returns the last
// key's key and value nodes.
func lookupKey(n *yaml.Node, keys ...string) (key, value *yaml.Node) {
	if len(keys) == 0 {
		return nil, nil
	}
	parent := lookup(n, keys[:len(keys)-1]...)
	if parent == nil || parent.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(parent.Content); i += 2 {
		if parent.Content[i].Value == keys[len(keys)-1] {
			return parent.Content[i], parent.Content[i+1]
		}
	}
	return nil, nil
}

// lookup follows mapping keys from a document node.
func lookup(n *yaml.Node, keys ...string) *yaml.Node {
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	for _, k := range keys {
		if n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				next = n.Content[i+1]
				break
			}
		}
		if next == nil {
			return nil
		}
		n = next
	}
	return n
}
