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
