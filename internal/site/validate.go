package site

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/Masterminds/semver/v3"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/hubfleet/hubfleet/internal/catalog"
)

// Validate checks one site against the fleet and returns every error
// found as an ErrorList (nil when the site is valid). Warnings are not
// returned: Check returns both. Cross-site checks (duplicate names and
// hosts) live in package fleet.
func Validate(s *Site, f *Fleet) error {
	return Check(s, f).Errors().Err()
}

// Check checks one site against the fleet and returns every problem,
// errors and warnings, in file and line order. Fields that failed to
// decode (s.Invalid) are skipped along with the checks that need them;
// every other check runs.
func Check(s *Site, f *Fleet) ErrorList {
	r := &reporter{file: s.File, lines: s.Lines, invalid: s.Invalid}
	if f != nil {
		r.pinned = f.Spec.Images.RequirePinned
	}
	validateHeader(r, s.APIVersion, s.Kind, KindSite, s.Metadata)
	if s.Metadata.Annotations[LocalConfigAnnotation] != "true" {
		r.add(KindHeader, "metadata.annotations", `add the annotation config.kubernetes.io/local-config: "true"`,
			"the site file must be marked local-config so Flux never applies it")
	}
	checkLabels(r, "metadata.labels", s.Metadata.Labels)
	sp := &s.Spec
	if sp.Wave < 0 {
		r.add(KindRange, "spec.wave", "use 0 (upgraded first) or a higher wave", "wave %d is negative", sp.Wave)
	}
	checkNamespace(r, "spec.namespace", sp.Namespace)
	checkKubeVersion(r, "spec.kubernetes.version", sp.Kubernetes.Version)
	checkEnum(r, "spec.kubernetes.provider", sp.Kubernetes.Provider, "openstack", "aws", "azure", "gcp", "other")
	if f != nil {
		validateKubeMin(r, s, f)
	}
	checkProviderKubeVersion(r, s, f)
	validateHost(r, sp)
	validateTLS(r, sp)
	validateAuth(r, s, f)
	checkUsers(r, "spec.auth.admins", sp.Auth.Admins)
	checkUsers(r, "spec.auth.allowedUsers", sp.Auth.AllowedUsers)
	validateSingleuser(r, &sp.Singleuser, sp.Chart.Umbrella != "")
	validateProfileGroups(r, sp)
	validateGateway(r, sp)
	validatePlacement(r, &sp.Placement)
	checkEnum(r, "spec.chart.mode", sp.Chart.Mode, ModeDaskHub, ModeComposed, ModeUmbrella)
	validateUmbrella(r, s, f)
	validateGatewayMode(r, s, f)
	if sp.Secrets.AgeRecipient != "" {
		if _, err := age.ParseX25519Recipient(sp.Secrets.AgeRecipient); err != nil {
			r.add(KindAge, "spec.secrets.ageRecipient", "paste the public key printed by age-keygen (age1...)", "%s", ageKeyError(sp.Secrets.AgeRecipient, err))
		}
	}
	checkSOPSRecipient(r, s, f)
	checkSiteValues(r, s)
	checkExtraConfigCodeOf(r, "spec.values", sp.Values, s)
	validateReleases(r, s, f)
	validateOverrides(r, s)
	CheckSecrets(r, s)
	validateProbe(r, s)
	r.errs.Sort()
	return r.errs
}

// ValidateFleet checks the fleet file.
func ValidateFleet(f *Fleet) error {
	r := &reporter{file: f.File, lines: f.Lines, invalid: f.Invalid}
	validateHeader(r, f.APIVersion, f.Kind, KindFleet, f.Metadata)
	fs := &f.Spec
	validateChartFacts(r, fs.ChartFacts)
	charts := []struct {
		field string
		c     ChartSource
	}{
		{"spec.charts.daskhub", fs.Charts.DaskHub},
		{"spec.charts.jupyterhub", fs.Charts.JupyterHub},
		{"spec.charts.daskGateway", fs.Charts.DaskGateway},
	}
	for _, c := range charts {
		validateChart(r, c.field, c.c)
	}
	validateFleetUmbrellas(r, f)
	for _, name := range fs.Charts.Siblings.Names() {
		validateChart(r, "spec.charts.siblings."+name, fs.Charts.Siblings[name])
	}
	checkEnum(r, "spec.defaultMode", fs.DefaultMode, ModeDaskHub, ModeComposed)
	checkNamespace(r, "spec.namespace", fs.Namespace)
	checkKubeVersion(r, "spec.kubernetesVersion", fs.KubernetesVersion)
	if rcp := fs.Secrets.ClusterAgeRecipient; rcp != "" {
		if _, err := age.ParseX25519Recipient(rcp); err != nil {
			r.add(KindAge, "spec.secrets.clusterAgeRecipient", "paste the public key printed by age-keygen (age1...)", "%s", ageKeyError(rcp, err))
		}
	}
	for _, d := range []struct{ field, v string }{
		{"spec.helmRelease.interval", fs.HelmRelease.Interval},
		{"spec.helmRelease.timeout", fs.HelmRelease.Timeout},
	} {
		if d.v == "" {
			continue
		}
		if dur, err := time.ParseDuration(d.v); err != nil || dur <= 0 {
			r.add(KindDuration, d.field, "write a positive Go duration such as 15m or 1h", "%q is not a duration", d.v)
		}
	}
	if fs.HelmRelease.Retries < 0 {
		r.add(KindRange, "spec.helmRelease.retries", "use 0 or more", "retries must not be negative")
	}
	checkEnum(r, "spec.helmRelease.driftDetection", fs.HelmRelease.DriftDetection, "enabled", "warn", "disabled")
	for i, rcp := range fs.Secrets.AgeRecipients {
		if _, err := age.ParseX25519Recipient(rcp); err != nil {
			r.add(KindAge, fmt.Sprintf("spec.secrets.ageRecipients[%d]", i), "paste the public key printed by age-keygen (age1...)", "%s", ageKeyError(rcp, err))
		}
	}
	CheckValues(r, "spec.values", fs.Values)
	checkExtraConfigCode(r, "spec.values", fs.Values)
	CheckFleetSecrets(r, f)
	return r.errs.Errors().Err()
}

func validateChart(r *reporter, field string, c ChartSource) {
	if c.Repository == "" {
		r.add(KindRequired, field+".repository", "set the Helm repository URL, e.g. https://helm.dask.org", "a chart repository is required")
	} else if u, err := url.Parse(c.Repository); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		r.add(KindURL, field+".repository", "write an http(s) URL of a Helm repository", "%q is not a Helm repository URL", c.Repository)
	}
	if c.Chart == "" {
		r.add(KindRequired, field+".chart", "set the chart name", "a chart name is required")
	}
	var pin *semver.Version
	if c.Version == "" {
		r.add(KindRequired, field+".version", "pin an exact chart version, e.g. 2024.1.1", "a chart version is required")
	} else if v, err := semver.StrictNewVersion(c.Version); err != nil {
		r.add(KindSemver, field+".version", "pin an exact version (MAJOR.MINOR.PATCH); ranges go in constraint", "%q is not an exact semantic version", c.Version)
	} else {
		pin = v
	}
	var con *semver.Constraints
	if c.Constraint != "" {
		var err error
		con, err = semver.NewConstraint(c.Constraint)
		switch {
		case err != nil:
			r.add(KindSemver, field+".constraint", `write a semver range such as ">=2024.1.0 <2025.0.0"`, "%q is not a semver constraint: %v", c.Constraint, err)
		case pin != nil && !con.Check(pin):
			r.add(KindSemver, field+".version", "move the pin inside the constraint or widen the constraint", "pinned version %s is outside the constraint %q", c.Version, c.Constraint)
		}
	}
	if c.Canary != nil {
		cv, err := semver.StrictNewVersion(c.Canary.Version)
		switch {
		case err != nil:
			r.add(KindSemver, field+".canary.version", "write the exact version the first waves should run", "%q is not an exact semantic version", c.Canary.Version)
		case c.Canary.Version == c.Version:
			r.add(KindSemver, field+".canary", "remove the canary block: every wave already runs this version", "the canary version equals the pin")
		case pin != nil && cv.LessThan(pin):
			r.add(KindSemver, field+".canary.version", "a canary stages an upgrade: pick a version above the pin "+c.Version+", or remove the canary block", "canary version %s is older than the pin %s", c.Canary.Version, c.Version)
		case con != nil && !con.Check(cv):
			r.add(KindSemver, field+".canary.version", "pick a canary inside the constraint or widen the constraint", "canary version %s is outside the constraint %q", c.Canary.Version, c.Constraint)
		}
		if c.Canary.MaxWave < 0 {
			r.add(KindRange, field+".canary.maxWave", "use 0 or more", "maxWave must not be negative")
		}
	}
}

func validateHeader(r *reporter, apiVersion, kind, wantKind string, m ObjectMeta) {
	if apiVersion != APIVersion {
		r.add(KindHeader, "apiVersion", "write apiVersion: "+APIVersion, "apiVersion is %q", apiVersion)
	}
	if kind != wantKind {
		r.add(KindHeader, "kind", "write kind: "+wantKind, "kind is %q", kind)
	}
	if m.Name == "" {
		r.add(KindRequired, "metadata.name", "name the site (a DNS label such as egi-pangeo)", "metadata.name is required")
	} else {
		checkLabel(r, "metadata.name", m.Name)
	}
}

func checkLabel(r *reporter, field, v string) {
	if errs := validation.IsDNS1123Label(v); len(errs) > 0 {
		r.add(KindName, field, fmt.Sprintf("use lower-case letters, digits and '-', at most 63 characters, e.g. %q", suggestLabel(v)),
			"%q is not a DNS label", v)
	}
}

func suggestLabel(v string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(v) {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b.WriteRune(c)
		default:
			b.WriteByte('-')
		}
	}
	s := strings.Trim(b.String(), "-")
	if len(s) > 63 {
		s = strings.Trim(s[:63], "-")
	}
	if s == "" {
		s = "my-site"
	}
	return s
}

func checkEnum(r *reporter, field, v string, allowed ...string) {
	if v == "" || slices.Contains(allowed, v) {
		return
	}
	fix := "use one of: " + strings.Join(allowed, ", ")
	if s := closest(v, allowed); s != "" {
		fix = fmt.Sprintf("did you mean %q? (one of: %s)", s, strings.Join(allowed, ", "))
	}
	r.add(KindEnum, field, fix, "%q is not a valid value", v)
}

// privateSuffixes are names no public ACME CA will issue for.
var privateSuffixes = []string{".local", ".localhost", ".internal", ".lan", ".home.arpa", ".test", ".example", ".invalid", ".corp", ".intranet", ".cluster.local"}

// IsPublicHost reports whether host can get a certificate from a public
// ACME CA such as Let's Encrypt.
func IsPublicHost(host string) bool {
	if net.ParseIP(host) != nil || !strings.Contains(host, ".") {
		return false
	}
	h := "." + host
	for _, s := range privateSuffixes {
		if strings.HasSuffix(h, s) {
			return false
		}
	}
	return true
}

func validateHost(r *reporter, sp *Spec) {
	if sp.Host == "" {
		r.add(KindRequired, "spec.host", "set the hub's public DNS name, e.g. pangeo.vm.fedcloud.eu", "spec.host is required")
	} else if !checkHostLabels(r, "spec.host", sp.Host) {
		// reported
	} else if errs := validation.IsDNS1123Subdomain(sp.Host); len(errs) > 0 || net.ParseIP(sp.Host) != nil {
		r.add(KindHost, "spec.host", "write a lower-case DNS name without scheme, port or path, e.g. pangeo.example.org", "%q is not a DNS name", sp.Host)
	} else if !strings.Contains(sp.Host, ".") {
		r.add(KindHost, "spec.host", "write the fully qualified name users type, e.g. hub.example.org", "%q is not a fully qualified DNS name", sp.Host)
	} else if usesACME(&sp.TLS) && !IsPublicHost(sp.Host) {
		r.add(KindHost, "spec.host", "use a public DNS name, or tls.mode: secret with a certificate you provide",
			"%q is not a public DNS name: Let's Encrypt refuses to issue certificates for it", sp.Host)
	}
	checkBaseURL(r, "spec.baseURL", sp.BaseURL)
}

// usesACME reports whether the TLS mode gets certificates from Let's
// Encrypt (autohttps always; cert-manager when the issuer is ACME, which
// hubfleet assumes for issuers named letsencrypt*).
func usesACME(t *TLS) bool {
	return t.Mode == TLSAutoHTTPS || (t.Mode == TLSCertManager && strings.HasPrefix(t.ClusterIssuer, "letsencrypt"))
}

func validateTLS(r *reporter, sp *Spec) {
	t := &sp.TLS
	if t.Mode == "" {
		r.add(KindRequired, "spec.tls.mode", "set tls.mode: cert-manager, autohttps or secret", "spec.tls.mode is required")
		return
	}
	checkEnum(r, "spec.tls.mode", t.Mode, TLSCertManager, TLSAutoHTTPS, TLSSecret)
	only := func(field, v, mode string) {
		if v != "" && t.Mode != mode {
			r.add(KindTLSField, "spec.tls."+field, "remove it, or use tls.mode: "+mode, "%s is only used with tls.mode %s", field, mode)
		}
	}
	only("clusterIssuer", t.ClusterIssuer, TLSCertManager)
	only("contactEmail", t.ContactEmail, TLSAutoHTTPS)
	if t.Staging && t.Mode != TLSAutoHTTPS {
		r.add(KindTLSField, "spec.tls.staging", "remove it; with cert-manager choose a staging ClusterIssuer", "staging is only used with tls.mode autohttps")
	}
	if t.IngressClass != "" && t.Mode == TLSAutoHTTPS {
		r.add(KindTLSField, "spec.tls.ingressClass", "remove it: autohttps needs no ingress", "ingressClass is not used with tls.mode autohttps")
	}
	switch t.Mode {
	case TLSCertManager:
		if t.ClusterIssuer == "" {
			r.add(KindRequired, "spec.tls.clusterIssuer", "name the cert-manager ClusterIssuer, e.g. letsencrypt-prod", "cert-manager needs a ClusterIssuer")
		}
	case TLSAutoHTTPS:
		if t.ContactEmail == "" {
			r.add(KindRequired, "spec.tls.contactEmail", "set the Let's Encrypt account e-mail", "autohttps needs a contact e-mail for Let's Encrypt")
		} else if !strings.Contains(t.ContactEmail, "@") {
			r.add(KindEnum, "spec.tls.contactEmail", "write an e-mail address", "%q is not an e-mail address", t.ContactEmail)
		}
		if t.SecretName != "" {
			r.add(KindTLSField, "spec.tls.secretName", "remove it, or use tls.mode: secret", "autohttps stores its own certificate")
		}
	case TLSSecret:
		if t.SecretName == "" {
			r.add(KindRequired, "spec.tls.secretName", "name the existing kubernetes.io/tls Secret", "tls.mode secret needs secretName")
		}
	}
	if t.SecretName != "" {
		checkLabelish(r, "spec.tls.secretName", t.SecretName)
	}
}

func checkLabelish(r *reporter, field, v string) {
	if errs := validation.IsDNS1123Subdomain(v); len(errs) > 0 {
		r.add(KindName, field, "use lower-case letters, digits, '-' and '.'", "%q is not a valid object name", v)
	}
}

var (
	cognitoRegionRE = regexp.MustCompile(`^[a-z]{2}(-gov)?-[a-z]+-[0-9]$`)
	cognitoPoolRE   = regexp.MustCompile(`^([a-z]{2}(?:-gov)?-[a-z]+-[0-9])_[A-Za-z0-9]+$`)
	cognitoDomainRE = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)
	uuidRE          = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	voRE            = regexp.MustCompile(`^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$`)
)

func validateAuth(r *reporter, s *Site, f *Fleet) {
	a := &s.Spec.Auth
	if a.Provider == "" {
		r.add(KindRequired, "spec.auth.provider", "set auth.provider: "+strings.Join(AuthProviders, ", "), "spec.auth.provider is required")
		return
	}
	checkEnum(r, "spec.auth.provider", a.Provider, AuthProviders...)
	blocks := map[string]bool{
		AuthEGICheckin: a.EGICheckin != nil, AuthCognito: a.Cognito != nil,
		AuthAzureAD: a.AzureAD != nil, AuthOIDC: a.OIDC != nil, AuthNative: a.Native != nil,
		AuthGitHub: a.GitHub != nil, AuthCILogon: a.CILogon != nil, AuthGoogle: a.Google != nil,
		AuthGitLab: a.GitLab != nil, AuthAuth0: a.Auth0 != nil, AuthGenericOAuth: a.GenericOAuth != nil,
	}
	blockField := map[string]string{AuthEGICheckin: "egiCheckin", AuthCognito: "cognito", AuthAzureAD: "azureAD", AuthOIDC: "oidc", AuthNative: "native",
		AuthGitHub: "github", AuthCILogon: "cilogon", AuthGoogle: "google", AuthGitLab: "gitlab", AuthAuth0: "auth0", AuthGenericOAuth: "genericOAuth"}
	validateRealAuth(r, a)
	for p, set := range blocks {
		if set && p != a.Provider {
			r.add(KindAuth, "spec.auth."+blockField[p], "remove it, or set auth.provider: "+p, "auth.%s is set but auth.provider is %s", blockField[p], a.Provider)
		}
	}
	oauth := ClassOf(a).OAuth
	if oauth {
		if a.ClientID == "" {
			r.add(KindRequired, "spec.auth.clientID", "copy the client id from the provider's app registration", "an OAuth client id is required for %s", a.Provider)
		}
		if es := a.ClientSecret.ExternalSecret; es != nil {
			if es.Store == "" {
				r.add(KindRequired, "spec.auth.clientSecret.externalSecret.store", "name the ClusterSecretStore", "externalSecret needs a store")
			}
			if es.Key == "" {
				r.add(KindRequired, "spec.auth.clientSecret.externalSecret.key", "name the remote key", "externalSecret needs a key")
			}
			checkEnum(r, "spec.auth.clientSecret.externalSecret.storeKind", es.StoreKind, "ClusterSecretStore", "SecretStore")
			if a.ClientSecret.SOPS {
				r.add(KindAuth, "spec.auth.clientSecret", "choose one of sops and externalSecret", "the client secret cannot come from both SOPS and External Secrets")
			}
		}
	} else if a.Provider != AuthCustom {
		if a.ClientID != "" {
			r.add(KindAuth, "spec.auth.clientID", "remove it: "+ClassOf(a).Class+" takes no OAuth client", "%s auth takes no client id", a.Provider)
		}
		if a.ClientSecret.SOPS || a.ClientSecret.ExternalSecret != nil {
			r.add(KindAuth, "spec.auth.clientSecret", "remove it", "native auth takes no client secret")
		}
	}
	if !blocks[a.Provider] && a.Provider != AuthNative && slices.Contains([]string{AuthEGICheckin, AuthCognito, AuthAzureAD, AuthOIDC}, a.Provider) {
		r.add(KindRequired, "spec.auth."+blockField[a.Provider], "add the auth."+blockField[a.Provider]+" block", "auth.provider %s needs its settings block", a.Provider)
	}
	switch {
	case a.EGICheckin != nil && a.Provider == AuthEGICheckin:
		e := a.EGICheckin
		if e.Instance == "" {
			r.add(KindRequired, "spec.auth.egiCheckin.instance", "set instance: prod, demo or dev", "the Check-in instance is required")
		}
		checkEnum(r, "spec.auth.egiCheckin.instance", e.Instance, EGIProd, EGIDemo, EGIDev)
		if e.VO == "" {
			r.add(KindRequired, "spec.auth.egiCheckin.vo", "name the VO whose members may log in, e.g. vo.pangeo.eu", "the VO is required")
		} else if !voRE.MatchString(e.VO) {
			r.add(KindAuth, "spec.auth.egiCheckin.vo", "write the VO name only, e.g. vo.pangeo.eu (hubfleet builds the entitlement URN)", "%q is not a VO name", e.VO)
		}
	case a.Cognito != nil && a.Provider == AuthCognito:
		c := a.Cognito
		if !cognitoRegionRE.MatchString(c.Region) {
			r.add(KindAuth, "spec.auth.cognito.region", "write an AWS region such as us-east-1", "%q is not an AWS region", c.Region)
		}
		if m := cognitoPoolRE.FindStringSubmatch(c.UserPoolID); m == nil {
			r.add(KindAuth, "spec.auth.cognito.userPoolID", "copy the pool id, which looks like us-east-1_AbCdEf123", "%q is not a Cognito user pool id", c.UserPoolID)
		} else if m[1] != c.Region {
			r.add(KindAuth, "spec.auth.cognito.userPoolID", "use the pool of region "+c.Region+" or fix the region", "user pool %s is in region %s, not %s", c.UserPoolID, m[1], c.Region)
		}
		if !cognitoDomainRE.MatchString(c.Domain) {
			r.add(KindAuth, "spec.auth.cognito.domain", "write the domain prefix only (the part before .auth.<region>.amazoncognito.com)", "%q is not a Cognito domain prefix", c.Domain)
		}
		if (len(c.AllowedGroups) > 0 || len(c.AdminGroups) > 0) && f != nil {
			if ch := JupyterHubChart(s, f); ch.Chart != "" && !SupportsIDTokenGroups(ch.Version) {
				r.add(KindUnsupportedAuth, "spec.auth.cognito.allowedGroups", "use chart.mode: composed (jupyterhub chart >= 3.3, OAuthenticator >= 16.3)",
					"Cognito groups come from the ID token, which needs OAuthenticator >= 16.3; %s %s ships an older one", ch.Chart, ch.Version)
			}
		}
	case a.AzureAD != nil && a.Provider == AuthAzureAD:
		t := a.AzureAD.TenantID
		switch {
		case t == "common" || t == "organizations" || t == "consumers":
			r.add(KindAuth, "spec.auth.azureAD.tenantID", "use your directory (tenant) id from the app registration's Essentials",
				"tenant %q is multi-tenant: its discovery returns the literal issuer .../{tenantid}/v2.0, so tokens cannot be validated", t)
		case !uuidRE.MatchString(t):
			r.add(KindAuth, "spec.auth.azureAD.tenantID", "copy the Directory (tenant) ID, a UUID", "%q is not a tenant id", t)
		}
	case a.OIDC != nil && a.Provider == AuthOIDC:
		o := a.OIDC
		checkHTTPS(r, "spec.auth.oidc.issuer", o.Issuer, true)
		checkHTTPS(r, "spec.auth.oidc.authorizeURL", o.AuthorizeURL, false)
		checkHTTPS(r, "spec.auth.oidc.tokenURL", o.TokenURL, false)
		checkHTTPS(r, "spec.auth.oidc.userdataURL", o.UserdataURL, false)
		if len(o.AllowedGroups) > 0 && o.GroupsClaim == "" {
			r.add(KindRequired, "spec.auth.oidc.groupsClaim", "name the userinfo claim that lists groups", "allowedGroups needs groupsClaim")
		}
	}
	if oauth && !a.AllowAll && len(a.AllowedUsers) == 0 && !hasGroups(a) && (a.AllowExistingUsers == nil || !*a.AllowExistingUsers) {
		// Admins can log in; code in hub.extraConfig (which hubfleet does
		// not read) may allow more, so with admins this is a warning.
		const why = "OAuthenticator >= 16 denies everyone not explicitly allowed"
		switch {
		case len(a.Admins) > 0:
			r.warn(KindAuth, "spec.auth", noLoginFix(s), "only the %d admin(s) of spec.auth.admins can log in: %s", len(a.Admins), why)
		case s.Spec.Values["jupyterhub"] != nil && hasExtraConfig(s.Spec.Values):
			r.warn(KindAuth, "spec.auth", noLoginFix(s), "no one could log in, unless code in hub.extraConfig (which validate does not read) allows more: %s", why)
		default:
			r.add(KindAuth, "spec.auth", noLoginFix(s), "no one could log in: %s", why)
		}
	}
}

func hasGroups(a *Auth) bool {
	if len(a.AllowedGroups) > 0 {
		return true
	}
	switch {
	case a.GitHub != nil:
		return len(a.GitHub.Organizations) > 0
	case a.CILogon != nil:
		return len(a.CILogon.AllowedIdPs) > 0
	case a.Google != nil:
		return len(a.Google.HostedDomains) > 0
	case a.GitLab != nil:
		return len(a.GitLab.Groups) > 0 || len(a.GitLab.ProjectIDs) > 0
	case a.EGICheckin != nil:
		return true // the VO gate
	case a.Cognito != nil:
		return len(a.Cognito.AllowedGroups) > 0
	case a.AzureAD != nil:
		return len(a.AzureAD.AllowedGroups) > 0
	case a.OIDC != nil:
		return len(a.OIDC.AllowedGroups) > 0
	}
	return false
}

func checkHTTPS(r *reporter, field, v string, required bool) {
	if v == "" {
		if required {
			r.add(KindRequired, field, "set the provider's https URL", "%s is required", field[strings.LastIndex(field, ".")+1:])
		}
		return
	}
	if u, err := url.Parse(v); err != nil || u.Scheme != "https" || u.Host == "" {
		r.add(KindURL, field, "write an https:// URL", "%q is not an https URL", v)
	}
}

func validateSingleuser(r *reporter, u *Singleuser, umbrella bool) {
	r.checkImage("spec.singleuser.image", u.Image)
	checkResources(r, "spec.singleuser", u.CPU, u.Memory)
	checkEnum(r, "spec.singleuser.storage.type", u.Storage.Type, StorageDynamic, StorageStatic, StorageNone, StorageNFS)
	validateNFSHome(r, &u.Storage)
	r.checkQuantity("spec.singleuser.storage.capacity", u.Storage.Capacity)
	if u.Storage.Type == StorageStatic && u.Storage.ClaimName == "" {
		r.add(KindRequired, "spec.singleuser.storage.claimName", "name the shared PersistentVolumeClaim (e.g. an EFS claim)", "static storage needs a claimName")
	}
	if u.Storage.ClaimName != "" && u.Storage.Type != StorageStatic {
		r.add(KindEnum, "spec.singleuser.storage.claimName", "set storage.type: static", "claimName is only used with static storage")
	}
	if u.DefaultURL != "" && !strings.HasPrefix(u.DefaultURL, "/") {
		r.add(KindURL, "spec.singleuser.defaultURL", "write a path such as /lab", "%q is not a path", u.DefaultURL)
	}
	if u.StartTimeout < 0 {
		r.add(KindRange, "spec.singleuser.startTimeout", "use seconds, e.g. 600", "startTimeout must not be negative")
	}
	slugs := map[string]int{}
	defaults := 0
	for i, p := range u.Profiles {
		base := fmt.Sprintf("spec.singleuser.profiles[%d]", i)
		if p.Name == "" {
			r.add(KindRequired, base+".name", "give the profile a display name", "a profile needs a name")
		}
		slug := ProfileSlug(p)
		if j, dup := slugs[slug]; dup {
			r.add(KindDuplicateKey, base+".slug", "give each profile a distinct slug", "profile slug %q is also used by profiles[%d]", slug, j)
		}
		slugs[slug] = i
		if p.Default {
			defaults++
		}
		r.checkImage(base+".image", p.Image)
		checkResources(r, base, p.CPU, p.Memory)
		if p.GPUs < 0 {
			r.add(KindRange, base+".gpus", "use 0 or more", "gpus must not be negative")
		}
		checkGPUPlacement(r, base, p)
		validateProfileFeatures(r, base, p, umbrella)
		checkLabels(r, base+".nodeSelector", p.NodeSelector)
		checkTolerations(r, base+".tolerations", p.Tolerations)
	}
	if defaults > 1 {
		r.add(KindEnum, "spec.singleuser.profiles", "mark one profile default: true", "%d profiles are marked default", defaults)
	}
}

// ProfileSlug is the profile's slug, derived from its name when unset.
func ProfileSlug(p Profile) string {
	if p.Slug != "" {
		return p.Slug
	}
	return suggestLabel(p.Name)
}

func checkResources(r *reporter, base string, cpu CPU, mem Memory) {
	if cpu.Guarantee < 0 || cpu.Limit < 0 {
		r.add(KindRange, base+".cpu", "use positive numbers of cores", "CPU must not be negative")
	}
	if cpu.Limit > 0 && cpu.Guarantee > cpu.Limit {
		r.add(KindLimit, base+".cpu.limit", fmt.Sprintf("raise the limit to at least %g or lower the guarantee", cpu.Guarantee),
			"CPU limit %g is below the guarantee %g", cpu.Limit, cpu.Guarantee)
	}
	r.checkByteSpec(base+".memory.guarantee", mem.Guarantee, "JupyterHub")
	r.checkByteSpec(base+".memory.limit", mem.Limit, "JupyterHub")
	checkMemoryNotZero(r, base, mem)
	g, gerr := ParseByteSpec(mem.Guarantee)
	l, lerr := ParseByteSpec(mem.Limit)
	if mem.Guarantee != "" && mem.Limit != "" && gerr == nil && lerr == nil && l < g {
		r.add(KindLimit, base+".memory.limit", "raise the limit to at least "+mem.Guarantee+" or lower the guarantee",
			"memory limit %s is below the guarantee %s", mem.Limit, mem.Guarantee)
	}
}

func validateGateway(r *reporter, sp *Spec) {
	g := &sp.DaskGateway
	if !sp.GatewayEnabled() {
		if g.Limits != (ClusterLimits{}) || !g.WorkerOptions.empty() {
			r.add(KindEnum, "spec.daskGateway", "remove limits and workerOptions, or enable dask-gateway", "limits and worker options are set but dask-gateway is disabled")
		}
		return
	}
	l := g.Limits
	if l.MaxCores < 0 || l.MaxWorkers < 0 || l.IdleTimeout < 0 {
		r.add(KindRange, "spec.daskGateway.limits", "use positive numbers (0 means no limit)", "limits must not be negative")
	}
	r.checkByteSpec("spec.daskGateway.limits.maxMemory", l.MaxMemory, "dask-gateway")
	w := g.WorkerOptions
	checkRange(r, "spec.daskGateway.workerOptions.cores", w.Cores)
	checkRange(r, "spec.daskGateway.workerOptions.memoryGiB", w.MemoryGiB)
	if l.MaxCores > 0 && w.Cores.Min > l.MaxCores {
		r.add(KindRange, "spec.daskGateway.workerOptions.cores.min", "lower it or raise limits.maxCores", "one worker's minimum cores (%g) exceed the cluster limit (%g)", w.Cores.Min, l.MaxCores)
	}
	if mm, err := ParseByteSpec(l.MaxMemory); err == nil && l.MaxMemory != "" && w.MemoryGiB.Min*float64(1<<30) > float64(mm) {
		r.add(KindRange, "spec.daskGateway.workerOptions.memoryGiB.min", "lower it or raise limits.maxMemory", "one worker's minimum memory (%gG) exceeds the cluster limit (%s)", w.MemoryGiB.Min, l.MaxMemory)
	}
	for i, img := range w.Images {
		if img != "*" {
			r.checkImage(fmt.Sprintf("spec.daskGateway.workerOptions.images[%d]", i), img)
		}
	}
}

func (w WorkerOptions) empty() bool {
	return w.Cores == (Range{}) && w.MemoryGiB == (Range{}) && len(w.Images) == 0
}

func checkRange(r *reporter, field string, rg Range) {
	if rg == (Range{}) {
		return
	}
	if rg.Min <= 0 || rg.Max <= 0 {
		r.add(KindRange, field, "set min and max above 0", "min and max must be positive")
		return
	}
	if rg.Min > rg.Max {
		r.add(KindRange, field+".max", fmt.Sprintf("raise max to at least %g", rg.Min), "max %g is below min %g", rg.Max, rg.Min)
	}
	if rg.Default != 0 && (rg.Default < rg.Min || rg.Default > rg.Max) {
		r.add(KindRange, field+".default", fmt.Sprintf("choose a default between %g and %g", rg.Min, rg.Max), "default %g is outside [%g, %g]", rg.Default, rg.Min, rg.Max)
	}
}

func validatePlacement(r *reporter, p *Placement) {
	for name, pool := range map[string]*Pool{"core": p.Core, "user": p.User, "worker": p.Worker} {
		if pool != nil {
			checkLabels(r, "spec.placement."+name+".nodeSelector", pool.NodeSelector)
			checkTolerations(r, "spec.placement."+name+".tolerations", pool.Tolerations)
		}
	}
}

func checkTolerations(r *reporter, field string, ts []Toleration) {
	for i, t := range ts {
		f := fmt.Sprintf("%s[%d]", field, i)
		checkEnum(r, f+".operator", t.Operator, "Equal", "Exists")
		checkEnum(r, f+".effect", t.Effect, "NoSchedule", "PreferNoSchedule", "NoExecute")
		if t.Operator == "Exists" && t.Value != "" {
			r.add(KindEnum, f+".value", "remove the value, or use operator: Equal", "a toleration with operator Exists takes no value")
		}
		if t.Key == "" && t.Operator != "Exists" {
			r.add(KindRequired, f+".key", "set the taint key, e.g. kubernetes.azure.com/scalesetpriority", "a toleration needs a key unless operator is Exists")
		}
	}
}

// validateKubeMin checks the site's Kubernetes version against the
// minimum of every chart it runs.
func validateKubeMin(r *reporter, s *Site, f *Fleet) {
	have, err := semver.NewVersion(strings.TrimPrefix(KubeVersionOf(s, f), "v"))
	if err != nil {
		return // reported elsewhere
	}
	jh := JupyterHubChart(s, f)
	needs := []struct{ chart, version, min string }{
		{jh.Chart, jh.Version, catalog.JupyterHub(jh.Version).KubeMin},
	}
	if s.Spec.GatewayEnabled() {
		gw := GatewayChart(s, f)
		needs = append(needs, struct{ chart, version, min string }{gw.Chart, gw.Version, catalog.Gateway(gw.Version).KubeMin})
	}
	field := "spec.kubernetes.version"
	if s.Spec.Kubernetes.Version == "" {
		field = "spec.kubernetes"
	}
	for _, n := range needs {
		min, err := semver.NewVersion(n.min)
		if err != nil || !have.LessThan(min) {
			continue
		}
		r.add(KindKubeVersion, field, fmt.Sprintf("upgrade the cluster to %s or later (and set spec.kubernetes.version), or pin an older chart", n.min),
			"%s %s needs Kubernetes >= %s; the site runs %s", n.chart, n.version, n.min, have)
	}
}

// hasExtraConfig reports whether the values hold hub.extraConfig code.
func hasExtraConfig(values map[string]any) bool {
	m, ok := lookupMap(values, "jupyterhub.hub.extraConfig")
	return ok && len(m) > 0
}
