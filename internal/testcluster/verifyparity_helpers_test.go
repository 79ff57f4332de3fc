package testcluster_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubfleet/hubfleet/internal/actionmode"
	"github.com/hubfleet/hubfleet/internal/fleettest"
	"github.com/hubfleet/hubfleet/internal/github/githubtest"
	"github.com/hubfleet/hubfleet/internal/verify"
)

// verifyNet is where both front-ends' hub and identity provider checks
// go, the same for both, on loopback only: resolve maps names to
// addresses (the site's host to the harness's LoadBalancer address,
// 127.0.0.1, as proxy-public's), connectTo sends connections for a host
// to a listener, caFile (and caPEM, the Action's cacert input) is
// trusted besides the system's roots.
type verifyNet struct {
	resolve, connectTo []string
	caFile             string
	caPEM              []byte
}

// verifyNetFor routes the site's host to the hub and every other name in
// idpHosts to 127.0.0.1, where nothing listens on 443: an identity
// provider out of reach, the same for both front-ends, and no lookup
// leaves the machine.
func verifyNetFor(t *testing.T, host string, hub *gateHub, idpHosts ...string) verifyNet {
	t.Helper()
	n := verifyNet{
		resolve:   []string{host + "=127.0.0.1"},
		connectTo: []string{host + "=" + hub.hub.Addr()},
		caPEM:     hub.ca.CertPEM(),
		caFile:    filepath.Join(t.TempDir(), "ca.pem"),
	}
	for _, h := range idpHosts {
		n.resolve = append(n.resolve, h+"=127.0.0.1")
	}
	if err := os.WriteFile(n.caFile, n.caPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	return n
}

// frontEndVerdict is what one front-end decided about the site: its exit
// code, each check's status, and the failing sites.
type frontEndVerdict struct {
	exit     int
	statuses map[string]verify.Status
	failed   []string
}

// verifyCLIAll runs `hubfleet verify --site <site> -o json` as an
// operator does, with the cluster's kubeconfig and the network flags of
// n, and returns every result and the exit code (0 or 1; anything else
// fails the test).
func (r *realSite) verifyCLIAll(ctx context.Context, n verifyNet) ([]verify.Result, int) {
	r.t.Helper()
	args := []string{"--root", r.repo, "verify", "--site", r.site, "-o", "json", "--kubeconfig", r.verifyKC, "--cacert", n.caFile}
	for _, v := range n.resolve {
		args = append(args, "--resolve", v)
	}
	for _, v := range n.connectTo {
		args = append(args, "--connect-to", v)
	}
	cmd := exec.CommandContext(ctx, fleettest.CLI(r.t), args...)
	cmd.Dir = r.repo
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	code := 0
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit) && exit.ExitCode() == 1:
		code = 1
	default:
		r.t.Fatalf("hubfleet verify: %v\n%s%s", err, out, stderr.String())
	}
	var rep verify.Report
	if err := json.Unmarshal(out, &rep); err != nil {
		r.t.Fatalf("hubfleet verify -o json: %v\n%s", err, out)
	}
	return rep.Results, code
}

// verifyBothFrontEnds verifies the site with the CLI (`hubfleet verify`)
// and with the Action (`hubfleet action verify`, in a fresh checkout of
// main, the kubeconfig passed as the secret input's content, the same
// network as connect-to, resolve and cacert inputs, the GitHub API
// faked), and checks that both decide the same: the exit code, every
// check's status, the failing sites (the CLI's by verify.Decide, the
// Action's output failed-sites), the failing checks (the CLI's results,
// the Action's job summary) and the commit status's state. It returns
// the CLI's verdict.
func (r *realSite) verifyBothFrontEnds(ctx context.Context, n verifyNet) frontEndVerdict {
	r.t.Helper()
	t := r.t
	results, code := r.verifyCLIAll(ctx, n)
	cli := frontEndVerdict{exit: code, statuses: map[string]verify.Status{}, failed: verify.Decide(results, false).Failed}
	var cliBad []string
	for _, res := range results {
		if res.Site != r.site {
			t.Errorf("hubfleet verify --site %s has a result of site %q", r.site, res.Site)
		}
		cli.statuses[res.Check] = res.Status
		if res.Status == verify.Fail {
			cliBad = append(cliBad, res.Check)
		}
	}

	kubeconfig, err := os.ReadFile(r.verifyKC)
	if err != nil {
		t.Fatal(err)
	}
	gh := githubtest.NewServer(t, "fleet", "hubs", gateToken)
	act := runGateAction(ctx, t, r.repo, gh, "verify", "push", map[string]string{
		"HUBFLEET_SITE":       r.site,
		"HUBFLEET_KUBECONFIG": string(kubeconfig),
		"HUBFLEET_RESOLVE":    strings.Join(n.resolve, "\n"),
		"HUBFLEET_CONNECT_TO": strings.Join(n.connectTo, "\n"),
		"HUBFLEET_CACERT":     string(n.caPEM),
	})
	t.Logf("hubfleet action verify (exit %d):\n%s\njob summary:\n%s", act.exit, act.log, act.summary)
	got := frontEndVerdict{exit: act.exit, statuses: actionStatuses(t, act.log, r.site), failed: nonEmptyLines(act.outputs["failed-sites"])}

	if got.exit != cli.exit {
		t.Errorf("hubfleet action verify: exit %d, hubfleet verify: exit %d", got.exit, cli.exit)
	}
	if diff := cmp.Diff(cli.statuses, got.statuses); diff != "" {
		t.Errorf("check statuses (-hubfleet verify +hubfleet action verify):\n%s", diff)
	}
	if diff := cmp.Diff(cli.failed, got.failed); diff != "" {
		t.Errorf("failing sites (-hubfleet verify +the Action's failed-sites):\n%s", diff)
	}
	row := lineWith(act.summary, "| `"+r.site+"` |")
	if len(cliBad) > 0 {
		for _, c := range cliBad {
			if !strings.Contains(row, c) {
				t.Errorf("the Action's job summary row does not name the failing check %s: %q", c, row)
			}
		}
		if !strings.Contains(row, "fail") {
			t.Errorf("the Action's job summary row does not fail the site: %q", row)
		}
	}
	st, ok := gateStatuses(gh, gitCmd(t, r.repo, "rev-parse", "HEAD"))[actionmode.StatusContext(r.site)]
	wantState := "success"
	if slices.Contains(cli.failed, r.site) {
		wantState = "failure"
	}
	if !ok || st.State != wantState {
		t.Errorf("commit status %s = %+v, want state %s", actionmode.StatusContext(r.site), st, wantState)
	}
	return cli
}

// actionStatuses reads each check's status from the Action's log: the
// lines "<status> <check> <detail>" of the log group "site <site>"
// (between them, the annotations of failed and warning checks).
func actionStatuses(t *testing.T, log, site string) map[string]verify.Status {
	t.Helper()
	out := map[string]verify.Status{}
	in := false
	for _, line := range strings.Split(log, "\n") {
		switch {
		case line == "::group::site "+site:
			in = true
		case in && line == "::endgroup::":
			return out
		case in && strings.HasPrefix(line, "::"):
			// a workflow command: the result's annotation
		case in:
			f := strings.Fields(line)
			if len(f) < 2 {
				t.Fatalf("the Action's log line %q in group site %s is not a check result", line, site)
			}
			out[f[1]] = verify.Status(f[0])
		}
	}
	t.Fatalf("the Action's log has no complete group for site %s:\n%s", site, log)
	return nil
}

// nonEmptyLines splits an output's lines, nil for none.
func nonEmptyLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
