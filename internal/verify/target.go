package verify

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"k8s.io/client-go/rest"
)

// TLSMode says how a site gets its certificate.
type TLSMode string

const (
	// TLSCertManager is an Ingress whose certificate cert-manager issues.
	TLSCertManager TLSMode = "cert-manager"
	// TLSAutoHTTPS is z2jh's autohttps pod (Traefik with ACME).
	TLSAutoHTTPS TLSMode = "autohttps"
	// TLSSecret is a certificate from an existing Secret.
	TLSSecret TLSMode = "secret"
)

// Exposure says how proxy-public is reachable.
type Exposure string

const (
	// ExposureLoadBalancer is a proxy-public Service of type LoadBalancer.
	ExposureLoadBalancer Exposure = "LoadBalancer"
	// ExposureIngress is a ClusterIP proxy-public behind an Ingress for the host.
	ExposureIngress Exposure = "Ingress"
)

// Provider is the kind of identity provider a hub authenticates against.
type Provider string

const (
	ProviderEGICheckin  Provider = "egi-checkin"
	ProviderCognito     Provider = "cognito"
	ProviderAzureAD     Provider = "azuread"
	ProviderGenericOIDC Provider = "generic-oidc"
	// ProviderNative is JupyterHub's own authenticator: no OIDC checks run.
	ProviderNative Provider = "native"
)

// Release is a HelmRelease and the chart version just rendered for it.
type Release struct {
	Name         string `json:"name"`
	ChartVersion string `json:"chartVersion"`
}

// Auth is what the hub's authenticator is configured with.
type Auth struct {
	Provider Provider `json:"provider"`
	// Issuer is the configured OIDC issuer, compared exactly (trailing
	// slash included) with the discovery document's issuer.
	Issuer   string `json:"issuer,omitempty"`
	ClientID string `json:"clientID,omitempty"`
	// AuthorizeHost, when set, is the host the hub must send users to
	// (Cognito: the user-pool domain, not the cognito-idp issuer host).
	AuthorizeHost string `json:"authorizeHost,omitempty"`
}

// Target is one site to verify, independent of how the fleet describes it.
type Target struct {
	Site string `json:"site"`
	// Host is the public DNS name of the hub.
	Host string `json:"host"`
	// BaseURL is z2jh's hub.baseUrl ("/" or "/prefix/"); empty means "/".
	BaseURL   string   `json:"baseURL,omitempty"`
	TLS       TLSMode  `json:"tls"`
	Exposure  Exposure `json:"exposure"`
	Namespace string   `json:"namespace"`
	// Releases are the HelmReleases (in Namespace unless ReleaseNamespace
	// is set) and the chart versions just rendered for them.
	Releases         []Release `json:"releases,omitempty"`
	ReleaseNamespace string    `json:"releaseNamespace,omitempty"`
	// JupyterHubVersion is the JupyterHub version the chart ships.
	JupyterHubVersion string `json:"jupyterhubVersion,omitempty"`
	// HubImage is the hub image the site's values set instead of the
	// chart's (hub.image); its JupyterHub need not be JupyterHubVersion,
	// so a difference is a warning naming it, not a failure.
	HubImage string `json:"hubImage,omitempty"`
	// OwnChart is the operator's umbrella chart the site runs (2i2c's
	// basehub), "" for hubfleet's charts: its own values may set a hub
	// image hubfleet does not see, so a JupyterHub other than
	// JupyterHubVersion is a warning naming the chart, not a failure.
	OwnChart    string `json:"ownChart,omitempty"`
	DaskGateway bool   `json:"daskGateway"`
	Auth        Auth   `json:"auth"`
	// ExpectedAddresses are used by the DNS check when Kube is nil
	// (no cluster access): the LoadBalancer or Ingress IPs or hostnames.
	ExpectedAddresses []string `json:"expectedAddresses,omitempty"`
	// KubeContext names the kubeconfig context Kube was built from; it is
	// only shown in results.
	KubeContext string `json:"kubeContext,omitempty"`
	// Kube is the cluster's client config; nil skips the Kubernetes checks.
	Kube *rest.Config `json:"-"`
	// KubeSkipped says why Kube is nil ("no kube context ...", "--no-kube");
	// the site then gets an unknown "kubernetes" result saying so.
	KubeSkipped string `json:"kubeSkipped,omitempty"`
	// Probe, when set, runs the spawn probe (probe.go) after the checks.
	Probe *Probe `json:"probe,omitempty"`
	// ProbeSkipped says why a site asked to be probed has no Probe; the
	// site then gets an unknown "spawn" result saying so.
	ProbeSkipped string `json:"probeSkipped,omitempty"`
}

// URL returns https://<host><baseUrl><path> for a path below the base URL
// such as "hub/health".
func (t Target) URL(path string) string {
	return "https://" + t.Host + t.basePath() + strings.TrimPrefix(path, "/")
}

// CallbackURL is the only redirect_uri the identity provider should accept.
func (t Target) CallbackURL() string { return t.URL("hub/oauth_callback") }

func (t Target) basePath() string {
	b := strings.Trim(t.BaseURL, "/")
	if b == "" {
		return "/"
	}
	return "/" + b + "/"
}

func (t Target) releaseNamespace() string {
	if t.ReleaseNamespace != "" {
		return t.ReleaseNamespace
	}
	return t.Namespace
}

func (t Target) usesOIDC() bool {
	return t.Auth.Provider != "" && t.Auth.Provider != ProviderNative
}

// Validate reports every problem with the target that would make checks
// meaningless.
func (t Target) Validate() error {
	var errs []error
	if t.Site == "" {
		errs = append(errs, errors.New("site name is empty"))
	}
	if t.Host == "" || strings.ContainsAny(t.Host, "/:@ ") {
		errs = append(errs, fmt.Errorf("site %q: host %q is not a DNS name", t.Site, t.Host))
	}
	if t.Kube != nil && t.Namespace == "" {
		errs = append(errs, fmt.Errorf("site %q: namespace is empty", t.Site))
	}
	if p := t.Probe; p != nil {
		if p.User == "" || strings.ContainsAny(p.User, "/?#") {
			errs = append(errs, fmt.Errorf("site %q: probe user %q is not a user name", t.Site, p.User))
		}
		if p.Timeouts.Spawn <= 0 || p.Timeouts.Kernel <= 0 || p.Timeouts.Code <= 0 || p.Timeouts.Dask <= 0 || p.Timeouts.Stop <= 0 {
			errs = append(errs, fmt.Errorf("site %q: every probe timeout must be positive", t.Site))
		}
	}
	switch t.TLS {
	case TLSCertManager, TLSAutoHTTPS, TLSSecret:
	default:
		errs = append(errs, fmt.Errorf("site %q: unknown TLS mode %q", t.Site, t.TLS))
	}
	switch t.Exposure {
	case ExposureLoadBalancer, ExposureIngress:
	default:
		errs = append(errs, fmt.Errorf("site %q: unknown exposure %q", t.Site, t.Exposure))
	}
	switch t.Auth.Provider {
	case ProviderNative, "":
	case ProviderEGICheckin, ProviderCognito, ProviderAzureAD, ProviderGenericOIDC:
		if u, err := url.Parse(t.Auth.Issuer); err != nil || u.Scheme != "https" || u.Host == "" {
			errs = append(errs, fmt.Errorf("site %q: issuer %q is not an https URL", t.Site, t.Auth.Issuer))
		}
		if t.Auth.ClientID == "" {
			errs = append(errs, fmt.Errorf("site %q: client id is empty", t.Site))
		}
	default:
		errs = append(errs, fmt.Errorf("site %q: unknown auth provider %q", t.Site, t.Auth.Provider))
	}
	return errors.Join(errs...)
}
