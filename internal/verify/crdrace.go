package verify

import (
	"fmt"
	"regexp"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// crdRaceRE matches Helm's error when it creates an object whose kind the
// API server does not serve yet: on a first install of a chart that ships
// CRDs (dask-gateway's traefik Middleware, IngressRoute), helm-controller
// applies the CRDs and creates the objects right after, sometimes before
// the API server has published the new kinds.
var crdRaceRE = regexp.MustCompile(`no matches for kind "([^"]+)" in version "([^"]+)"(?:.*ensure CRDs are installed first)?`)

// crdRace is what a HelmRelease's status says about such a race.
type crdRace struct {
	// Kind and Version are the kind Helm could not create.
	Kind, Version string
	// Condition is the status condition whose message reports it.
	Condition string
}

// findCRDRace looks for the race in every condition of a HelmRelease.
func findCRDRace(hr *helmv2.HelmRelease) (crdRace, bool) {
	for _, c := range hr.Status.Conditions {
		if m := crdRaceRE.FindStringSubmatch(c.Message); m != nil {
			return crdRace{Kind: m[1], Version: m[2], Condition: c.Type}, true
		}
	}
	return crdRace{}, false
}

// note is appended to a passing HelmRelease check that went Ready
// after the race: it was retried, nothing to do.
func (r crdRace) note() string {
	return fmt.Sprintf("CRD race on first install, retried: Helm created a %s (%s) before the API server served the chart's new CRD; install remediation retried and the release is Ready", r.Kind, r.Version)
}

// notReady is the result for a HelmRelease that is not Ready because of
// the race: transient while helm-controller still has install retries.
func (r crdRace) notReady(hr *helmv2.HelmRelease, id string, ready *metav1.Condition, reconcile string) Result {
	fix, retrying := r.fix(hr, reconcile)
	// The message is long (Helm names the object first): say the cause.
	res := fail(fmt.Sprintf("HelmRelease %s is not Ready (%s): no matches for kind %q in version %q, a CRD race on first install", id, ready.Reason, r.Kind, r.Version), fix, nil)
	res.transient = retrying
	return res
}

// fix explains a HelmRelease that is not Ready because of the race, and
// says whether helm-controller will retry.
func (r crdRace) fix(hr *helmv2.HelmRelease, reconcile string) (string, bool) {
	retries := 0
	if hr.Spec.Install != nil && hr.Spec.Install.Remediation != nil {
		retries = hr.Spec.Install.Remediation.Retries
	}
	if retries == 0 {
		return fmt.Sprintf("CRD race on first install: Helm created a %s (%s) before the API server served the chart's new CRD. The HelmRelease has no install retries: set spec.install.remediation.retries (hubfleet renders 3), then %s", r.Kind, r.Version, reconcile), false
	}
	if hr.Status.InstallFailures <= int64(retries) {
		return fmt.Sprintf("CRD race on first install: Helm created a %s (%s) before the API server served the chart's new CRD. helm-controller retries the install (%d of %d failures so far): wait (hubfleet verify --wait), or %s", r.Kind, r.Version, hr.Status.InstallFailures, retries, reconcile), true
	}
	return fmt.Sprintf("CRD race on first install, and the %d install retries are used up: check the CRD %s is established (kubectl get crd; kubectl api-resources | grep %s), then flux reconcile helmrelease %s -n %s --force",
		retries, r.Version, r.Kind, hr.Name, hr.Namespace), false
}
