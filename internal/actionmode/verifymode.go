package actionmode

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/github"
	"github.com/hubfleet/hubfleet/internal/markdown"
	"github.com/hubfleet/hubfleet/internal/report"
	"github.com/hubfleet/hubfleet/internal/targets"
	"github.com/hubfleet/hubfleet/internal/upgrade"
	"github.com/hubfleet/hubfleet/internal/verify"
)

// StatusContext is the commit status context of a site's verification.
func StatusContext(site string) string { return upgrade.StatusContext(site) }

func (r *runner) verify(ctx context.Context) error {
	if r.opts.Verifier == nil {
		return errors.New("verify: no verifier configured")
	}
	ws, err := r.load(ctx, "verify")
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	kc := targets.Kubeconfig{Data: []byte(r.env.Kubeconfig), Skip: r.env.Kubeconfig == ""}
	req := targets.Request{Fleet: ws.Fleet, Sites: r.env.Sites, Kubeconfig: kc}
	switch v := strings.TrimSpace(r.opts.Getenv("HUBFLEET_SPAWN")); v {
	case "", "false":
	case "true", "dask-gateway":
		// The probe token is decrypted with the age identity SOPS finds:
		// pass SOPS_AGE_KEY to the step from a secret.
		req.Spawn = &targets.Spawn{Root: r.root, DaskGateway: v == "dask-gateway"}
	default:
		return fmt.Errorf("verify: spawn %q is not false, true or dask-gateway", v)
	}
	results, err := r.opts.Verifier.Run(ctx, req)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	// The decision is the flow's; this mode publishes it.
	dec := verify.Decide(results, r.env.Strict)
	bySite := map[string][]verify.Result{}
	for _, res := range results {
		bySite[res.Site] = append(bySite[res.Site], res)
	}
	names := dec.Sites

	var statuses []github.Status
	var b, spawnRows strings.Builder
	b.WriteString("### hubfleet verify\n\n| Site | Result | Failing checks |\n|---|---|---|\n")
	for _, n := range names {
		rs := bySite[n]
		var fieldLines map[string]int
		if st := ws.Fleet.Site(n); st != nil {
			fieldLines = st.Lines
		}
		r.rep.Group("site " + n)
		var bad []string
		for _, res := range rs {
			line := fmt.Sprintf("%-5s %-16s %s", res.Status, res.Check, res.Detail)
			if res.Fix != "" {
				line += " (fix: " + res.Fix + ")"
			}
			r.rep.Logf("%s", line)
			switch res.Status {
			case verify.Fail:
				bad = append(bad, res.Check)
				r.rep.Annotate(report.Annotation{Level: report.LevelError, File: fleet.SitePath(n), Line: lineOfCheck(fieldLines, res.Check), Title: "hubfleet: " + n + " " + res.Check,
					Message: strings.TrimSpace(res.Detail + " " + fixText(res.Fix))})
			case verify.Warn, verify.Unknown:
				r.rep.Annotate(report.Annotation{Level: report.LevelWarning, File: fleet.SitePath(n), Line: lineOfCheck(fieldLines, res.Check), Title: "hubfleet: " + n + " " + res.Check,
					Message: strings.TrimSpace(res.Detail + " " + fixText(res.Fix))})
			}
		}
		r.rep.EndGroup()
		st := github.Status{Context: StatusContext(n), TargetURL: r.env.RunURL()}
		// A site not verified (a check could not run here, none failed)
		// is a neutral result: its commit status is "pending" with the
		// reason (never "success", so no canary is promoted on it, and not
		// "failure" or "error", which GitHub counts as failed), its row
		// "unknown"; with the strict input it is a failure.
		why, unknown := dec.NotVerified[n]
		switch {
		case slices.Contains(dec.Failed, n) && !unknown:
			st.State, st.Description = github.StateFailure, "failing: "+strings.Join(bad, ", ")
			fmt.Fprintf(&b, "| `%s` | ❌ fail | %s |\n", n, markdown.Cell(strings.Join(bad, ", ")))
		case unknown:
			st.State, st.Description = github.StatePending, "not verified: "+why
			if slices.Contains(dec.Failed, n) {
				st.State = github.StateFailure
			}
			fmt.Fprintf(&b, "| `%s` | ❔ unknown | not checked: %s |\n", n, markdown.Cell(why))
		case verify.Worst(rs) == verify.Warn:
			st.State, st.Description = github.StateSuccess, fmt.Sprintf("%d checks pass with warnings", len(rs))
			fmt.Fprintf(&b, "| `%s` | ⚠️ warn | — |\n", n)
		default:
			st.State, st.Description = github.StateSuccess, fmt.Sprintf("%d checks pass", len(rs))
			fmt.Fprintf(&b, "| `%s` | ✅ pass | — |\n", n)
		}
		statuses = append(statuses, st)
		if req.Spawn != nil {
			// The canary gate reads the probe on its own context.
			line, ok, found := verify.SpawnSummary(rs)
			if found {
				sst := github.Status{Context: upgrade.SpawnStatusContext(n), TargetURL: r.env.RunURL(), State: github.StateFailure, Description: line}
				if ok {
					sst.State = github.StateSuccess
				}
				statuses = append(statuses, sst)
				fmt.Fprintf(&spawnRows, "| `%s` | %s | %s |\n", n, map[bool]string{true: "✅ pass", false: "❌ fail"}[ok], markdown.Cell(line))
			}
		}
	}
	if spawnRows.Len() > 0 {
		b.WriteString("\n#### spawn probe\n\n| Site | Result | Server and Dask |\n|---|---|---|\n")
		b.WriteString(spawnRows.String())
	}

	var errs []error
	if err := r.rep.AddSummary(b.String()); err != nil {
		errs = append(errs, err)
	}
	if r.env.SHA != "" && len(statuses) > 0 {
		gh, err := r.github()
		if err == nil {
			err = gh.SetStatuses(ctx, r.env.SHA, statuses)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("set commit statuses: %w", err))
		}
	}
	if err := r.outputs("sites", lines(names), "failed-sites", lines(dec.Failed), "unknown-sites", lines(dec.Unknown), "changed", "false"); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	if len(dec.Reasons) > 0 {
		return &FailedError{Mode: "verify", Reasons: dec.Reasons}
	}
	return nil
}

func fixText(fix string) string {
	if fix == "" {
		return ""
	}
	return "(fix: " + fix + ")"
}

// lineOfCheck points a failed check at the site field it is about: the
// identity provider checks at spec.auth, the cluster checks at
// spec.kubernetes, the rest at spec.host.
func lineOfCheck(lines map[string]int, check string) int {
	field := "spec.host"
	switch verify.CheckKind(check) {
	case verify.CheckOIDCDiscovery, verify.CheckJWKS, verify.CheckOAuthLogin, verify.CheckOAuthAuthorize:
		field = "spec.auth"
	case verify.CheckHelmRelease, verify.CheckProxyPublic, verify.CheckDeployment, targets.CheckKubeconfig:
		field = "spec.kubernetes"
	case verify.CheckCertificate:
		field = "spec.tls"
	case verify.CheckSpawn:
		if lines["spec.probe"] > 0 {
			field = "spec.probe"
		}
	}
	if l := lines[field]; l > 0 {
		return l
	}
	return lines["spec.host"]
}
