package site

import (
	"fmt"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// managedService is what a provider's managed Kubernetes offers.
type managedService struct {
	name string
	// newest is the newest minor the service had released by asOf.
	newest uint64
	// retired are the minors the service had stopped running by asOf,
	// with the date: past it, the service upgrades a cluster by itself,
	// so no cluster of the service still runs that minor.
	retired map[uint64]string
	// retiredBelow: every minor below it was retired before the dates
	// listed in retired.
	retiredBelow uint64
}

// kubeVersionsAsOf is the date of the table below.
const kubeVersionsAsOf = "2026-04"

// managedServices are the Kubernetes minors of each provider's managed
// service as of kubeVersionsAsOf. Sources: the providers' version
// calendars as summarised by endoflife.date (amazon-eks,
// google-kubernetes-engine; snapshots of 2026-02 to 2026-04) and the EKS
// user guide ("Understand the Kubernetes version lifecycle on EKS": 14
// months of standard and 12 of extended support, then an automatic
// upgrade). GKE upgrades a minor at the end of its maintenance support.
// AKS keeps clusters past the end of community support on "platform
// support", and an LTS minor for two years, so no AKS minor is listed as
// retired. OpenStack (Magnum, Cluster API) and other clouds run whatever
// their images carry: they have no table. Update the table, and its date,
// as services release and retire versions.
var managedServices = map[string]managedService{
	"aws": {name: "Amazon EKS", newest: 35, retiredBelow: 28, retired: map[uint64]string{
		// End of extended support.
		28: "2025-11-26",
	}},
	"gcp": {name: "Google GKE", newest: 35, retiredBelow: 28, retired: map[uint64]string{
		// End of maintenance support.
		28: "2025-02-04", 29: "2025-04-12", 30: "2025-09-30", 31: "2026-01-16",
	}},
	"azure": {name: "Azure AKS", newest: 35},
}

// checkProviderKubeVersion checks a site's Kubernetes version against the
// versions its provider's managed service runs (managedServices). A minor
// the service no longer runs is an error: the service has upgraded the
// cluster, so charts would be checked against the wrong version. A minor
// newer than the service is known to offer is a warning, since the table
// may be behind.
func checkProviderKubeVersion(r *reporter, s *Site, f *Fleet) {
	svc, ok := managedServices[s.Spec.Kubernetes.Provider]
	if !ok {
		return
	}
	v := KubeVersionOf(s, f)
	ver, err := semver.StrictNewVersion(strings.TrimPrefix(v, "v"))
	if err != nil || ver.Major() != 1 || ver.Minor() > NewestKubernetesMinor+3 || ver.Minor() < oldestKubernetesMinor {
		return // reported by checkKubeVersion
	}
	field := "spec.kubernetes.version"
	if s.Spec.Kubernetes.Version == "" {
		field = "spec.kubernetes"
	}
	notThis := fmt.Sprintf("; if the cluster is not %s (kOps or kubeadm on the provider's machines, say), set spec.kubernetes.provider: other", svc.name)
	minor := ver.Minor()
	switch date, retired := svc.retired[minor]; {
	case retired || minor < svc.retiredBelow:
		when := "by " + svc.retired[svc.retiredBelow]
		if retired {
			when = "on " + date
		}
		r.add(KindKubeVersion, field, "write the version `kubectl version` prints for the cluster"+notThis,
			"%s stopped running Kubernetes 1.%d %s and upgrades such clusters itself: the cluster no longer runs %s", svc.name, minor, when, v)
	case minor > svc.newest:
		r.warn(KindKubeVersion, field, fmt.Sprintf("write the version `kubectl version` prints for the cluster%s; if %s offers 1.%d now, hubfleet's table (as of %s) is behind", notThis, svc.name, minor, kubeVersionsAsOf),
			"%s offered Kubernetes up to 1.%d as of %s, not %s", svc.name, svc.newest, kubeVersionsAsOf, v)
	}
}
