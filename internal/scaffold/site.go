package scaffold

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hubfleet/hubfleet/internal/site"
)

// SiteOptions describe a new site. Empty fields are missing: Questions
// asks for them, and Site refuses to write without them.
type SiteOptions struct {
	Name     string
	Host     string
	Provider string
	TLS      string

	ClusterIssuer string
	IngressClass  string
	ContactEmail  string
	SecretName    string

	ClientID     string
	Admins       []string
	AllowedUsers []string
	AllowAll     bool

	EGIInstance   string
	EGIVO         string
	CognitoRegion string
	CognitoPool   string
	CognitoDomain string
	AzureTenant   string
	OIDCIssuer    string

	Context      string
	Image        string
	AgeRecipient string
}

// Providers and TLS modes a site can choose.
var (
	Providers = []string{site.AuthEGICheckin, site.AuthCognito, site.AuthAzureAD, site.AuthOIDC, site.AuthNative}
	TLSModes  = []string{site.TLSCertManager, site.TLSAutoHTTPS, site.TLSSecret}
)

// DefaultImage is the notebook image of a new site.
const DefaultImage = "pangeo/pangeo-notebook:2024.11.11"

// Question is one missing setting.
type Question struct {
	// Flag is the command-line flag that sets it.
	Flag string
	// Prompt is what to ask.
	Prompt string
	// Default is used for an empty answer ("" means an answer is required).
	Default string
	// Choices, when set, are the only valid answers.
	Choices []string
	set     func(o *SiteOptions, v string)
}

// Set stores an answer.
func (q Question) Set(o *SiteOptions, v string) { q.set(o, v) }

func list(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Next returns the first setting still missing, given what is set so far
// (later questions depend on earlier answers: the provider decides which
// provider settings are asked), and false when nothing is missing.
func (o *SiteOptions) Next() (Question, bool) {
	qs := []struct {
		missing bool
		q       Question
	}{
		{o.Host == "", Question{Flag: "host", Prompt: "Public DNS name of the hub", set: func(o *SiteOptions, v string) { o.Host = v }}},
		{o.Provider == "", Question{Flag: "provider", Prompt: "How do users log in", Choices: Providers, set: func(o *SiteOptions, v string) { o.Provider = v }}},
		{o.TLS == "", Question{Flag: "tls", Prompt: "How is HTTPS terminated", Choices: TLSModes, Default: site.TLSCertManager, set: func(o *SiteOptions, v string) { o.TLS = v }}},
		{o.TLS == site.TLSAutoHTTPS && o.ContactEmail == "", Question{Flag: "contact-email", Prompt: "Let's Encrypt contact e-mail", set: func(o *SiteOptions, v string) { o.ContactEmail = v }}},
		{o.TLS == site.TLSSecret && o.SecretName == "", Question{Flag: "tls-secret", Prompt: "Name of the existing TLS Secret", set: func(o *SiteOptions, v string) { o.SecretName = v }}},
		{o.Provider != "" && o.Provider != site.AuthNative && o.ClientID == "", Question{Flag: "client-id", Prompt: "OAuth client id (from the provider's app registration)", set: func(o *SiteOptions, v string) { o.ClientID = v }}},
		{o.Provider == site.AuthEGICheckin && o.EGIVO == "", Question{Flag: "egi-vo", Prompt: "EGI VO whose members may log in (e.g. vo.pangeo.eu)", set: func(o *SiteOptions, v string) { o.EGIVO = v }}},
		{o.Provider == site.AuthCognito && o.CognitoRegion == "", Question{Flag: "cognito-region", Prompt: "AWS region of the Cognito user pool", set: func(o *SiteOptions, v string) { o.CognitoRegion = v }}},
		{o.Provider == site.AuthCognito && o.CognitoPool == "", Question{Flag: "cognito-user-pool", Prompt: "Cognito user pool id (e.g. us-east-1_AbCdEf123)", set: func(o *SiteOptions, v string) { o.CognitoPool = v }}},
		{o.Provider == site.AuthCognito && o.CognitoDomain == "", Question{Flag: "cognito-domain", Prompt: "Cognito domain prefix", set: func(o *SiteOptions, v string) { o.CognitoDomain = v }}},
		{o.Provider == site.AuthAzureAD && o.AzureTenant == "", Question{Flag: "azure-tenant", Prompt: "Azure AD directory (tenant) id", set: func(o *SiteOptions, v string) { o.AzureTenant = v }}},
		{o.Provider == site.AuthOIDC && o.OIDCIssuer == "", Question{Flag: "oidc-issuer", Prompt: "OpenID Connect issuer URL", set: func(o *SiteOptions, v string) { o.OIDCIssuer = v }}},
		{o.Provider == site.AuthOIDC && !o.AllowAll && len(o.AllowedUsers) == 0, Question{Flag: "allowed-users", Prompt: "Who may log in (usernames, comma separated; * for everyone the issuer authenticates)", set: func(o *SiteOptions, v string) {
			if v == "*" {
				o.AllowAll = true
				return
			}
			o.AllowedUsers = list(v)
		}}},
		{o.Admins == nil, Question{Flag: "admin", Prompt: "Hub admins (usernames, comma separated; empty for none)", Default: "-", set: func(o *SiteOptions, v string) {
			if v != "-" {
				o.Admins = list(v)
			}
			if len(o.Admins) == 0 {
				o.Admins = []string{}
			}
		}}},
	}
	for _, x := range qs {
		if x.missing {
			return x.q, true
		}
	}
	return Question{}, false
}

// Defaults fills what has a safe default and needs no question.
func (o *SiteOptions) Defaults() {
	if o.Context == "" {
		o.Context = o.Name
	}
	if o.Image == "" {
		o.Image = DefaultImage
	}
	if o.ClusterIssuer == "" {
		o.ClusterIssuer = "letsencrypt-prod"
	}
	if o.IngressClass == "" {
		o.IngressClass = "nginx"
	}
	if o.EGIInstance == "" {
		o.EGIInstance = site.EGIProd
	}
	// A Cognito pool and an Azure AD tenant already restrict who can
	// authenticate; an EGI VO is a group gate.
	if (o.Provider == site.AuthCognito || o.Provider == site.AuthAzureAD) && len(o.AllowedUsers) == 0 {
		o.AllowAll = true
	}
}

// Site returns the site file of o, or every missing setting as an error.
func Site(o SiteOptions) ([]byte, error) {
	o.Defaults()
	var missing []string
	probe := o
	for range 50 {
		q, ok := probe.Next()
		if !ok {
			break
		}
		v := q.Default
		if v == "" {
			missing = append(missing, "--"+q.Flag+" ("+q.Prompt+")")
			v = "?" // a placeholder, to find what else is missing
		}
		q.Set(&probe, v)
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("site %s needs: %s", o.Name, strings.Join(missing, "; "))
	}
	if !slices.Contains(Providers, probe.Provider) {
		return nil, fmt.Errorf("--provider %q: use one of %s", probe.Provider, strings.Join(Providers, ", "))
	}
	if !slices.Contains(TLSModes, probe.TLS) {
		return nil, fmt.Errorf("--tls %q: use one of %s", probe.TLS, strings.Join(TLSModes, ", "))
	}
	return execute("site.yaml", probe)
}

func init() {
	funcs["q"] = func(s string) string {
		b, _ := yaml.Marshal(s)
		return strings.TrimSuffix(string(b), "\n")
	}
	funcs["flow"] = func(xs []string) string {
		var q []string
		for _, x := range xs {
			q = append(q, funcs["q"].(func(string) string)(x))
		}
		return "[" + strings.Join(q, ", ") + "]"
	}
}
