package values

import "github.com/hubfleet/hubfleet/internal/site"

// DaskKubernetesAccount is the ServiceAccount user pods run as when users
// create Dask clusters themselves with dask-kubernetes.
const DaskKubernetesAccount = "daskkubernetes"

// DaskKubernetesRBAC is what the daskhub umbrella's
// templates/dask-kubernetes-rbac.yaml creates (a ServiceAccount, a Role on
// pods, services and pods/log, and their RoleBinding), for a composed site
// with dask-kubernetes: the jupyterhub chart alone has no such template,
// so hubfleet writes these objects into the overlay. Nil otherwise.
func DaskKubernetesRBAC(s *site.Site, f *site.Fleet) []map[string]any {
	if !s.Spec.DaskKubernetes || site.ModeOf(s, f) != site.ModeComposed {
		return nil
	}
	ns := site.NamespaceOf(s, f)
	meta := func() map[string]any {
		return map[string]any{"name": DaskKubernetesAccount, "namespace": ns}
	}
	return []map[string]any{
		{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta()},
		{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": meta(),
			"rules": []any{
				map[string]any{"apiGroups": []any{""}, "resources": []any{"pods", "services"}, "verbs": []any{"get", "list", "watch", "create", "delete"}},
				map[string]any{"apiGroups": []any{""}, "resources": []any{"pods/log"}, "verbs": []any{"get", "list"}},
			}},
		{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": meta(),
			"subjects": []any{map[string]any{"kind": "ServiceAccount", "name": DaskKubernetesAccount, "namespace": ns}},
			"roleRef":  map[string]any{"kind": "Role", "name": DaskKubernetesAccount, "apiGroup": "rbac.authorization.k8s.io"}},
	}
}
