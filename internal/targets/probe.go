package targets

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"time"

	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/flux"
	"github.com/hubfleet/hubfleet/internal/secrets"
	"github.com/hubfleet/hubfleet/internal/site"
	"github.com/hubfleet/hubfleet/internal/verify"
)

// Spawn asks for the spawn probe (verify --spawn) on every site verified.
type Spawn struct {
	// Root is the fleet repository's work tree: the probe's token is read
	// from overlays/<site>/hubfleet-secrets.sops.yaml there, decrypted with
	// the age identity SOPS finds (SOPS_AGE_KEY, SOPS_AGE_KEY_FILE).
	Root string
	// DaskGateway computes on a dask-gateway cluster (sites with a
	// gateway); else on a LocalCluster in the server.
	DaskGateway bool
	// SpawnTimeout, when set, replaces every site's spawn timeout.
	SpawnTimeout time.Duration
}

// probes sets the Probe of each target whose site configures one, and
// ProbeSkipped (with the reason) on the others.
func probes(ts []verify.Target, fl *fleet.Fleet, sp *Spawn) {
	for i := range ts {
		s := fl.Site(ts[i].Site)
		if s == nil {
			continue
		}
		p, ok := site.ProbeOf(s)
		if !ok {
			ts[i].ProbeSkipped = "the site configures no probe (spec.probe in " + s.File + ")"
			continue
		}
		pr := &verify.Probe{
			User: p.User, Profile: p.Profile, Service: site.ProbeService,
			Scopes: site.ProbeScopes(p.User), Imports: p.Imports, Image: s.Spec.Singleuser.Image,
			DaskGateway: sp.DaskGateway && s.Spec.GatewayEnabled(),
			Configure:   s.File + " spec.probe",
			Timeouts: verify.ProbeTimeouts{Spawn: site.Seconds(p.Timeouts.Spawn), Kernel: site.Seconds(p.Timeouts.Kernel),
				Code: site.Seconds(p.Timeouts.Code), Dask: site.Seconds(p.Timeouts.Dask), Stop: site.Seconds(p.Timeouts.Stop)},
		}
		if sp.SpawnTimeout > 0 {
			pr.Timeouts.Spawn = sp.SpawnTimeout
		}
		pr.Token, pr.TokenMissing, pr.TokenFix = probeToken(sp.Root, s, p.TokenKey)
		ts[i].Probe = pr
	}
}

// probeToken decrypts the probe's token from the site's secrets file. The
// value is returned only; no message holds it.
func probeToken(root string, s *site.Site, key string) (token, missing, fix string) {
	name := s.Metadata.Name
	rel := path.Join(fleet.OverlayDir(name), flux.SecretsFile)
	store := fmt.Sprintf("openssl rand -hex 32 | hubfleet secret set --site %s --key %s, then deploy", name, key)
	v, declared := s.Spec.Secrets.Values[key]
	switch {
	case !declared:
		return "", fmt.Sprintf("%s declares no secret %s in spec.secrets.values", s.File, key),
			fmt.Sprintf("declare it (spec.secrets.values.%s: {targetPath: %s}) and store it: %s", key, site.ProbeTokenPath, store)
	case v.ExternalSecret != nil:
		return "", fmt.Sprintf("the token %s comes from External Secrets, which verify cannot read", key),
			"keep the probe token in the site's SOPS-encrypted secrets instead: " + store
	}
	enc, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
	if errors.Is(err, fs.ErrNotExist) {
		return "", rel + " does not exist", store
	} else if err != nil {
		return "", fmt.Sprintf("cannot read %s: %v", rel, err), "check the file's permissions"
	}
	data, err := secrets.Decrypt(enc)
	if err != nil {
		return "", fmt.Sprintf("cannot decrypt %s: %s", rel, firstLine(err.Error())),
			"give verify an age identity of one of the file's recipients (SOPS_AGE_KEY_FILE or SOPS_AGE_KEY; in the Action, the sops-age-key input)"
	}
	t, ok := data[key]
	if !ok || t == "" {
		return "", fmt.Sprintf("%s holds no key %s", rel, key), store
	}
	return t, "", ""
}

func firstLine(s string) string {
	for i, c := range s {
		if c == '\n' {
			return s[:i]
		}
	}
	return s
}
