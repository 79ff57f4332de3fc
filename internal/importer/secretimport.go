package importer

import (
	"github.com/hubfleet/hubfleet/internal/secretscan"
	"github.com/hubfleet/hubfleet/internal/site"
)

// guard removes from the site's values whatever the secret guard still
// finds there (a token used as a key, a key with dots, gateway code kept
// as it was), reports each as moved to a secret, and masks the secrets in
// every note of the report: import never writes or prints what validate
// would refuse.
func (im *importer) guard(s *site.Site) {
	fs := secretscan.StripTree(s.Spec.Values, secretscan.Options{})
	for _, f := range fs {
		im.note(Dropped, f.Path, "%s: moved to a secret: %s", f.What, site.SecretFix("spec.values."+f.Path, f.Key, im.opts.Name))
	}
	for i := range im.report {
		im.report[i].Path = secretscan.Redact(im.report[i].Path, fs)
		im.report[i].Note = secretscan.Redact(im.report[i].Note, fs)
	}
}
