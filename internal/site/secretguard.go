package site

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hubfleet/hubfleet/internal/secretscan"
)

// CheckSecrets validates a site's secret channels and refuses every
// plain-text secret in the site file. The findings are the guard's one
// scan of the file (ScanFile, run when the file was decoded); no message
// about the site, this one or any other, spells a secret it found.
func CheckSecrets(r *reporter, s *Site) {
	validateSecretRefs(r, s)
	fs := SiteFindings(s)
	checkMarkScope(r, s, fs)
	r.errs = RedactErrors(r.errs, fs)
	for _, f := range fs {
		r.errs = append(r.errs, secretError(f, s.Metadata.Name))
	}
}

// checkMarkScope refuses a not-secret mark on a parent of what the guard
// finds: a mark covers exactly its field, so {path: spec.values} marks
// nothing, and the operator is told which fields to mark instead.
func checkMarkScope(r *reporter, s *Site, fs []secretscan.Finding) {
	for i, m := range s.Spec.Secrets.NotSecret {
		var below []string
		for _, f := range fs {
			if strings.HasPrefix(f.Path, m.Path+".") || strings.HasPrefix(f.Path, m.Path+"[") || strings.HasPrefix(f.Path, m.Path+"#") {
				below = append(below, f.Path)
			}
		}
		if len(below) == 0 {
			continue
		}
		r.add(KindSecret, fmt.Sprintf("spec.secrets.notSecret[%d].path", i),
			fmt.Sprintf("mark each field the guard reports on its own, e.g. {path: %s, reason: ...}, or move the secrets out", below[0]),
			"a not-secret mark covers exactly the field it names, not what is under it; %d finding(s) lie under %s", len(below), m.Path)
	}
}

// CheckFleetSecrets refuses plain-text secrets in the fleet file.
func CheckFleetSecrets(r *reporter, f *Fleet) {
	fs := FleetFindings(f)
	r.errs = RedactErrors(r.errs, fs)
	for _, fd := range fs {
		r.errs = append(r.errs, secretError(fd, ""))
	}
}

// secretScan is what the guard found in a file when it was decoded.
type secretScan struct {
	findings []secretscan.Finding
}

// SiteFindings are the plain-text secrets in a site file, except those
// marked in spec.secrets.notSecret: the scan of the file as written when
// it was decoded, or of the site as it is when it was built in memory
// (import, site new).
func SiteFindings(s *Site) []secretscan.Finding {
	if s.guard != nil {
		return s.guard.findings
	}
	raw, err := yaml.Marshal(s)
	if err != nil {
		return nil
	}
	fs, _ := scanKind(s.File, raw, KindSite)
	return fs
}

// FleetFindings are the plain-text secrets in the fleet file.
func FleetFindings(f *Fleet) []secretscan.Finding {
	if f.guard != nil {
		return f.guard.findings
	}
	raw, err := yaml.Marshal(f)
	if err != nil {
		return nil
	}
	fs, _ := scanKind(f.File, raw, KindFleet)
	return fs
}

// guardSecrets is the guard's scan of a site file as it is decoded: it
// keeps the findings for Check and masks them in the decoding errors
// (a literal where a mapping belongs is never quoted back).
func (s *Site) guardSecrets(data []byte, err error) error {
	fs, _ := scanKind(s.File, data, KindSite)
	s.guard = &secretScan{findings: fs}
	return redactErr(err, fs)
}

// guardSecrets is Site.guardSecrets for the fleet file.
func (f *Fleet) guardSecrets(data []byte, err error) error {
	fs, _ := scanKind(f.File, data, KindFleet)
	f.guard = &secretScan{findings: fs}
	return redactErr(err, fs)
}

func redactErr(err error, fs []secretscan.Finding) error {
	var el ErrorList
	if len(fs) == 0 || !errors.As(err, &el) {
		return err
	}
	return RedactErrors(el, fs)
}

// RedactErrors masks every secret of the findings in the errors' fields,
// messages and fixes, in place, and returns the list.
func RedactErrors(errs ErrorList, fs []secretscan.Finding) ErrorList {
	if len(fs) == 0 {
		return errs
	}
	for _, e := range errs {
		e.Field = secretscan.Redact(e.Field, fs)
		e.Msg = secretscan.Redact(e.Msg, fs)
		e.Fix = secretscan.Redact(e.Fix, fs)
	}
	return errs
}

// ScanFile is the guard's scan of one YAML file: a site or the fleet
// file with the site rules (their typed references pass, everything
// else with every rule: values, keys and comments), any other YAML file
// with every rule. ok reports whether it was a site or fleet file.
// validate, render, plan and check-secrets all reach it.
func ScanFile(file string, data []byte) (fs []secretscan.Finding, ok bool, err error) {
	var head struct {
		Kind string `yaml:"kind"`
	}
	if yaml.Unmarshal(data, &head) != nil || head.Kind != KindSite && head.Kind != KindFleet {
		return nil, false, nil
	}
	fs, err = scanKind(file, data, head.Kind)
	return fs, true, err
}

// scanKind scans a site or fleet file: its marks (spec.secrets.notSecret)
// pass at their exact paths; its secret references (spec.secrets.values,
// the notSecret list, age recipients) are names, scanned by value only.
func scanKind(file string, data []byte, kind string) ([]secretscan.Finding, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*yaml.Node
	for {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			if !errors.Is(err, io.EOF) {
				// What parsed is scanned; the rest as text.
				fs := scanDocs(file, data, kind, docs)
				return append(fs, secretscan.Text(file, data)...), err
			}
			break
		}
		docs = append(docs, &n)
	}
	return scanDocs(file, data, kind, docs), nil
}

func scanDocs(file string, data []byte, kind string, docs []*yaml.Node) []secretscan.Finding {
	marks := map[string]bool{}
	if kind == KindSite && len(docs) > 0 {
		var doc struct {
			Spec struct {
				Secrets struct {
					NotSecret []NotSecret `yaml:"notSecret"`
				} `yaml:"secrets"`
			} `yaml:"spec"`
		}
		_ = docs[0].Decode(&doc)
		for _, m := range doc.Spec.Secrets.NotSecret {
			marks[m.Path] = true
		}
	}
	var out []secretscan.Finding
	for _, n := range docs {
		out = append(out, secretscan.Node(n, secretscan.NodeOptions{
			Options:   secretscan.Options{File: file, Allowed: func(p string) bool { return marks[p] }},
			Reference: typedReference,
			Source:    data,
		})...)
	}
	return out
}

// typedReference reports the typed fields of site and fleet files that
// hold references to secrets, never secrets.
func typedReference(p string) bool {
	for _, r := range []string{"spec.secrets.values.", "spec.secrets.notSecret", "spec.secrets.ageRecipient", "spec.secrets.clusterAgeRecipient"} {
		if strings.HasPrefix(p, r) {
			return true
		}
	}
	return false
}

// SecretProblem is the problem a finding in any fleet file makes, with
// the fix for its kind of file. It never holds the secret.
func SecretProblem(f secretscan.Finding, fix string) *FieldError {
	return &FieldError{File: f.File, Line: f.Line, Field: f.Path, Kind: KindSecret,
		Msg: f.What + ": a plain-text secret never goes into git [" + f.Rule + "]", Fix: fix}
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
	switch {
	case strings.HasSuffix(path, "#comment"):
		return "delete the secret from the comment, and rotate it: git history keeps what was committed"
	case strings.Contains(path, secretscan.KeyMask):
		return "rename the key: a secret never names a key; keep the secret in the site's SOPS-encrypted Secret (hubfleet secret set)"
	}
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
