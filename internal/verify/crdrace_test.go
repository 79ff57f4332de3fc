package verify

import (
	"strings"
	"testing"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// raceMessage is helm-controller v1.6.2's message when three of five
// example sites first installed the real dask-gateway chart.
const raceMessage = `Helm install failed for release daskhub/dask-gateway with chart dask-gateway@2026.3.0: unable to build kubernetes objects from release manifest: resource mapping not found for name: "api-prefix-dask-gateway" namespace: "" from "": no matches for kind "Middleware" in version "traefik.io/v1alpha1"
ensure CRDs are installed first`

func TestJudgeHelmReleaseCRDRace(t *testing.T) {
	t.Parallel()
	hr := func(ready metav1.ConditionStatus, reason string, failures int64, retries int, conds ...metav1.Condition) *helmv2.HelmRelease {
		h := &helmv2.HelmRelease{ObjectMeta: metav1.ObjectMeta{Name: "dask-gateway", Namespace: "daskhub", Generation: 1}}
		if retries > 0 {
			h.Spec.Install = &helmv2.Install{Remediation: &helmv2.InstallRemediation{Retries: retries}}
		}
		h.Status.ObservedGeneration = 1
		h.Status.LastAttemptedRevision = "2026.3.0"
		h.Status.InstallFailures = failures
		msg := "Helm install succeeded for release daskhub/dask-gateway.v1 with chart dask-gateway@2026.3.0"
		if ready != metav1.ConditionTrue {
			msg = raceMessage
		}
		h.Status.Conditions = append([]metav1.Condition{{Type: "Ready", Status: ready, Reason: reason, Message: msg, ObservedGeneration: 1}}, conds...)
		return h
	}
	remediated := metav1.Condition{Type: "Remediated", Status: metav1.ConditionTrue, Reason: "UninstallSucceeded", Message: raceMessage}
	for _, tc := range []struct {
		name      string
		hr        *helmv2.HelmRelease
		status    Status
		detail    string
		fix       string
		transient bool
	}{
		{name: "retried and Ready", hr: hr("True", "InstallSucceeded", 1, 3, remediated), status: Pass,
			detail: `CRD race on first install, retried: Helm created a Middleware (traefik.io/v1alpha1)`},
		{name: "failed, retries left", hr: hr("False", "InstallFailed", 1, 3), status: Fail, transient: true,
			detail: `no matches for kind "Middleware"`, fix: "CRD race on first install: Helm created a Middleware (traefik.io/v1alpha1) before the API server served the chart's new CRD. helm-controller retries the install (1 of 3 failures so far)"},
		{name: "failed, retries used up", hr: hr("False", "InstallFailed", 4, 3), status: Fail,
			fix: "CRD race on first install, and the 3 install retries are used up: check the CRD traefik.io/v1alpha1 is established"},
		{name: "failed, no retries", hr: hr("False", "InstallFailed", 1, 0), status: Fail,
			fix: "The HelmRelease has no install retries: set spec.install.remediation.retries"},
		{name: "Ready without a race", hr: hr("True", "InstallSucceeded", 0, 3), status: Pass, detail: "Ready at chart version 2026.3.0 (generation 1)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := judgeHelmRelease(tc.hr, Release{Name: "dask-gateway", ChartVersion: "2026.3.0"})
			if r.Status != tc.status || !strings.Contains(r.Detail, tc.detail) || !strings.Contains(r.Fix, tc.fix) || r.transient != tc.transient {
				t.Errorf("got %s %q fix %q transient=%v, want %s with %q, fix %q, transient=%v", r.Status, r.Detail, r.Fix, r.transient, tc.status, tc.detail, tc.fix, tc.transient)
			}
			if tc.name == "Ready without a race" && strings.Contains(r.Detail, "CRD race") {
				t.Errorf("a clean install is reported as a race: %q", r.Detail)
			}
		})
	}
}
