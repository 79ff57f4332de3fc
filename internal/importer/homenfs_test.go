package importer

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubfleet/hubfleet/internal/site"
)

// TestImportCarriesTheHomeDisksCloud: 2i2c's basehub turns
// jupyterhub-home-nfs's eks.enabled (gke.enabled) on from the cluster's
// provider (values.jsonnet), outside the hub's files; without it the chart
// makes no PersistentVolume on the disk the values name. Import carries it,
// reported as derived, only where the values name the disk and do not say
// enabled themselves, and only for a provider it maps.
func TestImportCarriesTheHomeDisksCloud(t *testing.T) {
	t.Parallel()
	hub := "jupyterhub:\n  hub:\n    config:\n      JupyterHub: {authenticator_class: dummy}\n  ingress: {enabled: true, hosts: [hub.example.org]}\n"
	for _, tc := range []struct {
		name, provider, nfs string
		want                map[string]any // the release's eks/gke block; nil: no release
		derived             string         // the derived item's path, "" none
	}{
		{"aws, a disk", "aws", "jupyterhub-home-nfs:\n  eks: {volumeId: vol-0123}\n",
			map[string]any{"eks": map[string]any{"enabled": true, "volumeId": "vol-0123"}}, "spec.releases[jupyterhub-home-nfs].values.eks.enabled"},
		{"gcp, a disk", "gcp", "jupyterhub-home-nfs:\n  gke: {volumeId: projects/p/zones/z/disks/d}\n",
			map[string]any{"gke": map[string]any{"enabled": true, "volumeId": "projects/p/zones/z/disks/d"}}, "spec.releases[jupyterhub-home-nfs].values.gke.enabled"},
		{"aws, said by the values", "aws", "jupyterhub-home-nfs:\n  eks: {enabled: false, volumeId: vol-0123}\n",
			map[string]any{"eks": map[string]any{"enabled": false, "volumeId": "vol-0123"}}, ""},
		{"aws, no disk named", "aws", "jupyterhub-home-nfs:\n  quotaEnforcer: {config: {QuotaManager: {hard_quota: 10}}}\n",
			map[string]any{"quotaEnforcer": map[string]any{"config": map[string]any{"QuotaManager": map[string]any{"hard_quota": 10}}}}, ""},
		{"no cluster file", "", "jupyterhub-home-nfs:\n  eks: {volumeId: vol-0123}\n",
			map[string]any{"eks": map[string]any{"volumeId": "vol-0123"}}, ""},
		{"a provider it does not map", "azure", "jupyterhub-home-nfs:\n  eks: {volumeId: vol-0123}\n",
			map[string]any{"eks": map[string]any{"volumeId": "vol-0123"}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o := Options{Name: "x", Provider: tc.provider, AgeRecipient: testRecipient, TLSMode: site.TLSCertManager, ClusterIssuer: "letsencrypt-prod"}
			s, rep, err := Import(map[string][]byte{"v.yaml": []byte(hub + tc.nfs)}, []string{"v.yaml"}, o)
			if err != nil {
				t.Fatal(err)
			}
			var got map[string]any
			for _, r := range s.Spec.Releases {
				if r.Name == "jupyterhub-home-nfs" {
					got = r.Values
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("release values (-want +got):\n%s", diff)
			}
			var derived []string
			for _, it := range rep.Items {
				if it.Action == Derived {
					derived = append(derived, it.Path)
					if !strings.Contains(it.Note, "2i2c's basehub sets it from the cluster's provider ("+tc.provider+", in the cluster file") {
						t.Errorf("derived %s without basehub's reason: %s", it.Path, it.Note)
					}
				}
			}
			if want := tc.derived; (want == "" && len(derived) > 0) || (want != "" && (len(derived) != 1 || derived[0] != want)) {
				t.Errorf("derived items %v, want %q", derived, want)
			}
		})
	}
}

// TestImportDerivedDiskCloudIsNoLeaf: the carried enabled is reported once,
// as derived, not also as a kept leaf of the input.
func TestImportDerivedDiskCloudIsNoLeaf(t *testing.T) {
	t.Parallel()
	in := "jupyterhub:\n  hub:\n    config:\n      JupyterHub: {authenticator_class: dummy}\n  ingress: {enabled: true, hosts: [hub.example.org]}\njupyterhub-home-nfs:\n  eks: {volumeId: vol-0123}\n"
	o := Options{Name: "x", Provider: "aws", AgeRecipient: testRecipient, TLSMode: site.TLSCertManager, ClusterIssuer: "letsencrypt-prod"}
	_, rep, err := Import(map[string][]byte{"v.yaml": []byte(in)}, []string{"v.yaml"}, o)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range rep.Items {
		if strings.Contains(it.Path, "eks.enabled") && it.Action != Derived {
			t.Errorf("%s reported %s: it is no leaf of the input", it.Path, it.Action)
		}
	}
}
