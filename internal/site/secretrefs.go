package site

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// SecretValue says where one secret goes: a chart value (TargetPath) or an
// environment variable (Env). The value comes from the site's
// SOPS-encrypted Secret (the default, written by `hubfleet secret set
// --key`) or from External Secrets.
type SecretValue struct {
	// TargetPath is a chart value in the daskhub layout, e.g.
	// jupyterhub.hub.db.password; helm-controller sets it from the Secret
	// through HelmRelease valuesFrom.
	TargetPath string `yaml:"targetPath,omitempty"`
	// Env sets an environment variable of the hub, the users' servers or
	// the gateway from the Secret (valueFrom.secretKeyRef): the value never
	// enters the chart values.
	Env *SecretEnv `yaml:"env,omitempty"`
	// ExternalSecret reads the value through External Secrets Operator
	// instead of the SOPS-encrypted file.
	ExternalSecret *ExternalSecretRef `yaml:"externalSecret,omitempty"`
}

// SecretEnv is an environment variable set from a secret.
type SecretEnv struct {
	// Component is hub, singleuser or gateway.
	Component string `yaml:"component"`
	// Name is the variable's name, e.g. AWS_SECRET_ACCESS_KEY.
	Name string `yaml:"name"`
}

// Components an environment variable can be set on.
const (
	EnvHub        = "hub"
	EnvSingleuser = "singleuser"
	EnvGateway    = "gateway"
)

// NotSecret marks a value that the secret guard refuses but that is not
// secret. The mark is visible in review: render lists it on the
// HelmRelease (annotation hubfleet.dev/not-secret), so plan shows it.
type NotSecret struct {
	// Path is the field as the guard reports it, e.g.
	// spec.values.jupyterhub.singleuser.extraEnv.PUBLIC_TOKEN_URL. The mark
	// covers that exact field and nothing under it.
	Path string `yaml:"path"`
	// Reason says why the value is not secret.
	Reason string `yaml:"reason"`
}

// Allows reports whether a path is marked as not secret. A mark covers
// exactly the field it names, as the guard reports it: a mark on a
// parent (spec.values) covers nothing under it.
func (s *SiteSecrets) Allows(p string) bool {
	for _, m := range s.NotSecret {
		if p == m.Path {
			return true
		}
	}
	return false
}

// SecretKeys returns the keys of spec.secrets.values in sorted order.
func (s *SiteSecrets) SecretKeys() []string {
	keys := make([]string, 0, len(s.Values))
	for k := range s.Values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

var (
	secretKeyRE = regexp.MustCompile(`^[-._a-zA-Z0-9]+$`)
	envNameRE   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// validateSecretRefs checks spec.secrets.values and spec.secrets.notSecret.
func validateSecretRefs(r *reporter, s *Site) {
	sec := &s.Spec.Secrets
	targets := map[string]string{}
	var store *ExternalSecretRef
	for _, k := range sec.SecretKeys() {
		v := sec.Values[k]
		field := "spec.secrets.values." + k
		if !secretKeyRE.MatchString(k) || len(k) > 253 {
			r.add(KindSecret, field, "use letters, digits, '-', '_' and '.' only, e.g. hub-db-password", "%q is not a valid Secret key", k)
		}
		if k == "client_secret" {
			r.add(KindSecret, field, "use spec.auth.clientSecret for the OAuth client secret, and another key here", "client_secret is the OAuth client secret's key")
		}
		switch {
		case v.TargetPath == "" && v.Env == nil:
			r.add(KindRequired, field, "set targetPath (a chart value such as jupyterhub.hub.db.password) or env: {component, name}", "a secret value needs a target")
		case v.TargetPath != "" && v.Env != nil:
			r.add(KindSecret, field, "keep one of targetPath and env; use two keys for two targets", "a secret value has one target")
		case v.TargetPath != "":
			validateTargetPath(r, s, field+".targetPath", v.TargetPath)
			if other, dup := targets[v.TargetPath]; dup {
				r.add(KindSecret, field+".targetPath", "remove one of them", "%s is also set from key %s", v.TargetPath, other)
			}
			targets[v.TargetPath] = k
		default:
			e := v.Env
			checkEnum(r, field+".env.component", e.Component, EnvHub, EnvSingleuser, EnvGateway)
			if e.Component == "" {
				r.add(KindRequired, field+".env.component", "set hub, singleuser or gateway", "env needs a component")
			}
			if e.Component == EnvGateway && !s.Spec.GatewayEnabled() {
				r.add(KindSecret, field+".env.component", "remove it, or enable dask-gateway", "dask-gateway is disabled on this site")
			}
			if !envNameRE.MatchString(e.Name) {
				r.add(KindSecret, field+".env.name", "write a variable name such as AWS_SECRET_ACCESS_KEY", "%q is not an environment variable name", e.Name)
			}
			t := e.Component + " env " + e.Name
			if other, dup := targets[t]; dup {
				r.add(KindSecret, field+".env", "remove one of them", "%s is also set from key %s", t, other)
			}
			targets[t] = k
		}
		if es := v.ExternalSecret; es != nil {
			if es.Store == "" {
				r.add(KindRequired, field+".externalSecret.store", "name the ClusterSecretStore", "externalSecret needs a store")
			}
			if es.Key == "" {
				r.add(KindRequired, field+".externalSecret.key", "name the remote key", "externalSecret needs a key")
			}
			checkEnum(r, field+".externalSecret.storeKind", es.StoreKind, "ClusterSecretStore", "SecretStore")
			if store == nil {
				store = es
			} else if store.Store != es.Store || store.StoreKind != es.StoreKind {
				r.add(KindSecret, field+".externalSecret.store", "read every key of a site from one store", "keys of one site come from one store (%s here, %s before)", es.Store, store.Store)
			}
		}
	}
	for i, m := range sec.NotSecret {
		field := fmt.Sprintf("spec.secrets.notSecret[%d]", i)
		if m.Reason == "" {
			r.add(KindRequired, field+".reason", "say why the value is not secret; reviewers read it in the plan", "a not-secret mark needs a reason")
		}
		if _, ok := s.Lines[m.Path]; !ok {
			r.add(KindSecret, field+".path", "copy the field exactly as validate reports it, e.g. spec.values.jupyterhub.hub.extraEnv.NAME", "%q is not a field of this site: the mark covers nothing", m.Path)
		}
	}
}

// validateTargetPath checks a secret's chart value path.
func validateTargetPath(r *reporter, s *Site, field, p string) {
	top, rest, _ := strings.Cut(p, ".")
	switch {
	case rest == "" || strings.Contains(p, "..") || strings.HasSuffix(p, "."):
		r.add(KindSecret, field, "write a dotted chart value path in the daskhub layout, e.g. jupyterhub.hub.db.password", "%q is not a chart value path", p)
		return
	case top == "dask-gateway" && !s.Spec.GatewayEnabled():
		r.add(KindSecret, field, "remove it, or enable dask-gateway", "dask-gateway is disabled on this site")
		return
	case top != "jupyterhub" && top != "dask-gateway":
		r.add(KindSecret, field, "start the path with jupyterhub. or dask-gateway. (the daskhub layout, as in spec.values)", "%q is not under jupyterhub or dask-gateway", p)
		return
	}
	if strings.HasSuffix(p, ".client_secret") {
		r.add(KindSecret, field, "use spec.auth.clientSecret for the OAuth client secret", "hubfleet sets the OAuth client secret from spec.auth")
	}
	if _, set := s.Lines["spec.values."+p]; set {
		r.add(KindSecret, field, "remove the value from spec.values", "spec.values also sets %s", p)
	}
}

// NotSecretAnnotation lists, on each rendered HelmRelease, the values its
// site marked as not secret, so a plan shows the mark and check-secrets
// honours it: "path: reason" entries, one per line.
const NotSecretAnnotation = "hubfleet.dev/not-secret"

// ParseNotSecretAnnotation returns the paths of a NotSecretAnnotation.
func ParseNotSecretAnnotation(v string) []string {
	var out []string
	for _, l := range strings.Split(v, "\n") {
		if p, _, ok := strings.Cut(l, ": "); ok && p != "" {
			out = append(out, p)
		}
	}
	return out
}
