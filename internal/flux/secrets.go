package flux

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/site"
	"github.com/hubfleet/hubfleet/internal/values"
)

// SecretsFile is the site's SOPS-encrypted Secret holding the keys of
// spec.secrets.values, written by `hubfleet secret set --key`.
const SecretsFile = values.SecretsName + ".sops.yaml"

// SOPSKeys are the keys of spec.secrets.values a site reads from its
// SOPS-encrypted Secret, sorted.
func SOPSKeys(s *site.Site) []string {
	var out []string
	for _, k := range s.Spec.Secrets.SecretKeys() {
		if s.Spec.Secrets.Values[k].ExternalSecret == nil {
			out = append(out, k)
		}
	}
	return out
}

// checkSecretsFile reports the SOPS keys a site needs that its
// overlay's Secret lacks. SOPS leaves keys readable, so no key is needed.
func checkSecretsFile(fsys fs.FS, s *site.Site, kept []string) error {
	need := SOPSKeys(s)
	if len(need) == 0 {
		return nil
	}
	name := s.Metadata.Name
	file := path.Join(fleet.OverlayDir(name), SecretsFile)
	var have map[string]any
	if slices.Contains(kept, SecretsFile) {
		b, err := fs.ReadFile(fsys, file)
		if err != nil {
			return err
		}
		var sec struct {
			StringData map[string]any `json:"stringData"`
		}
		if err := yaml.Unmarshal(b, &sec); err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		have = sec.StringData
	}
	var missing []string
	for _, k := range need {
		if _, ok := have[k]; !ok {
			missing = append(missing, fmt.Sprintf("%s: site %s reads spec.secrets.values.%s from %s, which does not hold it: run 'hubfleet secret set --site %s --key %s' (the value on standard input)",
				s.File, name, k, file, name, k))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s", strings.Join(missing, "\n"))
	}
	return nil
}

// externalSecrets is the ExternalSecret that fills the site's
// hubfleet-external-secrets Secret, one entry per key; nil when no key
// comes from External Secrets. Every entry must share one store.
func externalSecrets(s *site.Site, ns string, labels map[string]string) map[string]any {
	var data []any
	var store *site.ExternalSecretRef
	for _, k := range s.Spec.Secrets.SecretKeys() {
		es := s.Spec.Secrets.Values[k].ExternalSecret
		if es == nil {
			continue
		}
		if store == nil {
			store = es
		}
		data = append(data, map[string]any{"secretKey": k, "remoteRef": remoteRef(es)})
	}
	if store == nil {
		return nil
	}
	return externalSecretObject(values.ExternalSecretsName, ns, labels, store, data)
}
