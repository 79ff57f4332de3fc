package targets

import (
	"fmt"
	"slices"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/hubfleet/hubfleet/internal/catalog"
	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/site"
	"github.com/hubfleet/hubfleet/internal/values"
	"github.com/hubfleet/hubfleet/internal/verify"
)

// Kubeconfig says where the sites' cluster credentials come from.
type Kubeconfig struct {
	// Data is a kubeconfig (from a CI secret); it wins over Path.
	Data []byte
	// Path is a kubeconfig file; empty means the default loading rules
	// ($KUBECONFIG, ~/.kube/config).
	Path string
	// Skip leaves Target.Kube nil: only DNS, TLS, HTTP and OIDC checks run.
	Skip bool
	// Context, when set, is used for every site instead of its
	// spec.kubernetes.context (the --context flag).
	Context string
}

// For builds the verify targets of the named sites (all when only is
// empty). A site whose kubeconfig context cannot be loaded gets no
// Kubernetes client and the reason in the returned warnings.
func For(fl *fleet.Fleet, only []string, kc Kubeconfig) ([]verify.Target, []string, error) {
	var out []verify.Target
	var warnings []string
	for _, name := range only {
		if fl.Site(name) == nil {
			return nil, nil, fmt.Errorf("no site named %q", name)
		}
	}
	for _, s := range fl.Sites {
		if len(only) > 0 && !slices.Contains(only, s.Metadata.Name) {
			continue
		}
		t, err := Target(s, fl.Config)
		if err != nil {
			return nil, nil, err
		}
		if kc.Context != "" {
			t.KubeContext = kc.Context
		}
		if kc.Skip {
			t.KubeSkipped = "no cluster credentials (--no-kube, or no kubeconfig given)"
		} else {
			cfg, err := restConfig(kc, t.KubeContext)
			if err != nil {
				warnings = append(warnings, fmt.Sprintf("site %s: no Kubernetes checks: kubeconfig context %q: %v", t.Site, t.KubeContext, err))
				t.KubeSkipped = fmt.Sprintf("no kube context %q: %v", t.KubeContext, err)
			} else {
				t.Kube = cfg
			}
		}
		out = append(out, t)
	}
	return out, warnings, nil
}

// Target maps one site onto a verify.Target (without a Kubernetes client).
func Target(s *site.Site, f *site.Fleet) (verify.Target, error) {
	rels := values.Releases(s, f)
	umbrella := site.UmbrellaOf(s, f)
	t := verify.Target{
		Site:              s.Metadata.Name,
		Host:              s.Spec.Host,
		BaseURL:           s.Spec.BaseURL,
		TLS:               verify.TLSMode(s.Spec.TLS.Mode),
		Exposure:          verify.ExposureIngress,
		Namespace:         site.NamespaceOf(s, f),
		JupyterHubVersion: catalog.JupyterHub(site.JupyterHubChart(s, f).Version).JupyterHub,
		HubImage:          hubImage(rels, umbrella),
		OwnChart:          ownChart(umbrella),
		DaskGateway:       s.Spec.GatewayEnabled(),
		KubeContext:       site.ContextOf(s),
	}
	if s.Spec.TLS.Mode == site.TLSAutoHTTPS {
		t.Exposure = verify.ExposureLoadBalancer
	}
	for _, r := range rels {
		t.Releases = append(t.Releases, verify.Release{Name: r.Name, ChartVersion: r.Chart.Version})
	}
	a := &s.Spec.Auth
	t.Auth = verify.Auth{Issuer: values.Issuer(s), ClientID: a.ClientID}
	switch a.Provider {
	case site.AuthEGICheckin:
		t.Auth.Provider = verify.ProviderEGICheckin
		t.Auth.AuthorizeHost = values.EGIHost(a.EGICheckin.Instance)
	case site.AuthCognito:
		t.Auth.Provider = verify.ProviderCognito
		t.Auth.AuthorizeHost = fmt.Sprintf("%s.auth.%s.amazoncognito.com", a.Cognito.Domain, a.Cognito.Region)
	case site.AuthAzureAD:
		t.Auth.Provider = verify.ProviderAzureAD
		t.Auth.AuthorizeHost = "login.microsoftonline.com"
	case site.AuthOIDC:
		t.Auth.Provider = verify.ProviderGenericOIDC
	default:
		t.Auth.Provider = verify.ProviderNative
	}
	return t, t.Validate()
}

func restConfig(kc Kubeconfig, context string) (*rest.Config, error) {
	if len(kc.Data) > 0 {
		cfg, err := clientcmd.Load(kc.Data)
		if err != nil {
			return nil, err
		}
		return clientcmd.NewNonInteractiveClientConfig(*cfg, context, &clientcmd.ConfigOverrides{}, nil).ClientConfig()
	}
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if kc.Path != "" {
		rules.ExplicitPath = kc.Path
	}
	return clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: context}).ClientConfig()
}
