package site

// Fleet holds the fleet-wide defaults read from bases/daskhub/fleet.yaml.
type Fleet struct {
	APIVersion string     `yaml:"apiVersion"`
	Kind       string     `yaml:"kind"`
	Metadata   ObjectMeta `yaml:"metadata"`
	Spec       FleetSpec  `yaml:"spec"`

	File  string         `yaml:"-"`
	Lines map[string]int `yaml:"-"`
	// Invalid are the fields that failed to decode.
	Invalid map[string]bool `yaml:"-"`

	guard *secretScan // the secret guard's scan of the file (secretguard.go)
}

// FleetSpec is the policy shared by every site.
type FleetSpec struct {
	// Charts are the chart sources and version pins.
	Charts Charts `yaml:"charts"`
	// DefaultMode is the chart mode of sites that do not choose one.
	DefaultMode string `yaml:"defaultMode,omitempty"`
	// Namespace is the default namespace of a hub.
	Namespace string `yaml:"namespace,omitempty"`
	// KubernetesVersion is the default cluster version of a site.
	KubernetesVersion string `yaml:"kubernetesVersion,omitempty"`
	// HelmRelease is the HelmRelease policy.
	HelmRelease ReleasePolicy `yaml:"helmRelease,omitempty"`
	// Secrets is how secrets are encrypted.
	Secrets SecretsPolicy `yaml:"secrets,omitempty"`
	// Rollout is the upgrade policy.
	Rollout Rollout `yaml:"rollout,omitempty"`
	// Git is how the automation may change the repository.
	Git GitPolicy `yaml:"git,omitempty"`
	// Images is the fleet's image policy.
	Images ImagePolicy `yaml:"images,omitempty"`
	// Values are chart values for every site (daskhub layout), merged
	// before each site's own values.
	Values map[string]any `yaml:"values,omitempty"`
	// ChartFacts are the facts of chart versions hubfleet's catalog lacks.
	ChartFacts ChartFacts `yaml:"chartFacts,omitempty"`
}

// ImagePolicy is what the fleet requires of image references.
type ImagePolicy struct {
	// RequirePinned makes a mutable tag (:latest) an error instead of a
	// warning: every image must name a fixed tag or a digest.
	RequirePinned bool `yaml:"requirePinned,omitempty"`
}

// Charts are the charts a fleet installs.
type Charts struct {
	DaskHub     ChartSource `yaml:"daskhub"`
	JupyterHub  ChartSource `yaml:"jupyterhub"`
	DaskGateway ChartSource `yaml:"daskGateway"`
	// Siblings are the charts of sites' sibling releases (fleetcharts.go).
	Siblings SiblingCharts `yaml:"siblings,omitempty"`
	// Umbrellas are operators' own umbrella charts (fleetcharts.go).
	Umbrellas map[string]UmbrellaChart `yaml:"umbrellas,omitempty"`
}

// ChartSource is one chart in an HTTP(S) Helm repository.
type ChartSource struct {
	// Repository is the Helm repository URL.
	Repository string `yaml:"repository"`
	// Chart is the chart name in the repository.
	Chart string `yaml:"chart"`
	// Version is the exact version every site runs (the pin).
	Version string `yaml:"version"`
	// Constraint is the semver range upgrades may move the pin within.
	Constraint string `yaml:"constraint,omitempty"`
	// Prereleases lets upgrades pick prerelease versions.
	Prereleases bool `yaml:"prereleases,omitempty"`
	// Canary stages an upgrade: sites in waves up to Canary.MaxWave run
	// Canary.Version while every other site stays on Version.
	Canary *Canary `yaml:"canary,omitempty"`
}

// Canary is a chart version that only the first waves run.
type Canary struct {
	Version string `yaml:"version"`
	// MaxWave is the last wave that runs the canary version (default 0).
	MaxWave int `yaml:"maxWave,omitempty"`
}

// ForWave is the chart source a site of the given wave runs: the canary
// version for the first waves while an upgrade is staged, else the pin.
func (c ChartSource) ForWave(wave int) ChartSource {
	if c.Canary.Runs(wave) {
		c.Version = c.Canary.Version
	}
	c.Canary = nil
	return c
}

// Runs says whether the sites of a wave run the canary (a nil canary runs
// nowhere): the one rule of which waves take a staged version, for the
// fleet's charts and operators' umbrella charts alike.
func (c *Canary) Runs(wave int) bool {
	return c != nil && wave <= c.MaxWave
}

// ChartsFor returns the charts a site of the given wave runs.
func (f *Fleet) ChartsFor(wave int) Charts {
	c := f.Spec.Charts
	return Charts{DaskHub: c.DaskHub.ForWave(wave), JupyterHub: c.JupyterHub.ForWave(wave), DaskGateway: c.DaskGateway.ForWave(wave), Siblings: c.Siblings.ForWave(wave), Umbrellas: umbrellasForWave(c.Umbrellas, wave)}
}

// ReleasePolicy shapes every HelmRelease.
type ReleasePolicy struct {
	// Interval between reconciliations; default 30m.
	Interval string `yaml:"interval,omitempty"`
	// Timeout of a Helm action; default 15m (z2jh's image pre-puller
	// makes upgrades slow).
	Timeout string `yaml:"timeout,omitempty"`
	// Retries before remediation gives up; default 3.
	Retries int `yaml:"retries,omitempty"`
	// DriftDetection is enabled, warn or disabled; default enabled.
	DriftDetection string `yaml:"driftDetection,omitempty"`
}

// SecretsPolicy is how secrets are kept in git.
type SecretsPolicy struct {
	// AgeRecipients can decrypt every site's secrets (the operators).
	AgeRecipients []string `yaml:"ageRecipients,omitempty"`
	// ClusterAgeRecipient is the public half of an age key that every
	// cluster holds in its flux-system/sops-age Secret. When set, a site
	// that keeps its secrets in SOPS may omit spec.secrets.ageRecipient.
	ClusterAgeRecipient string `yaml:"clusterAgeRecipient,omitempty"`
}

// Rollout is the upgrade policy.
type Rollout struct {
	// Waves upgrades wave 0 first, later waves once it has verified.
	Waves bool `yaml:"waves,omitempty"`
	// SpawnCheck promotes a canary only once its sites also passed the
	// spawn probe (verify --spawn: hubfleet/verify-spawn/<site>).
	SpawnCheck bool `yaml:"spawnCheck,omitempty"`
}

// GitPolicy is how automation may change the repository.
type GitPolicy struct {
	// Branch is the branch Flux follows; default main.
	Branch string `yaml:"branch,omitempty"`
	// AllowPushToMain lets rollback push straight to the branch instead of
	// opening a pull request.
	AllowPushToMain bool `yaml:"allowPushToMain,omitempty"`
	// URL is the repository URL Flux clones (clusters' GitRepository).
	URL string `yaml:"url,omitempty"`
}
