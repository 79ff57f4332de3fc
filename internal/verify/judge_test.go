package verify

import (
	"strings"
	"testing"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestJudgeHelmRelease covers what the API-server test cannot set up
// cheaply: OCI revisions and a release being reconciled.
func TestJudgeHelmRelease(t *testing.T) {
	t.Parallel()
	hr := func(ready metav1.ConditionStatus, reason string, gen, observed int64, revision string, history ...string) *helmv2.HelmRelease {
		h := &helmv2.HelmRelease{ObjectMeta: metav1.ObjectMeta{Name: "daskhub", Namespace: "hub", Generation: gen}}
		h.Status.ObservedGeneration = observed
		h.Status.LastAttemptedRevision = revision
		for _, v := range history {
			h.Status.History = append(h.Status.History, &helmv2.Snapshot{ChartVersion: v})
		}
		if ready != "" {
			h.Status.Conditions = []metav1.Condition{{Type: "Ready", Status: ready, Reason: reason, Message: "m", ObservedGeneration: observed}}
		}
		return h
	}
	for _, tc := range []struct {
		name      string
		hr        *helmv2.HelmRelease
		want      string
		status    Status
		detail    string
		transient bool
	}{
		{name: "ready", hr: hr("True", "UpgradeSucceeded", 2, 2, "2024.1.1"), want: "2024.1.1", status: Pass},
		{name: "OCI revision with digest", hr: hr("True", "UpgradeSucceeded", 2, 2, "2024.1.1+0123456789ab"), want: "2024.1.1", status: Pass},
		{name: "OCI revision of another version", hr: hr("True", "UpgradeSucceeded", 2, 2, "2024.1.0+0123456789ab"), want: "2024.1.1", status: Fail, detail: "2024.1.0+0123456789ab but 2024.1.1"},
		{name: "history only", hr: hr("True", "InstallSucceeded", 1, 1, "", "2024.1.1", "2024.1.0"), want: "2024.1.1", status: Pass},
		{name: "history of the old version", hr: hr("True", "InstallSucceeded", 1, 1, "", "2024.1.0"), want: "2024.1.1", status: Fail, detail: "last attempted chart version is 2024.1.0"},
		{name: "no revision at all", hr: hr("True", "InstallSucceeded", 1, 1, ""), want: "2024.1.1", status: Fail, detail: "last attempted chart version is unknown"},
		{name: "stale generation", hr: hr("True", "UpgradeSucceeded", 3, 2, "2024.1.1"), want: "2024.1.1", status: Fail, detail: "generation 2 but the spec is at generation 3"},
		{name: "being reconciled", hr: hr("Unknown", "Progressing", 3, 3, "2024.1.1"), want: "2024.1.1", status: Fail, detail: "is being reconciled (Progressing)", transient: true},
		{name: "never reconciled", hr: hr("", "", 1, 0, ""), want: "2024.1.1", status: Fail, detail: "has no Ready condition", transient: true},
		{name: "failed", hr: hr("False", "InstallFailed", 1, 1, "2024.1.1"), want: "2024.1.1", status: Fail, detail: "is not Ready (InstallFailed)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := judgeHelmRelease(tc.hr, Release{Name: "daskhub", ChartVersion: tc.want})
			if r.Status != tc.status || !strings.Contains(r.Detail, tc.detail) || r.transient != tc.transient {
				t.Errorf("got %s %q transient=%v, want %s containing %q transient=%v", r.Status, r.Detail, r.transient, tc.status, tc.detail, tc.transient)
			}
		})
	}
}
