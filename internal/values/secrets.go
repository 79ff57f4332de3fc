package values

import (
	"slices"
	"strings"

	"github.com/hubfleet/hubfleet/internal/site"
	"github.com/hubfleet/hubfleet/internal/valuetree"
)

// Secrets that carry spec.secrets.values: one SOPS-encrypted Secret per
// site with a key per value, and one Secret External Secrets fills.
const (
	SecretsName         = "hubfleet-secrets"
	ExternalSecretsName = "hubfleet-external-secrets"
)

// SecretNameFor is the Secret a spec.secrets.values entry is read from.
func SecretNameFor(v site.SecretValue) string {
	if v.ExternalSecret != nil {
		return ExternalSecretsName
	}
	return SecretsName
}

// envPaths are where each component's environment variables live in the
// daskhub layout. hub.extraEnv and singleuser.extraEnv take an EnvVar
// mapping as a value (z2jh's jupyterhub.extraEnv helper and KubeSpawner's
// environment); the gateway's env is a list of EnvVars.
var envPaths = map[string]string{
	site.EnvHub:        "jupyterhub.hub.extraEnv",
	site.EnvSingleuser: "jupyterhub.singleuser.extraEnv",
	site.EnvGateway:    "dask-gateway.gateway.env",
}

// secretValues wires spec.secrets.values into tree (daskhub layout):
// environment variables become valueFrom.secretKeyRef entries, so their
// values never enter the chart values; chart values become valuesFrom
// references (returned, with daskhub-layout target paths).
func (b *builder) secretValues(tree map[string]any) []ValuesFrom {
	sec := &b.s.Spec.Secrets
	var out []ValuesFrom
	for _, key := range sec.SecretKeys() {
		v := sec.Values[key]
		name := SecretNameFor(v)
		if v.TargetPath != "" {
			out = append(out, ValuesFrom{SecretName: name, Key: key, TargetPath: v.TargetPath})
			continue
		}
		if v.Env == nil {
			continue
		}
		from := map[string]any{"secretKeyRef": map[string]any{"name": name, "key": key}}
		p := envPaths[v.Env.Component]
		switch cur := valuetree.Get(tree, p).(type) {
		case []any:
			valuetree.Set(tree, p, append(cur, map[string]any{"name": v.Env.Name, "valueFrom": from}))
		case map[string]any:
			cur[v.Env.Name] = map[string]any{"valueFrom": from}
		default:
			if v.Env.Component == site.EnvGateway {
				valuetree.Set(tree, p, []any{map[string]any{"name": v.Env.Name, "valueFrom": from}})
			} else {
				valuetree.Set(tree, p, map[string]any{v.Env.Name: map[string]any{"valueFrom": from}})
			}
		}
	}
	return out
}

// notSecret is the hubfleet.dev/not-secret annotation of a release: the
// site's marks under spec.values, as paths of this HelmRelease, with their
// reasons. prefix is the release's part of the daskhub layout ("" for the
// umbrella).
func notSecret(s *site.Site, prefix string) string {
	var lines []string
	for _, m := range s.Spec.Secrets.NotSecret {
		p, ok := strings.CutPrefix(m.Path, "spec.values.")
		if !ok {
			continue
		}
		if prefix != "" {
			if p, ok = strings.CutPrefix(p, prefix+"."); !ok {
				continue
			}
		}
		lines = append(lines, "spec.values."+p+": "+strings.ReplaceAll(m.Reason, "\n", " "))
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// splitValuesFrom moves daskhub-layout valuesFrom onto a composed release.
func splitValuesFrom(in []ValuesFrom, prefix string) []ValuesFrom {
	var out []ValuesFrom
	for _, v := range in {
		if p, ok := strings.CutPrefix(v.TargetPath, prefix+"."); ok {
			v.TargetPath = p
			out = append(out, v)
		}
	}
	return out
}
