package main

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/hubfleet/hubfleet/internal/chart"
	"github.com/hubfleet/hubfleet/internal/gitrepo"
	"github.com/hubfleet/hubfleet/internal/output"
	"github.com/hubfleet/hubfleet/internal/plan"
	"github.com/hubfleet/hubfleet/internal/rollback"
	"github.com/hubfleet/hubfleet/internal/secretscan"
	"github.com/hubfleet/hubfleet/internal/upgrade"
	"github.com/hubfleet/hubfleet/internal/verify"
)

// The results commands print through output.Print: each is the command's
// JSON and YAML document (schema: internal/output/schemas/<kind>.json),
// and writes its own text.

// WriteText writes validate's verdict; the problems themselves are the
// command's error, on stderr.
func (r validateReport) WriteText(w io.Writer, _ output.Style) error {
	if !r.Valid {
		return nil
	}
	line := fmt.Sprintf("%d site(s) valid", r.Sites)
	if r.Warnings > 0 {
		line += fmt.Sprintf(", %d warning(s)", r.Warnings)
	}
	_, err := fmt.Fprintln(w, line)
	return err
}

// renderResult is the output of render (schema: render.json).
type renderResult struct {
	output.Header
	// Check is set for render --check: nothing was written.
	Check bool `json:"check"`
	Sites int  `json:"sites"`
	Files int  `json:"files"`
	// Changes are the files written (or, with --check, stale).
	Changes []renderedFile `json:"changes"`
	// Diff is the unified diff of the stale files (--check only).
	Diff string `json:"diff,omitempty"`
}

type renderedFile struct {
	Path string `json:"path"`
	// Change is created, updated or removed.
	Change string `json:"change"`
}

func (r renderResult) WriteText(w io.Writer, _ output.Style) error {
	var b bytes.Buffer
	switch {
	case r.Check && len(r.Changes) == 0:
		fmt.Fprintf(&b, "%d file(s) of %d site(s) are up to date\n", r.Files, r.Sites)
	case r.Check:
		b.WriteString(r.Diff)
	default:
		for _, c := range r.Changes {
			fmt.Fprintf(&b, "%s %s\n", c.Change, c.Path)
		}
		fmt.Fprintf(&b, "rendered %d site(s): %d file(s) changed\n", r.Sites, len(r.Changes))
	}
	_, err := w.Write(b.Bytes())
	return err
}

// secretsResult is the output of check-secrets (schema: check-secrets.json).
type secretsResult struct {
	output.Header
	Findings []secretFinding `json:"findings"`
	// incomplete: some files could not be read (the command's error).
	incomplete bool
}

type secretFinding struct {
	secretscan.Finding
	Fix string `json:"fix"`
}

func (r secretsResult) WriteText(w io.Writer, st output.Style) error {
	var b bytes.Buffer
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "%s (fix: %s)\n", st.Bad(f.Finding.String()), f.Fix)
	}
	if len(r.Findings) == 0 && !r.incomplete {
		fmt.Fprintln(&b, "no plain-text secrets found")
	}
	_, err := w.Write(b.Bytes())
	return err
}

// cacheResult is the output of cache (schema: cache.json).
type cacheResult struct {
	output.Header
	chart.CacheStats
	// Pruned is set when --prune trimmed the cache first.
	Pruned bool `json:"pruned"`
}

func (r cacheResult) WriteText(w io.Writer, _ output.Style) error {
	st := r.CacheStats
	_, err := fmt.Fprintf(w, "render cache: %s\n%d results, %s of %s (%.0f%%)\n", st.Dir, st.Files, cacheSize(st.Bytes), cacheSize(st.MaxBytes), 100*float64(st.Bytes)/float64(st.MaxBytes))
	if err == nil && r.Pruned {
		_, err = fmt.Fprintf(w, "pruned %d results (%s)\n", st.Removed, cacheSize(st.RemovedBytes))
	}
	return err
}

// upgradeResult is the output of upgrade (schema: upgrade.json).
type upgradeResult struct {
	output.Header
	Versions    []upgradedChart `json:"versions"`
	OneWayDoors []string        `json:"oneWayDoors"`
	// Deferred are the sites of later waves, upgraded after the first verify.
	Deferred []string `json:"deferred"`
	// Sites are each site's chart changes, as plan shows them.
	Sites []upgradedSite `json:"sites"`
	// Written are the files written, relative to the fleet's root.
	Written []string `json:"written"`
	// Notes say what else the rollout needs to be read with (a version
	// not proposed because the chart catalog lacks its facts).
	Notes []string `json:"notes,omitempty"`
}

type upgradedChart struct {
	Chart string `json:"chart"`
	From  string `json:"from"`
	To    string `json:"to"`
	// Stage is pin (every site), canary (the first waves) or promote.
	Stage string `json:"stage"`
	// MaxWave and Running are the canary's last wave and the sites of its
	// waves that run the chart.
	MaxWave      int      `json:"maxWave,omitempty"`
	Running      []string `json:"running,omitempty"`
	ChangelogURL string   `json:"changelogURL,omitempty"`
}

type upgradedSite struct {
	Site   string   `json:"site"`
	Charts []string `json:"charts"`
}

// chartSites are the chart changes of each site of p that has some, as
// plan words them; never nil.
func chartSites(p *plan.Plan) []upgradedSite {
	out := []upgradedSite{}
	if p == nil {
		return out
	}
	for _, sc := range p.Sites {
		u := upgradedSite{Site: sc.Site}
		for _, c := range sc.Charts {
			u.Charts = append(u.Charts, plan.ChartLine(c))
		}
		if len(u.Charts) > 0 {
			out = append(out, u)
		}
	}
	return out
}

func newUpgradeResult(res *upgrade.Result) upgradeResult {
	r := upgradeResult{Header: output.NewHeader("upgrade"), Versions: []upgradedChart{}, OneWayDoors: res.OneWayDoors,
		Deferred: res.Deferred, Written: res.Written, Notes: res.Notes}
	for _, v := range res.Versions {
		stage := v.Stage
		if stage == "" {
			stage = upgrade.StagePin
		}
		r.Versions = append(r.Versions, upgradedChart{Chart: v.Chart, From: v.From, To: v.To, Stage: string(stage),
			MaxWave: v.MaxWave, Running: v.Running, ChangelogURL: v.ChangelogURL})
	}
	r.Sites = chartSites(res.Plan)
	for _, p := range []*[]string{&r.OneWayDoors, &r.Deferred, &r.Written} {
		if *p == nil {
			*p = []string{}
		}
	}
	return r
}

func (r upgradeResult) WriteText(w io.Writer, _ output.Style) error {
	var b bytes.Buffer
	if len(r.Versions) == 0 {
		fmt.Fprintln(&b, "no newer chart version within the fleet's constraints: nothing changed")
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	for _, v := range r.Versions {
		line := fmt.Sprintf("%s %s -> %s", v.Chart, v.From, v.To)
		switch upgrade.Stage(v.Stage) {
		case upgrade.StageCanary:
			line += fmt.Sprintf(" (canary for waves up to %d: %s)", v.MaxWave, strings.Join(v.Running, ", "))
		case upgrade.StagePromote:
			line += " (canary promoted to every wave)"
		}
		fmt.Fprintln(&b, line)
	}
	for _, d := range r.OneWayDoors {
		fmt.Fprintln(&b, "ONE-WAY DOOR:", d)
	}
	if len(r.Deferred) > 0 {
		fmt.Fprintf(&b, "later waves, after the first verify: %s\n", strings.Join(r.Deferred, ", "))
	}
	for _, s := range r.Sites {
		for _, c := range s.Charts {
			fmt.Fprintf(&b, "  %s: %s\n", s.Site, c)
		}
	}
	if len(r.Versions) > 0 {
		fmt.Fprintf(&b, "wrote %d file(s); review with 'hubfleet plan', then commit\n", len(r.Written))
	}
	_, err := w.Write(b.Bytes())
	return err
}

// planResult is the output of plan (schema: plan.json): the plan itself,
// headed.
type planResult struct {
	output.Header
	*plan.Plan
	// report is the plan with what the checks before it found (stale and
	// invalid sites), the Markdown the Action prints too.
	report plan.Report
}

func (r planResult) WriteText(w io.Writer, _ output.Style) error { return plan.WriteText(w, r.Plan) }

func (r planResult) WriteMarkdown(w io.Writer) error {
	rep := r.report
	if rep.Plan == nil {
		rep = plan.Report{Plan: r.Plan}
	}
	_, err := fmt.Fprint(w, rep.Full())
	return err
}

// verifyResult is the output of verify (schema: verify.json).
type verifyResult struct {
	verify.Report
}

func (r verifyResult) WriteText(w io.Writer, st output.Style) error {
	return writeVerifyText(w, r.Results, st)
}

func (r verifyResult) WriteMarkdown(w io.Writer) error { return verify.WriteMarkdown(w, r.Results) }

// rollbackResult is the output of rollback (schema: rollback.json).
type rollbackResult struct {
	output.Header
	Title string `json:"title"`
	// Reverts are the reverted commits, newest first.
	Reverts []rollbackCommit `json:"reverts"`
	// Applied says the revert was committed on the current branch, as
	// Commit; otherwise nothing changed.
	Applied bool   `json:"applied"`
	Commit  string `json:"commit,omitempty"`
	// Sites are each site's chart changes, as plan shows them.
	Sites       []upgradedSite `json:"sites"`
	OneWayDoors []rollbackDoor `json:"oneWayDoors"`
	Restored    []string       `json:"restored"`
	Mismatched  []string       `json:"mismatched"`
	Others      []string       `json:"others"`
	warnings    []string       // printed on stderr
}

type rollbackCommit struct {
	Commit  string `json:"commit"`
	Subject string `json:"subject"`
}

type rollbackDoor struct {
	Site   string `json:"site"`
	Kind   string `json:"kind"`
	Detail string `json:"detail"`
}

func newRollbackResult(res *rollback.Result, applied bool) rollbackResult {
	r := rollbackResult{Header: output.NewHeader("rollback"), Title: res.Title(), Applied: applied,
		Reverts: []rollbackCommit{}, Sites: []upgradedSite{}, OneWayDoors: []rollbackDoor{},
		Restored: nonNil(res.Restored), Mismatched: nonNil(res.Mismatched), Others: nonNil(res.Others)}
	if applied {
		r.Commit = res.Revert
	}
	for _, c := range res.Targets {
		r.Reverts = append(r.Reverts, rollbackCommit{Commit: c.ID, Subject: c.Subject})
	}
	r.warnings = append(r.warnings, res.Warnings...)
	r.Sites = chartSites(res.Plan)
	if res.Plan != nil {
		r.warnings = append(r.warnings, res.Plan.Warnings...)
		for _, sc := range res.Plan.Sites {
			for _, d := range sc.OneWayDoors {
				r.OneWayDoors = append(r.OneWayDoors, rollbackDoor{Site: sc.Site, Kind: d.Kind, Detail: d.Detail})
			}
		}
	}
	return r
}

func (r rollbackResult) WriteText(w io.Writer, _ output.Style) error {
	var b bytes.Buffer
	fmt.Fprintln(&b, r.Title)
	for _, c := range r.Reverts {
		fmt.Fprintf(&b, "  reverts %s %s\n", gitrepo.Short(c.Commit), c.Subject)
	}
	for _, s := range r.Sites {
		for _, c := range s.Charts {
			fmt.Fprintf(&b, "  %s: %s\n", s.Site, c)
		}
	}
	for _, d := range r.OneWayDoors {
		fmt.Fprintf(&b, "ONE-WAY DOOR: %s: %s: %s\n", d.Site, d.Kind, d.Detail)
	}
	if len(r.Restored) > 0 {
		fmt.Fprintf(&b, "files restored: %s\n", strings.Join(r.Restored, ", "))
	}
	if len(r.Mismatched) > 0 {
		fmt.Fprintf(&b, "later commits also changed %s: those changes stay\n", strings.Join(r.Mismatched, ", "))
	}
	if len(r.Others) > 0 {
		fmt.Fprintf(&b, "the reverted commit also changed %s: this rolls them back too\n", strings.Join(r.Others, ", "))
	}
	if r.Applied {
		fmt.Fprintf(&b, "committed the revert %s on the current branch; nothing was pushed\n", gitrepo.Short(r.Commit))
	} else {
		fmt.Fprintln(&b, "nothing was changed; --apply commits the revert on the current branch")
	}
	_, err := w.Write(b.Bytes())
	return err
}
