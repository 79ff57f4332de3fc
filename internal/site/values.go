package site

import (
	"fmt"
	"sort"
	"strings"
)

// secretKeys are chart value keys that hold secrets. A literal value there
// is refused: secrets reach the chart through valuesFrom.
var secretKeys = map[string]bool{
	"secretToken": true, "cookieSecret": true, "apiToken": true,
	"client_secret": true, "password": true,
}

// IsSecretPath reports whether a dotted values path holds a secret.
func IsSecretPath(path string) bool {
	last := path[strings.LastIndex(path, ".")+1:]
	return secretKeys[last] || strings.HasSuffix(path, "CryptKeeper.keys")
}

// IsSOPSValue reports whether v is a SOPS-encrypted value.
func IsSOPSValue(v string) bool {
	return strings.HasPrefix(v, "ENC[") && strings.HasSuffix(v, "]")
}

// owned are value paths (daskhub layout) that hubfleet derives from the
// site spec; an override there would silently fight the spec.
var owned = []struct{ prefix, fix string }{
	{"jupyterhub.hub.baseUrl", "remove it and set spec.baseURL instead"},
	{"jupyterhub.ingress", "remove it and set spec.host and spec.tls instead"},
	{"jupyterhub.proxy.https", "remove it and set spec.tls instead"},
	{"jupyterhub.proxy.service.type", "remove it and set spec.tls instead"},
	{"jupyterhub.hub.config.JupyterHub.authenticator_class", "remove it and set spec.auth.provider instead"},
	{"jupyterhub.hub.extraConfig.00-add-dask-gateway-values", "remove it: hubfleet writes the dask-gateway glue"},
	{"jupyterhub.hub.services.dask-gateway", "remove it: hubfleet registers the dask-gateway service"},
	{"jupyterhub.singleuser.image", "remove it and set spec.singleuser.image instead"},
	{"jupyterhub.singleuser.profileList", "remove it and set spec.singleuser.profiles instead"},
	{"dask-gateway.enabled", "remove it and set spec.daskGateway.enabled instead"},
	{"dask-gateway.gateway.prefix", "remove it: dask-gateway must stay at /services/dask-gateway"},
	{"dask-gateway.gateway.auth", "remove it: dask-gateway authenticates through JupyterHub"},
	{"dask-gateway.gateway.extraConfig.hubfleet-limits", "remove it and set spec.daskGateway.limits instead"},
	{"dask-gateway.gateway.extraConfig.hubfleet-options", "remove it and set spec.daskGateway.workerOptions instead"},
	{"dask-kubernetes.enabled", "remove it and set spec.daskKubernetes instead"},
}

// authOwned are keys under jupyterhub.hub.config.<Authenticator> that
// hubfleet writes from spec.auth.
var authOwned = map[string]bool{
	"client_id": true, "oauth_callback_url": true, "authorize_url": true,
	"token_url": true, "userdata_url": true, "tenant_id": true,
	"allowed_groups": true, "claim_groups_key": true, "manage_groups": true,
	"auth_state_groups_key": true, "admin_users": true, "allowed_users": true,
	"allow_all": true, "userdata_from_id_token": true,
}

// CheckValues reports literal secrets and overrides of hubfleet-owned
// values in a free-form values tree rooted at field.
func CheckValues(r *reporter, field string, values map[string]any) {
	walkValues(values, "", func(path string, v any) {
		full := field + "." + path
		if IsSecretPath(path) {
			if s, ok := literal(v); ok && !IsSOPSValue(s) {
				r.add(KindSecret, full, secretFix(path),
					"a literal secret is not allowed in git")
			}
			return
		}
		for _, o := range owned {
			if path == o.prefix || strings.HasPrefix(path, o.prefix+".") {
				r.add(KindOwned, full, o.fix, "hubfleet owns %s: it derives it from the site spec", o.prefix)
				return
			}
		}
		parts := strings.Split(path, ".")
		if len(parts) == 5 && parts[0] == "jupyterhub" && parts[1] == "hub" && parts[2] == "config" && strings.HasSuffix(parts[3], "Authenticator") && authOwned[parts[4]] {
			r.add(KindOwned, full, "remove it and set spec.auth instead", "hubfleet owns %s: it derives it from spec.auth", path)
		}
	})
}

func secretFix(path string) string {
	switch {
	case strings.HasSuffix(path, "client_secret"):
		return "remove it; run `hubfleet secret set --site NAME` to store the client secret SOPS-encrypted"
	case strings.HasSuffix(path, "secretToken"), strings.HasSuffix(path, "cookieSecret"), strings.HasSuffix(path, "apiToken"), strings.HasSuffix(path, "CryptKeeper.keys"):
		return "remove it; the jupyterhub chart generates and keeps this secret itself"
	}
	return "remove it; pass it through a SOPS-encrypted Secret and valuesFrom"
}

// literal reports whether v is a literal scalar (or list of scalars).
func literal(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", false
	case string:
		return x, x != ""
	case []any:
		for _, e := range x {
			if s, ok := literal(e); ok && !IsSOPSValue(s) {
				return s, true
			}
		}
		return "", false
	case map[string]any:
		return "", false
	default:
		return fmt.Sprint(x), true
	}
}

// walkValues visits every leaf (and every secret-named key) in sorted order.
func walkValues(m map[string]any, prefix string, visit func(path string, v any)) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p := k
		if prefix != "" {
			p = prefix + "." + k
		}
		if sub, ok := m[k].(map[string]any); ok && !IsSecretPath(p) {
			if len(sub) == 0 {
				visit(p, sub)
			}
			walkValues(sub, p, visit)
			continue
		}
		visit(p, m[k])
	}
}
