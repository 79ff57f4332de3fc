package site

// APIVersion is the apiVersion of hubfleet's own configuration kinds.
const APIVersion = "hubfleet.dev/v1alpha1"

// Kinds of hubfleet configuration files.
const (
	KindSite  = "Site"
	KindFleet = "Fleet"
)

// LocalConfigAnnotation makes kustomize (and so Flux) skip a file.
const LocalConfigAnnotation = "config.kubernetes.io/local-config"

// ObjectMeta is the subset of Kubernetes object metadata a site file carries.
type ObjectMeta struct {
	Name        string            `yaml:"name"`
	Labels      map[string]string `yaml:"labels,omitempty"`
	Annotations map[string]string `yaml:"annotations,omitempty"`
}

// Site is one DaskHub deployment, as written in clusters/<site>/site.yaml.
type Site struct {
	APIVersion string     `yaml:"apiVersion"`
	Kind       string     `yaml:"kind"`
	Metadata   ObjectMeta `yaml:"metadata"`
	Spec       Spec       `yaml:"spec"`

	// File is the path the site was read from, relative to the fleet root.
	File string `yaml:"-"`
	// Lines maps a field path (for example "spec.auth.clientID") to the line
	// it was written on; used to point errors at the file.
	Lines map[string]int `yaml:"-"`
	// Invalid are the fields that failed to decode (their values are
	// zero); Validate skips the checks that need them.
	Invalid map[string]bool `yaml:"-"`

	guard *secretScan // the secret guard's scan of the file (secretguard.go)
}

// Spec is what an operator states about a site.
type Spec struct {
	// Wave orders rollouts: wave 0 upgrades first.
	Wave int `yaml:"wave,omitempty"`
	// Namespace the hub runs in; defaults to "daskhub".
	Namespace string `yaml:"namespace,omitempty"`
	// Kubernetes describes the site's cluster.
	Kubernetes Kubernetes `yaml:"kubernetes,omitempty"`
	// Host is the public DNS name of the hub.
	Host string `yaml:"host"`
	// BaseURL serves the hub under a path prefix, e.g. /jupyterhub/.
	BaseURL string `yaml:"baseURL,omitempty"`
	// TLS says how HTTPS is terminated.
	TLS TLS `yaml:"tls"`
	// Auth says how users log in.
	Auth Auth `yaml:"auth"`
	// Singleuser is the users' notebook server.
	Singleuser Singleuser `yaml:"singleuser,omitempty"`
	// DaskGateway configures Dask clusters through dask-gateway.
	DaskGateway DaskGateway `yaml:"daskGateway,omitempty"`
	// DaskKubernetes lets users create Dask clusters themselves with
	// dask-kubernetes instead of dask-gateway (umbrella chart only).
	DaskKubernetes bool `yaml:"daskKubernetes,omitempty"`
	// Placement pins pods to node pools.
	Placement Placement `yaml:"placement,omitempty"`
	// Chart selects how the hub is installed.
	Chart ChartSelection `yaml:"chart,omitempty"`
	// Secrets is how this site's secrets are encrypted.
	Secrets SiteSecrets `yaml:"secrets,omitempty"`
	// Probe configures `hubfleet verify --spawn` (probe.go).
	Probe *Probe `yaml:"probe,omitempty"`
	// Values are free-form chart values in the daskhub layout
	// (jupyterhub.*, dask-gateway.*), merged last.
	Values map[string]any `yaml:"values,omitempty"`
	// Releases are sibling charts installed beside the hub (releases.go).
	Releases []SiblingRelease `yaml:"releases,omitempty"`
	// Overrides set hubfleet-owned values, each with a reason (overrides.go).
	Overrides []Override `yaml:"overrides,omitempty"`
}

// SiteSecrets is how a site's secrets are encrypted in git.
type SiteSecrets struct {
	// AgeRecipient is the public age key of the site's cluster; Flux
	// decrypts with its private half (Secret sops-age in flux-system).
	AgeRecipient string `yaml:"ageRecipient,omitempty"`

	// --- secret channels and marks (secretrefs.go) ---

	// Values are chart values and environment variables read from
	// secrets, keyed by the secret's key (hubfleet secret set --key KEY).
	Values map[string]SecretValue `yaml:"values,omitempty"`
	// NotSecret marks values the secret guard refuses but that are not
	// secret.
	NotSecret []NotSecret `yaml:"notSecret,omitempty"`
}

// Kubernetes describes the cluster a site runs on.
type Kubernetes struct {
	// Version is the cluster's Kubernetes version (e.g. "1.30.4"); charts
	// are checked against it. Defaults to the fleet's.
	Version string `yaml:"version,omitempty"`
	// Context is the kubeconfig context the verifier uses; defaults to the
	// site name.
	Context string `yaml:"context,omitempty"`
	// Provider names the infrastructure, for hints: openstack, aws, azure, other.
	Provider string `yaml:"provider,omitempty"`
}

// TLS modes.
const (
	TLSCertManager = "cert-manager"
	TLSAutoHTTPS   = "autohttps"
	TLSSecret      = "secret"
)

// TLS says how HTTPS is terminated for the hub.
type TLS struct {
	// Mode is cert-manager (ingress + ClusterIssuer), autohttps (z2jh's
	// Traefik with Let's Encrypt) or secret (an existing TLS Secret).
	Mode string `yaml:"mode"`
	// ClusterIssuer is cert-manager's issuer, for mode cert-manager.
	ClusterIssuer string `yaml:"clusterIssuer,omitempty"`
	// IngressClass is the ingress class, for modes cert-manager and secret.
	IngressClass string `yaml:"ingressClass,omitempty"`
	// ContactEmail is the Let's Encrypt account, for mode autohttps.
	ContactEmail string `yaml:"contactEmail,omitempty"`
	// Staging uses Let's Encrypt's staging endpoint (mode autohttps).
	Staging bool `yaml:"staging,omitempty"`
	// SecretName is the TLS Secret: mode secret, or the cert-manager
	// target (defaults to <host with dots as dashes>-tls).
	SecretName string `yaml:"secretName,omitempty"`
}

// Auth providers.
const (
	AuthEGICheckin = "egi-checkin"
	AuthCognito    = "cognito"
	AuthAzureAD    = "azuread"
	AuthOIDC       = "oidc"
	AuthNative     = "native"
)

// Auth says how users log in to the hub.
type Auth struct {
	// Provider is egi-checkin, cognito, azuread, oidc or native.
	Provider string `yaml:"provider"`
	// ClientID is the OAuth client id registered with the provider (not secret).
	ClientID string `yaml:"clientID,omitempty"`
	// ClientSecret says where the OAuth client secret comes from; it is
	// never written here in plain text.
	ClientSecret SecretSource `yaml:"clientSecret,omitempty"`
	// Admins are JupyterHub admin users.
	Admins []string `yaml:"admins,omitempty"`
	// AllowedUsers may log in in addition to allowed groups.
	AllowedUsers []string `yaml:"allowedUsers,omitempty"`
	// AllowAll lets every user the provider authenticates log in; for
	// providers that already restrict users (a single Azure AD tenant, a
	// Cognito user pool).
	AllowAll bool `yaml:"allowAll,omitempty"`

	// --- access and providers of real hubs (authkinds.go) ---

	// Class is the authenticator class (or entry point) of provider
	// custom, e.g. mymodule.MyAuthenticator; its settings pass through
	// spec.values under jupyterhub.hub.config.<Class>.
	Class string `yaml:"class,omitempty"`
	// BlockedUsers may not log in even if otherwise allowed.
	BlockedUsers []string `yaml:"blockedUsers,omitempty"`
	// AllowedGroups and AdminGroups gate login and admin by the
	// provider's groups (providers with groups: generic-oauth, gitlab,
	// google, cilogon, auth0).
	AllowedGroups []string `yaml:"allowedGroups,omitempty"`
	AdminGroups   []string `yaml:"adminGroups,omitempty"`
	// AllowExistingUsers lets users already in the hub's database log in
	// (OAuthenticator >= 16); unset keeps the authenticator's default.
	AllowExistingUsers *bool `yaml:"allowExistingUsers,omitempty"`
	// Groups is how the authenticator manages JupyterHub groups.
	Groups *GroupManagement `yaml:"groups,omitempty"`

	GitHub       *GitHub       `yaml:"github,omitempty"`
	CILogon      *CILogon      `yaml:"cilogon,omitempty"`
	Google       *Google       `yaml:"google,omitempty"`
	GitLab       *GitLab       `yaml:"gitlab,omitempty"`
	Auth0        *Auth0        `yaml:"auth0,omitempty"`
	GenericOAuth *GenericOAuth `yaml:"genericOAuth,omitempty"`

	EGICheckin *EGICheckin `yaml:"egiCheckin,omitempty"`
	Cognito    *Cognito    `yaml:"cognito,omitempty"`
	AzureAD    *AzureAD    `yaml:"azureAD,omitempty"`
	OIDC       *OIDC       `yaml:"oidc,omitempty"`
	Native     *Native     `yaml:"native,omitempty"`
}

// SecretSource says where a secret value comes from.
type SecretSource struct {
	// SOPS (the default) reads the value from the SOPS-encrypted Secret
	// that `hubfleet secret set` writes into the site's overlay.
	SOPS bool `yaml:"sops,omitempty"`
	// ExternalSecret reads the value through External Secrets Operator.
	ExternalSecret *ExternalSecretRef `yaml:"externalSecret,omitempty"`
}

// ExternalSecretRef points at a value in an External Secrets store.
type ExternalSecretRef struct {
	// Store is the name of the ClusterSecretStore (or SecretStore).
	Store string `yaml:"store"`
	// StoreKind is ClusterSecretStore (default) or SecretStore.
	StoreKind string `yaml:"storeKind,omitempty"`
	// Key is the remote key.
	Key string `yaml:"key"`
	// Property is the remote property, if the key holds a map.
	Property string `yaml:"property,omitempty"`
}

// EGI Check-in instances.
const (
	EGIProd = "prod"
	EGIDemo = "demo"
	EGIDev  = "dev"
)

// EGICheckin is EGI's Keycloak-based Check-in.
type EGICheckin struct {
	// Instance is prod (aai.egi.eu), demo (aai-demo.egi.eu) or dev (aai-dev.egi.eu).
	Instance string `yaml:"instance"`
	// VO is the virtual organisation whose members may log in, e.g. vo.pangeo.eu.
	VO string `yaml:"vo"`
	// Role in the VO; defaults to member.
	Role string `yaml:"role,omitempty"`
}

// Cognito is an AWS Cognito user pool.
type Cognito struct {
	Region     string `yaml:"region"`
	UserPoolID string `yaml:"userPoolID"`
	// Domain is the user-pool domain prefix (<domain>.auth.<region>.amazoncognito.com).
	Domain string `yaml:"domain"`
	// AllowedGroups are Cognito groups (from the ID token) that may log in.
	AllowedGroups []string `yaml:"allowedGroups,omitempty"`
	// AdminGroups are Cognito groups whose members are hub admins.
	AdminGroups []string `yaml:"adminGroups,omitempty"`
}

// AzureAD is a Microsoft Entra ID (Azure AD) tenant.
type AzureAD struct {
	// TenantID is the directory (tenant) id; "common" is refused.
	TenantID string `yaml:"tenantID"`
	// AllowedGroups are group object ids that may log in.
	AllowedGroups []string `yaml:"allowedGroups,omitempty"`
}

// OIDC is any OpenID Connect provider.
type OIDC struct {
	// Issuer is the issuer URL exactly as the provider's discovery states it.
	Issuer string `yaml:"issuer"`
	// AuthorizeURL, TokenURL and UserdataURL default to <issuer>/authorize etc.
	AuthorizeURL string   `yaml:"authorizeURL,omitempty"`
	TokenURL     string   `yaml:"tokenURL,omitempty"`
	UserdataURL  string   `yaml:"userdataURL,omitempty"`
	Scopes       []string `yaml:"scopes,omitempty"`
	// UsernameClaim defaults to preferred_username.
	UsernameClaim string `yaml:"usernameClaim,omitempty"`
	// GroupsClaim is the userinfo claim holding groups.
	GroupsClaim   string   `yaml:"groupsClaim,omitempty"`
	AllowedGroups []string `yaml:"allowedGroups,omitempty"`
	// LoginService is the button label.
	LoginService string `yaml:"loginService,omitempty"`
}

// Native is JupyterHub's NativeAuthenticator, for development hubs.
type Native struct {
	// OpenSignup lets anyone sign up without admin approval.
	OpenSignup bool `yaml:"openSignup,omitempty"`
}

// Singleuser is the user's notebook server.
type Singleuser struct {
	// Image is a full image reference with a tag, e.g. pangeo/pangeo-notebook:2024.01.15.
	Image string `yaml:"image,omitempty"`
	// CPU in cores.
	CPU CPU `yaml:"cpu,omitempty"`
	// Memory as a JupyterHub byte specification (number + K/M/G/T, binary).
	Memory Memory `yaml:"memory,omitempty"`
	// Storage is the home directory volume.
	Storage Storage `yaml:"storage,omitempty"`
	// DefaultURL is the page users land on; defaults to /lab.
	DefaultURL string `yaml:"defaultURL,omitempty"`
	// StartTimeout in seconds.
	StartTimeout int `yaml:"startTimeout,omitempty"`
	// Profiles offer several server sizes (and GPUs) to choose from.
	Profiles []Profile `yaml:"profiles,omitempty"`
}

// CPU is a guarantee and a limit in cores.
type CPU struct {
	Guarantee float64 `yaml:"guarantee,omitempty"`
	Limit     float64 `yaml:"limit,omitempty"`
}

// Memory is a guarantee and a limit as JupyterHub byte specifications.
type Memory struct {
	Guarantee string `yaml:"guarantee,omitempty"`
	Limit     string `yaml:"limit,omitempty"`
}

// Storage types.
const (
	StorageDynamic = "dynamic"
	StorageStatic  = "static"
	StorageNone    = "none"
	StorageNFS     = "nfs"
)

// Storage is the users' home volume.
type Storage struct {
	// Type is dynamic (a PVC per user), static (one shared PVC) or none.
	Type string `yaml:"type,omitempty"`
	// Capacity is a Kubernetes quantity, e.g. 10Gi (dynamic).
	Capacity string `yaml:"capacity,omitempty"`
	// StorageClass for dynamic volumes.
	StorageClass string `yaml:"storageClass,omitempty"`
	// ClaimName is the shared PVC for static storage (e.g. an EFS claim).
	ClaimName string `yaml:"claimName,omitempty"`
	// SubPath inside a static claim or NFS export; defaults to
	// home/{username} (static) and {escaped_username} (nfs).
	SubPath string `yaml:"subPath,omitempty"`
	// NFS is the NFS export of storage type nfs.
	NFS *NFSHome `yaml:"nfs,omitempty"`
}

// Profile is one entry of the server options form.
type Profile struct {
	Name        string `yaml:"name"`
	Slug        string `yaml:"slug,omitempty"`
	Description string `yaml:"description,omitempty"`
	Default     bool   `yaml:"default,omitempty"`
	Image       string `yaml:"image,omitempty"`
	CPU         CPU    `yaml:"cpu,omitempty"`
	Memory      Memory `yaml:"memory,omitempty"`
	// GPUs requests nvidia.com/gpu.
	GPUs         int               `yaml:"gpus,omitempty"`
	NodeSelector map[string]string `yaml:"nodeSelector,omitempty"`
	Tolerations  []Toleration      `yaml:"tolerations,omitempty"`

	// --- KubeSpawner's profile features (profiles.go) ---

	// Override is the rest of what the profile sets on the user's server
	// (KubeSpawner's kubespawner_override), merged over the fields above.
	Override *SpawnerOverride `yaml:"override,omitempty"`
	// AllowedGroups offers the profile only to members of these groups
	// (allowed_groups). 2i2c's basehub reads it; KubeSpawner does not.
	AllowedGroups []string `yaml:"allowedGroups,omitempty"`
	// Options are choices the user makes inside the profile
	// (profile_options), such as an image or a machine size.
	Options []ProfileOption `yaml:"options,omitempty"`
}

// DaskGateway configures dask-gateway.
type DaskGateway struct {
	// Enabled defaults to true; false (with daskKubernetes) drops dask-gateway.
	Enabled *bool `yaml:"enabled,omitempty"`
	// Limits bound each Dask cluster.
	Limits ClusterLimits `yaml:"limits,omitempty"`
	// WorkerOptions are what users may pick for their workers.
	WorkerOptions WorkerOptions `yaml:"workerOptions,omitempty"`
}

// ClusterLimits bound one user's Dask cluster.
type ClusterLimits struct {
	MaxCores float64 `yaml:"maxCores,omitempty"`
	// MaxMemory is a dask-gateway memory limit (number + K/M/G/T, binary).
	MaxMemory  string `yaml:"maxMemory,omitempty"`
	MaxWorkers int    `yaml:"maxWorkers,omitempty"`
	// IdleTimeout in seconds shuts idle clusters down.
	IdleTimeout int `yaml:"idleTimeout,omitempty"`
}

// WorkerOptions are the cluster options form of dask-gateway.
type WorkerOptions struct {
	Cores Range `yaml:"cores,omitempty"`
	// MemoryGiB is the worker memory in GiB.
	MemoryGiB Range `yaml:"memoryGiB,omitempty"`
	// Images users may choose; the first is the default. Defaults to the
	// singleuser image. "*" allows any tagged image.
	Images []string `yaml:"images,omitempty"`
}

// Range is a default with inclusive bounds.
type Range struct {
	Default float64 `yaml:"default,omitempty"`
	Min     float64 `yaml:"min,omitempty"`
	Max     float64 `yaml:"max,omitempty"`
}

// Placement pins pods to node pools.
type Placement struct {
	// Core pins the hub, proxy and other core pods.
	Core *Pool `yaml:"core,omitempty"`
	// User pins user notebook pods (and dask schedulers).
	User *Pool `yaml:"user,omitempty"`
	// Worker pins dask workers.
	Worker *Pool `yaml:"worker,omitempty"`
}

// Pool selects nodes.
type Pool struct {
	NodeSelector map[string]string `yaml:"nodeSelector,omitempty"`
	Tolerations  []Toleration      `yaml:"tolerations,omitempty"`
}

// Toleration is a Kubernetes toleration.
type Toleration struct {
	Key      string `yaml:"key,omitempty"`
	Operator string `yaml:"operator,omitempty"`
	Value    string `yaml:"value,omitempty"`
	Effect   string `yaml:"effect,omitempty"`
}

// Chart modes.
const (
	// ModeDaskHub installs the daskhub umbrella chart as one release.
	ModeDaskHub = "daskhub"
	// ModeComposed installs jupyterhub and dask-gateway as two releases.
	ModeComposed = "composed"
)

// ChartSelection chooses how a site installs DaskHub.
type ChartSelection struct {
	// Mode is daskhub, composed or umbrella; defaults to the fleet's
	// (umbrella when Umbrella is set).
	Mode string `yaml:"mode,omitempty"`
	// Umbrella names the fleet's operator umbrella chart the site runs
	// (spec.charts.umbrellas), e.g. basehub.
	Umbrella string `yaml:"umbrella,omitempty"`
	// UmbrellaValues are values of that umbrella chart at its own paths,
	// outside the paths where it passes values to jupyterhub and
	// dask-gateway (e.g. basehub.nfs, basehub.binderhub-service): its own
	// features and subcharts, passed through unchanged and merged last
	// (fleetcharts.go).
	UmbrellaValues map[string]any `yaml:"umbrellaValues,omitempty"`
}

// GatewayEnabled reports whether dask-gateway is installed.
func (s *Spec) GatewayEnabled() bool {
	return s.DaskGateway.Enabled == nil || *s.DaskGateway.Enabled
}
