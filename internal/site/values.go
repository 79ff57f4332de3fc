package site

import (
	"sort"
	"strings"
)

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

// conditional are owned paths hubfleet derives only when the site sets
// the typed field: without it the value passes through spec.values.
var conditional = map[string]func(s *Site) bool{
	"jupyterhub.singleuser.image":                      func(s *Site) bool { return s.Spec.Singleuser.Image != "" },
	"jupyterhub.singleuser.profileList":                func(s *Site) bool { return len(s.Spec.Singleuser.Profiles) > 0 },
	"jupyterhub.hub.services.dask-gateway":             func(s *Site) bool { return s.Spec.GatewayEnabled() },
	"dask-gateway.gateway.extraConfig.hubfleet-limits": func(s *Site) bool { return s.Spec.DaskGateway.Limits != (ClusterLimits{}) },
}

// endpointKeys are the authenticator keys hubfleet derives only for the
// providers it writes endpoints for (egi-checkin, cognito, azuread, oidc).
var endpointKeys = map[string]bool{"authorize_url": true, "token_url": true, "userdata_url": true, "tenant_id": true, "userdata_from_id_token": true}

// checkSiteValues is CheckValues for a site: a path is owned only if
// hubfleet derives it for this site.
func checkSiteValues(r *reporter, s *Site) {
	field := "spec.values"
	derivesEndpoints := map[string]bool{AuthEGICheckin: true, AuthCognito: true, AuthAzureAD: true, AuthOIDC: true}[s.Spec.Auth.Provider]
	walkValues(s.Spec.Values, "", func(path string, v any) {
		full := field + "." + path
		for _, o := range owned {
			if path == o.prefix || strings.HasPrefix(path, o.prefix+".") {
				if cond, ok := conditional[o.prefix]; ok && !cond(s) {
					return
				}
				r.add(KindOwned, full, o.fix+", or set it through spec.overrides with a reason", "hubfleet owns %s: it derives it from the site spec", o.prefix)
				return
			}
		}
		parts := strings.Split(path, ".")
		if len(parts) == 5 && parts[0] == "jupyterhub" && parts[1] == "hub" && parts[2] == "config" && strings.HasSuffix(parts[3], "Authenticator") && authOwned[parts[4]] {
			if endpointKeys[parts[4]] && !derivesEndpoints {
				return
			}
			r.add(KindOwned, full, "remove it and set spec.auth instead", "hubfleet owns %s: it derives it from spec.auth", path)
		}
	})
}

// authOwned are keys under jupyterhub.hub.config.<Authenticator> that
// hubfleet writes from spec.auth.
var authOwned = map[string]bool{
	"client_id": true, "oauth_callback_url": true, "authorize_url": true,
	"token_url": true, "userdata_url": true, "tenant_id": true,
	"allowed_groups": true, "claim_groups_key": true, "manage_groups": true,
	"auth_state_groups_key": true, "admin_users": true, "allowed_users": true,
	"allow_all": true, "userdata_from_id_token": true,
	"blocked_users": true, "admin_groups": true, "allow_existing_users": true,
	"allowed_organizations": true, "allowed_idps": true, "hosted_domain": true,
	"allowed_gitlab_groups": true, "allowed_project_ids": true, "auth0_domain": true,
	"gitlab_url": true,
}

// CheckValues reports overrides of hubfleet-owned values in a free-form
// values tree rooted at field. Secrets are checked by checkSiteSecrets.
func CheckValues(r *reporter, field string, values map[string]any) {
	walkValues(values, "", func(path string, v any) {
		full := field + "." + path
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

// walkValues visits every leaf in sorted order.
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
		if sub, ok := m[k].(map[string]any); ok {
			if len(sub) == 0 {
				visit(p, sub)
			}
			walkValues(sub, p, visit)
			continue
		}
		visit(p, m[k])
	}
}
