package verify

import (
	"encoding/json"
	"strings"
	"time"
)

// Status is the outcome of one check.
type Status string

const (
	Pass Status = "pass"
	Warn Status = "warn"
	Fail Status = "fail"
)

func (s Status) rank() int {
	switch s {
	case Pass:
		return 0
	case Unknown:
		return 1
	case Warn:
		return 2
	default:
		return 3
	}
}

// Check names. Checks about one of several objects are suffixed with
// "/<name>" (for example "helmrelease/daskhub", "deployment/hub").
const (
	CheckHelmRelease   = "helmrelease"
	CheckProxyPublic   = "proxy-public"
	CheckDeployment    = "deployment"
	CheckCertificate   = "certificate"
	CheckDNS           = "dns"
	CheckTLS           = "tls"
	CheckHubHealth     = "hub-health"
	CheckHubVersion    = "hub-version"
	CheckDaskGateway   = "dask-gateway"
	CheckOIDCDiscovery = "oidc-discovery"
	CheckJWKS          = "jwks"
	CheckOAuthLogin    = "oauth-login"
	// CheckOAuthAuthorize follows the hub's redirect to the provider and
	// wants it to accept the client_id and redirect_uri.
	CheckOAuthAuthorize = "oauth-authorize"
)

// CheckKind returns the kind of a check name: "helmrelease/daskhub" and
// "deployment/hub" are of kinds CheckHelmRelease and CheckDeployment; other
// names are their own kind.
func CheckKind(check string) string {
	kind, _, _ := strings.Cut(check, "/")
	return kind
}

// Result is the outcome of one check on one site. Detail is a one-line
// explanation in the operator's terms and Fix a one-line hint; neither ever
// holds a secret.
type Result struct {
	Site     string        `json:"site"`
	Check    string        `json:"check"`
	Status   Status        `json:"status"`
	Detail   string        `json:"detail"`
	Fix      string        `json:"fix,omitempty"`
	Err      error         `json:"-"`
	Duration time.Duration `json:"-"`
	// transient marks a non-pass outcome that may resolve by itself
	// (a pending address within its grace period): Wait retries it.
	transient bool
}

// MarshalJSON adds the error text and the duration in milliseconds.
func (r Result) MarshalJSON() ([]byte, error) {
	type plain Result
	out := struct {
		plain
		Error      string `json:"error,omitempty"`
		DurationMS int64  `json:"durationMs"`
	}{plain: plain(r), DurationMS: r.Duration.Milliseconds()}
	if r.Err != nil {
		out.Error = r.Err.Error()
	}
	return json.Marshal(out)
}

// Worst returns the worst status among results (Pass for none).
func Worst(results []Result) Status {
	w := Pass
	for _, r := range results {
		if r.Status.rank() > w.rank() {
			w = r.Status
		}
	}
	return w
}

// ExitCode maps results to the CLI convention: 0 when nothing failed,
// 1 when a check failed. (2, "could not run", is the caller's.)
func ExitCode(results []Result) int {
	if Worst(results) == Fail {
		return 1
	}
	return 0
}

func pass(detail string) Result { return Result{Status: Pass, Detail: detail} }
func warn(detail, fix string) Result {
	return Result{Status: Warn, Detail: detail, Fix: fix}
}
func fail(detail, fix string, err error) Result {
	return Result{Status: Fail, Detail: detail, Fix: fix, Err: err}
}
