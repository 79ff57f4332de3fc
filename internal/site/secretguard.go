package site

import (
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hubfleet/hubfleet/internal/secretscan"
)

// CheckSecrets validates a site's secret channels and refuses every
// plain-text secret in the site file: in spec.values with every rule of
// package secretscan, in the typed fields with its value detectors.
func CheckSecrets(r *reporter, s *Site) {
	validateSecretRefs(r, s)
	for _, f := range SiteFindings(s) {
		r.errs = append(r.errs, secretError(f, s.Metadata.Name))
	}
}

// CheckFleetSecrets refuses plain-text secrets in the fleet file.
func CheckFleetSecrets(r *reporter, f *Fleet) {
	for _, fd := range scanTyped(f.File, f.Lines, f, &f.Spec.Values, nil) {
		r.errs = append(r.errs, secretError(fd, ""))
	}
}

// SiteFindings are the plain-text secrets in a site file, except those
// marked in spec.secrets.notSecret.
func SiteFindings(s *Site) []secretscan.Finding {
	return scanTyped(s.File, s.Lines, s, &s.Spec.Values, s.Spec.Secrets.Allows)
}

// scanTyped scans a decoded file: the free-form values (at spec.values)
// with every rule, the rest with the value detectors only, since the
// typed fields' names are hubfleet's own.
func scanTyped(file string, lines map[string]int, obj any, values *map[string]any, allowed func(string) bool) []secretscan.Finding {
	line := func(p string) int { return lineOf(lines, p) }
	saved := *values
	*values = nil
	raw, err := yaml.Marshal(obj)
	*values = saved
	var rest any
	if err == nil {
		err = yaml.Unmarshal(raw, &rest)
	}
	var out []secretscan.Finding
	if err == nil {
		out = secretscan.Tree("", rest, secretscan.Options{File: file, Line: line, Allowed: allowed, ValuesOnly: true})
	}
	if len(saved) > 0 {
		out = append(out, secretscan.Tree("spec.values", saved, secretscan.Options{File: file, Line: line, Allowed: allowed})...)
	}
	return out
}

// secretError turns a finding into a validation error naming the file,
// line, field and the secret channel to use instead. It never holds the
// secret.
func secretError(f secretscan.Finding, siteName string) *FieldError {
	return &FieldError{File: f.File, Line: f.Line, Field: f.Path, Kind: KindSecret,
		Msg: f.What + ": a plain-text secret never goes into git [" + f.Rule + "]",
		Fix: SecretFix(f.Path, f.Key, siteName)}
}

var indexRE = regexp.MustCompile(`\[[0-9]+\]`)

// generated are chart secrets the jupyterhub chart creates and keeps.
var generated = []string{"secrettoken", "cookiesecret", "cryptkeeper.keys", "hub.services.dask-gateway.apitoken", "gateway.auth.jupyterhub.apitoken"}

// SecretFix says how to keep the value at path out of git: the command
// that stores it, and the spec.secrets entry that wires it to the chart.
func SecretFix(path, key, siteName string) string {
	lp := strings.ToLower(indexRE.ReplaceAllString(path, ""))
	for _, g := range generated {
		if strings.HasSuffix(lp, g) {
			return "remove it; the charts generate and keep this secret themselves"
		}
	}
	if siteName == "" {
		return "remove it from the fleet file; secrets are per site: store it with `hubfleet secret set --site SITE --key KEY` and declare it under each site's spec.secrets.values"
	}
	if strings.HasSuffix(lp, "client_secret") || strings.HasSuffix(lp, "clientsecret") {
		return fmt.Sprintf("remove it; run `hubfleet secret set --site %s` (the value on standard input) to store the OAuth client secret SOPS-encrypted", siteName)
	}
	k := secretscan.SuggestKey(key)
	if key == "" || strings.HasSuffix(path, "."+key) {
		// The key is the path's own: name it with its parent (db-password).
		k = secretscan.SuggestKey(path)
	}
	var target string
	if comp, name, ok := envTarget(path, key); ok {
		target = fmt.Sprintf("{env: {component: %s, name: %s}}", comp, name)
	} else if vp, ok := strings.CutPrefix(path, "spec.values."); ok && !strings.Contains(vp, "[") {
		target = fmt.Sprintf("{targetPath: %s}", vp)
	} else {
		target = "{targetPath: <the chart value>}"
	}
	return fmt.Sprintf("remove it; run `hubfleet secret set --site %s --key %s` (the value on standard input) and add spec.secrets.values.%s: %s; if it is not a secret, add {path: %s, reason: ...} to spec.secrets.notSecret",
		siteName, k, k, target, path)
}

// envTarget recognises the environment variables hubfleet can set from a
// secret: hub.extraEnv, singleuser.extraEnv and the gateway's env list.
func envTarget(path, key string) (comp, name string, ok bool) {
	p := strings.TrimPrefix(path, "spec.values.")
	for _, c := range []struct{ prefix, comp string }{
		{"jupyterhub.hub.extraEnv", EnvHub},
		{"jupyterhub.singleuser.extraEnv", EnvSingleuser},
		{"dask-gateway.gateway.env", EnvGateway},
		{"dask-gateway.gateway.extraEnv", EnvGateway},
	} {
		if strings.HasPrefix(p, c.prefix+".") || strings.HasPrefix(p, c.prefix+"[") {
			if envNameRE.MatchString(key) {
				return c.comp, key, true
			}
		}
	}
	return "", "", false
}
