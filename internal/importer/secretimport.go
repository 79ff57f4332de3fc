package importer

import (
	"strings"

	"github.com/hubfleet/hubfleet/internal/secretscan"
	"github.com/hubfleet/hubfleet/internal/site"
)

// guard removes from the values the site passes through (its own and each
// sibling release's) whatever the secret guard still finds there (a token
// used as a key, gateway code kept as it was), reports each as a secret to
// set through the secret channel, and masks the secrets in every line of
// the report: import never writes or prints what validate would refuse.
func (im *importer) guard(s *site.Site) {
	var all []secretscan.Finding
	fs := secretscan.StripTree(s.Spec.Values, secretscan.Options{})
	im.guarded(fs, "spec.values", nil)
	all = append(all, fs...)
	for i := range s.Spec.Releases {
		r := &s.Spec.Releases[i]
		fs := secretscan.StripTree(r.Values, secretscan.Options{})
		im.guarded(fs, "spec.releases["+r.Name+"].values", Path{"releases", r.Name})
		all = append(all, fs...)
	}
	// An override carries code the site needs as it is (extraConfig that
	// sets an owned trait): one that holds a secret cannot be written at
	// all, so it goes whole, reported as a secret.
	kept := s.Spec.Overrides[:0]
	for _, o := range s.Spec.Overrides {
		fs := secretscan.StripTree(nest(o.Path, o.Value), secretscan.Options{})
		if len(fs) == 0 {
			kept = append(kept, o)
			continue
		}
		im.guarded(fs, "spec.overrides", nil)
		all = append(all, fs...)
	}
	s.Spec.Overrides = kept
	for i := range im.items {
		im.items[i].Path = secretscan.Redact(im.items[i].Path, all)
		im.items[i].Note = secretscan.Redact(im.items[i].Note, all)
		for j, k := range im.items[i].Keys {
			im.items[i].Keys[j] = secretscan.Redact(k, all)
		}
	}
}

// guarded turns the kept items under each finding into secret items, so
// that every input leaf is still reported once; a finding no kept item
// covers is reported on its own.
func (im *importer) guarded(fs []secretscan.Finding, prefix string, to Path) {
	for _, f := range fs {
		fix := site.SecretFix(prefix+"."+f.Path, f.Key, im.opts.Name)
		hit := false
		for i := range im.items {
			it := &im.items[i]
			if it.Action != Kept || !it.To.under(to) {
				continue
			}
			rel := it.To[len(to):].String()
			if rel == f.Path || strings.HasPrefix(rel, f.Path+".") || strings.HasPrefix(rel, f.Path+"[") {
				it.Action, it.To = Secret, nil
				it.Note = f.What + ": not copied; " + fix
				hit = true
			}
		}
		if !hit {
			im.items = append(im.items, Item{Action: Secret, Path: f.Path, Keys: dotted(f.Path), Note: f.What + ": not copied; " + fix})
		}
	}
}

// nest puts v at path p of a new values tree, so the guard reads it at
// the path the chart gets it.
func nest(p []string, v any) map[string]any {
	if len(p) == 0 {
		return map[string]any{"value": v}
	}
	root := map[string]any{}
	m := root
	for _, k := range p[:len(p)-1] {
		next := map[string]any{}
		m[k] = next
		m = next
	}
	m[p[len(p)-1]] = v
	return root
}
