package verify

import (
	"net/url"
	"strings"
	"testing"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
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
		also      string // in the detail too
	}{
		{name: "ready", hr: hr("True", "UpgradeSucceeded", 2, 2, "2024.1.1"), want: "2024.1.1", status: Pass},
		{name: "OCI revision with digest", hr: hr("True", "UpgradeSucceeded", 2, 2, "2024.1.1+0123456789ab"), want: "2024.1.1", status: Pass},
		{name: "OCI revision of another version", hr: hr("True", "UpgradeSucceeded", 2, 2, "2024.1.0+0123456789ab"), want: "2024.1.1", status: Fail, detail: "2024.1.0+0123456789ab but 2024.1.1"},
		{name: "history only", hr: hr("True", "InstallSucceeded", 1, 1, "", "2024.1.1", "2024.1.0"), want: "2024.1.1", status: Pass},
		{name: "history of the old version", hr: hr("True", "InstallSucceeded", 1, 1, "", "2024.1.0"), want: "2024.1.1", status: Fail, detail: "last attempted chart version is 2024.1.0"},
		{name: "no revision at all", hr: hr("True", "InstallSucceeded", 1, 1, ""), want: "2024.1.1", status: Fail, detail: "last attempted chart version is unknown"},
		{name: "stale generation", hr: hr("True", "UpgradeSucceeded", 3, 2, "2024.1.1"), want: "2024.1.1", status: Fail, detail: "generation 2 but the spec is at generation 3"},
		{name: "being reconciled", hr: hr("Unknown", "Progressing", 3, 3, "2024.1.1"), want: "2024.1.1", status: Fail, detail: "is being reconciled (Progressing)", transient: true},
		{name: "retrying after a failed upgrade", hr: func() *helmv2.HelmRelease {
			h := hr("Unknown", "Progressing", 3, 3, "2024.1.1")
			h.Status.Failures = 2
			h.Status.Conditions = append(h.Status.Conditions, metav1.Condition{Type: "Released", Status: "False", Reason: "UpgradeFailed",
				Message: "Helm upgrade failed for release hub/daskhub with chart daskhub@2024.1.1: values don't meet the specifications of the schema(s) in the following chart(s):\njupyterhub:\n- (root): Additional property hubfleetNotAValue is not allowed"})
			return h
		}(), want: "2024.1.1", status: Fail, detail: "is being reconciled (Progressing): m; the previous attempt failed (UpgradeFailed, 2 failure(s) so far): ", transient: true, also: "hubfleetNotAValue is not allowed"},
		{name: "never reconciled", hr: hr("", "", 1, 0, ""), want: "2024.1.1", status: Fail, detail: "has no Ready condition", transient: true},
		{name: "failed", hr: hr("False", "InstallFailed", 1, 1, "2024.1.1"), want: "2024.1.1", status: Fail, detail: "is not Ready (InstallFailed)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := judgeHelmRelease(tc.hr, Release{Name: "daskhub", ChartVersion: tc.want})
			if r.Status != tc.status || !strings.Contains(r.Detail, tc.detail) || !strings.Contains(r.Detail, tc.also) || r.transient != tc.transient {
				t.Errorf("got %s %q transient=%v, want %s containing %q transient=%v", r.Status, r.Detail, r.transient, tc.status, tc.detail, tc.transient)
			}
		})
	}
}

func TestJudgeAuthorize(t *testing.T) {
	t.Parallel()
	const cb = "https://hub.example.org/hub/oauth_callback"
	for _, tc := range []struct {
		name   string
		code   int
		next   string
		body   string
		status Status
		detail string
	}{
		{name: "login page", code: 200, body: "<html>Sign in</html>", status: Pass},
		{name: "login page mentioning invalid_client in a script", code: 200, body: `<script>var e={"invalid_client":1}</script>`, status: Pass},
		{name: "redirect to the provider's login", code: 302, next: "https://aai.egi.eu/auth/realms/egi/login-actions/authenticate?x=1", status: Pass, detail: "on to its login at aai.egi.eu"},
		{name: "Keycloak redirect mismatch", code: 400, body: "We are sorry... Invalid parameter: redirect_uri", status: Fail, detail: "refuses redirect_uri " + cb},
		{name: "Azure redirect mismatch on a 200 page", code: 200, body: "AADSTS50011: The redirect URI specified in the request does not match", status: Fail, detail: `"AADSTS50011"`},
		{name: "Azure unknown application", code: 200, body: "AADSTS700016: Application with identifier was not found", status: Fail, detail: "does not know client hub"},
		{name: "Cognito redirect mismatch", code: 302, next: "https://pool.auth.eu-west-1.amazoncognito.com/error?error=redirect_mismatch&client_id=hub", status: Fail, detail: "(redirect_mismatch)"},
		{name: "error sent back to the hub", code: 302, next: cb + "?error=unauthorized_client&error_description=client+disabled", status: Fail, detail: "error=unauthorized_client client disabled"},
		{name: "generic 400 with invalid_client", code: 400, body: `{"error":"invalid_client"}`, status: Fail, detail: "does not know client hub"},
		{name: "unexplained 500", code: 500, body: "oops", status: Fail, detail: "answered 500"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var next *url.URL
			if tc.next != "" {
				var err error
				if next, err = url.Parse(tc.next); err != nil {
					t.Fatal(err)
				}
			}
			r := judgeAuthorize(tc.code, next, []byte(tc.body), "hub", cb)
			if r.Status != tc.status || !strings.Contains(r.Detail, tc.detail) {
				t.Errorf("got %s %q, want %s containing %q", r.Status, r.Detail, tc.status, tc.detail)
			}
		})
	}
}

func TestJudgeFieldFailures(t *testing.T) {
	t.Parallel()
	t.Run("pre-puller hook timeout", func(t *testing.T) {
		t.Parallel()
		h := &helmv2.HelmRelease{ObjectMeta: metav1.ObjectMeta{Name: "daskhub", Namespace: "hub", Generation: 2}}
		h.Status.ObservedGeneration = 2
		h.Status.Conditions = []metav1.Condition{{Type: "Ready", Status: "False", Reason: "UpgradeFailed",
			Message: "Helm upgrade failed for release hub/daskhub with chart daskhub@2024.1.1: pre-upgrade hooks failed: 1 error occurred: * timed out waiting for the condition"}}
		r := judgeHelmRelease(h, Release{Name: "daskhub", ChartVersion: "2024.1.1"})
		if r.Status != Fail || !strings.Contains(r.Fix, "pre-puller hook") || !strings.Contains(r.Fix, "spec.timeout to 15m") {
			t.Errorf("got %s %q fix %q", r.Status, r.Detail, r.Fix)
		}
	})
	t.Run("Let's Encrypt rate limit", func(t *testing.T) {
		t.Parallel()
		c := unstructured.Unstructured{Object: map[string]any{
			"metadata": map[string]any{"name": "hub-tls", "namespace": "hub"},
			"spec":     map[string]any{"dnsNames": []any{"hub.example.org"}},
			"status": map[string]any{"conditions": []any{map[string]any{"type": "Ready", "status": "False", "reason": "Failed",
				"message": `Failed to create Order: 429 urn:ietf:params:acme:error:rateLimited: too many certificates (5) already issued for this exact set of domains in the last 168h0m0s`}}},
		}}
		r := judgeCertificates([]unstructured.Unstructured{c}, "hub", "hub.example.org")
		if r.Status != Fail || !strings.Contains(r.Detail, "rateLimited") || !strings.Contains(r.Fix, "rate-limits this name") {
			t.Errorf("got %s %q fix %q", r.Status, r.Detail, r.Fix)
		}
	})
}
