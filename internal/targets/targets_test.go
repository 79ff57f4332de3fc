package targets

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/verify"
)

func TestExampleSitesMapOntoTargets(t *testing.T) {
	t.Parallel()
	fl, err := fleet.LoadDir("../..")
	if err != nil {
		t.Fatal(err)
	}
	kubeconfig := []byte(`apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: "https://127.0.0.1:6443"}
users:
- name: u
  user: {token: not-a-real-token}
contexts:
- name: pangeo-azure
  context: {cluster: c, user: u}
`)
	got, warnings, err := For(fl, nil, Kubeconfig{Data: kubeconfig})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(fl.Sites) {
		t.Fatalf("%d targets for %d sites", len(got), len(fl.Sites))
	}
	// Every site but pangeo-azure lacks a context in that kubeconfig.
	if len(warnings) != len(fl.Sites)-1 {
		t.Errorf("warnings = %v", warnings)
	}
	bySite := map[string]verify.Target{}
	for _, tg := range got {
		bySite[tg.Site] = tg
	}
	if bySite["pangeo-azure"].Kube == nil || bySite["pangeo-azure"].Kube.Host != "https://127.0.0.1:6443" {
		t.Error("pangeo-azure did not get its kubeconfig context")
	}
	want := map[string]verify.Target{
		"heliocloud-aws": {
			Site: "heliocloud-aws", Host: "daskhub.aplscicloud.org", TLS: verify.TLSAutoHTTPS, Exposure: verify.ExposureLoadBalancer,
			Namespace: "daskhub", JupyterHubVersion: "5.5.0", DaskGateway: true, KubeContext: "heliocloud-aws",
			Releases: []verify.Release{{Name: "jupyterhub", ChartVersion: "4.4.0"}, {Name: "dask-gateway", ChartVersion: "2026.3.0"}},
			Auth: verify.Auth{Provider: verify.ProviderCognito, Issuer: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_HelioCl0ud",
				ClientID: "5hq2heliocloudexampleid", AuthorizeHost: "heliocloud-daskhub.auth.us-east-1.amazoncognito.com"},
		},
		"egi-cesnet": {
			Site: "egi-cesnet", Host: "pangeo-cesnet.vm.fedcloud.eu", BaseURL: "/jupyterhub/", TLS: verify.TLSCertManager, Exposure: verify.ExposureIngress,
			Namespace: "daskhub", JupyterHubVersion: "4.0.2", DaskGateway: false, KubeContext: "egi-cesnet",
			Releases: []verify.Release{{Name: "daskhub", ChartVersion: "2024.1.1"}},
			Auth: verify.Auth{Provider: verify.ProviderEGICheckin, Issuer: "https://aai-dev.egi.eu/auth/realms/egi",
				ClientID: "pangeo-cesnet-client", AuthorizeHost: "aai-dev.egi.eu"},
		},
	}
	for name, w := range want {
		if diff := cmp.Diff(w, bySite[name], cmpopts.IgnoreFields(verify.Target{}, "Kube", "KubeSkipped")); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
	// Sites without a context say why, for verify's unknown result.
	if why := bySite["egi-cesnet"].KubeSkipped; !strings.HasPrefix(why, `no kube context "egi-cesnet": `) {
		t.Errorf("egi-cesnet KubeSkipped = %q", why)
	}
	if why := bySite["pangeo-azure"].KubeSkipped; why != "" {
		t.Errorf("pangeo-azure has a context, but KubeSkipped = %q", why)
	}
	// --context points every site at one context; --no-kube skips them all.
	ctxd, _, err := For(fl, []string{"egi-cesnet"}, Kubeconfig{Data: kubeconfig, Context: "pangeo-azure"})
	if err != nil || ctxd[0].Kube == nil || ctxd[0].KubeContext != "pangeo-azure" || ctxd[0].KubeSkipped != "" {
		t.Errorf("--context: %+v, %v", ctxd, err)
	}
	skipped, _, err := For(fl, []string{"egi-cesnet"}, Kubeconfig{Skip: true})
	if err != nil || skipped[0].Kube != nil || !strings.Contains(skipped[0].KubeSkipped, "--no-kube") {
		t.Errorf("--no-kube: %+v, %v", skipped, err)
	}
	if _, _, err := For(fl, []string{"nope"}, Kubeconfig{Skip: true}); err == nil {
		t.Error("an unknown site was accepted")
	}
}
