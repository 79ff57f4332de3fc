package site

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/Masterminds/semver/v3"
	"k8s.io/apimachinery/pkg/util/validation"
)

// reservedNamespaces belong to Kubernetes or Flux. A site's overlay holds
// its Namespace object under a pruning Kustomization, so removing the
// site would delete the namespace and everything in it.
var reservedNamespaces = map[string]string{
	"default":         "whatever is created without a namespace",
	"kube-system":     "Kubernetes' own components",
	"kube-public":     "Kubernetes' public cluster information",
	"kube-node-lease": "the nodes' heartbeats",
	"flux-system":     "Flux itself",
}

// checkNamespace reports a namespace that is not a DNS label or that
// belongs to Kubernetes or Flux.
func checkNamespace(r *reporter, field, ns string) {
	if ns == "" {
		return
	}
	checkLabel(r, field, ns)
	what, reserved := reservedNamespaces[ns]
	if !reserved && strings.HasPrefix(ns, "kube-") {
		what, reserved = "Kubernetes components (the kube- prefix is Kubernetes')", true
	}
	if reserved {
		r.add(KindReservedNS, field, "use a namespace of its own, e.g. daskhub",
			"namespace %q is reserved: it holds %s, and the site's overlay creates and prunes its namespace, so removing the site would delete it", ns, what)
	}
}

// checkLabels reports label keys and values the API server would refuse.
func checkLabels(r *reporter, field string, labels map[string]string) {
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		f := field + "." + k
		if errs := validation.IsQualifiedName(k); len(errs) > 0 {
			r.add(KindLabel, f, "use letters, digits, '-', '_' and '.', at most 63 characters, with an optional DNS prefix and '/' (e.g. example.org/team)",
				"%q is not a valid label key: %s", k, strings.Join(errs, "; "))
		}
		if v := labels[k]; len(validation.IsValidLabelValue(v)) > 0 {
			r.add(KindLabel, f, fmt.Sprintf("write %q (letters, digits, '-', '_' and '.', starting and ending with a letter or digit, at most 63 characters)", suggestLabelValue(v)),
				"%q is not a valid label value", v)
		}
	}
}

func suggestLabelValue(v string) string {
	var b strings.Builder
	for _, c := range v {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.':
			b.WriteRune(c)
		default:
			b.WriteByte('-')
		}
	}
	s := b.String()
	if len(s) > 63 {
		s = s[:63]
	}
	return strings.Trim(s, "-_.")
}

// NewestKubernetesMinor is the newest Kubernetes minor release hubfleet
// knows of (1.35, December 2025). A version beyond the next few minors
// does not exist.
const NewestKubernetesMinor = 35

// oldestKubernetesMinor is the oldest minor version any supported chart
// could run on (z2jh 3.x needs 1.23).
const oldestKubernetesMinor = 23

// checkKubeVersion reports a Kubernetes version that is not
// MAJOR.MINOR.PATCH or that does not exist.
func checkKubeVersion(r *reporter, field, v string) {
	if v == "" {
		return
	}
	ver, err := semver.StrictNewVersion(strings.TrimPrefix(v, "v"))
	if err != nil {
		r.add(KindKubeVersion, field, "write the cluster's version as MAJOR.MINOR.PATCH, e.g. 1.30.4 (kubectl version prints it)", "%q is not a Kubernetes version", v)
		return
	}
	// Releases come out three times a year: allow a little headroom past
	// the newest known one.
	newest := NewestKubernetesMinor + 3
	switch {
	case ver.Major() != 1 || ver.Minor() > uint64(newest):
		r.add(KindKubeVersion, field, fmt.Sprintf("write the version `kubectl version` prints for the cluster, e.g. 1.%d.0", NewestKubernetesMinor),
			"Kubernetes %s does not exist (releases are 1.x; the newest known is 1.%d)", v, NewestKubernetesMinor)
	case ver.Minor() < oldestKubernetesMinor:
		r.add(KindKubeVersion, field, "upgrade the cluster; no supported chart runs on it",
			"Kubernetes %s is older than 1.%d, the oldest any jupyterhub chart hubfleet renders supports", v, oldestKubernetesMinor)
	case ver.Prerelease() != "":
		r.warn(KindKubeVersion, field, "use a released version", "Kubernetes %s is a pre-release", v)
	}
}

var pathSegmentRE = regexp.MustCompile(`^[A-Za-z0-9._~-]+$`)

// checkBaseURL reports a base URL that is not a plain, normalised path.
func checkBaseURL(r *reporter, field, b string) {
	if b == "" {
		return
	}
	fix := "write a path that starts and ends with '/', e.g. /jupyterhub/"
	if !strings.HasPrefix(b, "/") || !strings.HasSuffix(b, "/") || strings.Contains(b, "//") {
		r.add(KindURL, field, fix, "%q is not a base URL path", b)
		return
	}
	for _, seg := range strings.Split(strings.Trim(b, "/"), "/") {
		if seg == "" {
			continue
		}
		switch {
		case seg == "." || seg == "..":
			r.add(KindURL, field, fix+" without '.' or '..' segments", "%q has a %q segment: browsers and proxies resolve it to another path", b, seg)
			return
		case !pathSegmentRE.MatchString(seg):
			r.add(KindURL, field, "use letters, digits, '-', '_', '.' and '~' in each segment, e.g. /jupyterhub/",
				"%q has the segment %q, which needs URL escaping", b, seg)
			return
		}
	}
}

// checkHostLabels reports a DNS label longer than 63 characters.
func checkHostLabels(r *reporter, field, host string) bool {
	for _, l := range strings.Split(host, ".") {
		if len(l) > 63 {
			r.add(KindHost, field, "shorten that part of the name to at most 63 characters",
				"%q has a %d-character label %q: DNS labels are at most 63 characters", host, len(l), l[:20]+"...")
			return false
		}
	}
	return true
}

// checkUsers reports empty or repeated user names.
func checkUsers(r *reporter, field string, users []string) {
	seen := map[string]int{}
	for i, u := range users {
		f := fmt.Sprintf("%s[%d]", field, i)
		if strings.TrimSpace(u) == "" {
			r.add(KindRequired, f, "remove the empty entry, or write the user name", "an empty user name matches no one")
			continue
		}
		if u != strings.TrimSpace(u) {
			r.add(KindAuth, f, fmt.Sprintf("write %q", strings.TrimSpace(u)), "user name %q has leading or trailing spaces", u)
		}
		if j, dup := seen[u]; dup {
			r.add(KindDuplicateKey, f, "remove the repeated entry", "user %q is already listed at %s[%d]", u, field, j)
		}
		seen[u] = i
	}
}

// checkMemoryNotZero reports a memory size of zero.
func checkMemoryNotZero(r *reporter, base string, mem Memory) {
	for _, m := range []struct{ field, v string }{{base + ".memory.guarantee", mem.Guarantee}, {base + ".memory.limit", mem.Limit}} {
		if n, err := ParseByteSpec(m.v); err == nil && m.v != "" && n == 0 {
			r.add(KindRange, m.field, "write a size such as 2G, or remove the field to use the chart's default", "%q is zero bytes: no server can start with no memory", m.v)
		}
	}
}

// checkGPUPlacement reports a GPU profile that says nothing about where
// GPU nodes are: its pods would wait for a GPU on nodes that have none,
// or be refused by the GPU nodes' taint.
func checkGPUPlacement(r *reporter, base string, p Profile) {
	if p.GPUs > 0 && len(p.NodeSelector) == 0 && len(p.Tolerations) == 0 {
		r.add(KindPlacement, base+".gpus", "add nodeSelector (e.g. {node.kubernetes.io/instance-type: g4dn.xlarge}) and the GPU nodes' tolerations (e.g. {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}) to the profile",
			"profile %q requests %d GPU(s) but has no nodeSelector or tolerations for the GPU node pool", p.Name, p.GPUs)
	}
}

// checkSOPSRecipient reports a site whose client secret is kept in SOPS
// but that names no age key its cluster can decrypt with.
func checkSOPSRecipient(r *reporter, s *Site, f *Fleet) {
	a := &s.Spec.Auth
	if a.Provider == "" || !ClassOf(a).OAuth || a.ClientSecret.ExternalSecret != nil {
		return
	}
	if s.Spec.Secrets.AgeRecipient != "" || (f != nil && f.Spec.Secrets.ClusterAgeRecipient != "") {
		return
	}
	r.add(KindSecretsWiring, "spec.secrets.ageRecipient",
		"run `hubfleet secret keygen --site "+s.Metadata.Name+"`: it writes the public key here and prints the kubectl command that puts the private key in the cluster (or set spec.secrets.clusterAgeRecipient in the fleet, or use clientSecret.externalSecret)",
		"the client secret is kept SOPS-encrypted, but no age key names this site's cluster: Flux there could not decrypt it")
}

// pythonAssignRE finds `c.Class.trait =` (and `c.Class.trait.update(`)
// in traitlets configuration code.
var pythonAssignRE = regexp.MustCompile(`(?m)^[ \t]*c\.([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)\s*(?:=[^=]|\+=|\.update\(|\.append\(|\.extend\()`)

// ownedTraits are traitlets settings hubfleet writes from the site spec;
// code in extraConfig that sets one silently overrides the spec.
var ownedTraits = map[string]string{
	"JupyterHub.authenticator_class":    "spec.auth.provider",
	"JupyterHub.base_url":               "spec.baseURL",
	"JupyterHub.services":               "nothing: hubfleet registers the dask-gateway service",
	"KubeSpawner.image":                 "spec.singleuser.image",
	"KubeSpawner.profile_list":          "spec.singleuser.profiles",
	"Spawner.default_url":               "spec.singleuser.defaultURL",
	"KubeSpawner.default_url":           "spec.singleuser.defaultURL",
	"ClusterConfig.cluster_max_cores":   "spec.daskGateway.limits.maxCores",
	"ClusterConfig.cluster_max_memory":  "spec.daskGateway.limits.maxMemory",
	"ClusterConfig.cluster_max_workers": "spec.daskGateway.limits.maxWorkers",
	"ClusterConfig.idle_timeout":        "spec.daskGateway.limits.idleTimeout",
	"Backend.cluster_options":           "spec.daskGateway.workerOptions",
}

// derivedTrait reports whether hubfleet writes a traitlets setting for
// this site: it owns only what it derives. A nil site (the fleet's
// values) is checked against every setting hubfleet may derive.
func derivedTrait(s *Site, key string) bool {
	if s == nil {
		return true
	}
	sp := &s.Spec
	switch key {
	case "KubeSpawner.image":
		return sp.Singleuser.Image != ""
	case "KubeSpawner.profile_list":
		return len(sp.Singleuser.Profiles) > 0
	case "Spawner.default_url", "KubeSpawner.default_url":
		return sp.Singleuser.DefaultURL != ""
	case "ClusterConfig.cluster_max_cores", "ClusterConfig.cluster_max_memory", "ClusterConfig.cluster_max_workers", "ClusterConfig.idle_timeout":
		return sp.DaskGateway.Limits != (ClusterLimits{})
	case "Backend.cluster_options":
		return !sp.DaskGateway.WorkerOptions.empty()
	case "JupyterHub.base_url":
		return sp.BaseURL != ""
	case "JupyterHub.services":
		return sp.GatewayEnabled()
	}
	return true
}

// overridden reports whether a site override names the values entry at
// path (dotted, daskhub layout).
func overridden(s *Site, path string) bool {
	if s == nil {
		return false
	}
	for _, o := range s.Spec.Overrides {
		if o.String() == path {
			return true
		}
	}
	return false
}

// checkExtraConfigCode reports hubfleet-owned settings assigned inside
// the Python of hub.extraConfig and gateway.extraConfig.
func checkExtraConfigCode(r *reporter, field string, values map[string]any) {
	checkExtraConfigCodeOf(r, field, values, nil)
}

// checkExtraConfigCodeOf is checkExtraConfigCode for one site: it skips
// settings the site does not derive and entries the site sets through
// spec.overrides (with a reason).
func checkExtraConfigCodeOf(r *reporter, field string, values map[string]any, s *Site) {
	for _, sec := range []string{"jupyterhub.hub.extraConfig", "dask-gateway.gateway.extraConfig"} {
		m, ok := lookupMap(values, sec)
		if !ok {
			continue
		}
		for _, name := range slices.Sorted(maps.Keys(m)) {
			code, ok := m[name].(string)
			if !ok {
				continue
			}
			f := field + "." + sec + "." + name
			if overridden(s, sec+"."+name) {
				continue
			}
			for _, loc := range pythonAssignRE.FindAllStringSubmatchIndex(code, -1) {
				class, trait := code[loc[2]:loc[3]], code[loc[4]:loc[5]]
				owner, owned := ownedTraits[class+"."+trait]
				if !owned && strings.HasSuffix(class, "Authenticator") && authOwned[trait] {
					owner, owned = "spec.auth", true
				}
				if !owned || !derivedTrait(s, class+"."+trait) {
					continue
				}
				delta := 0 // a one-line string sits on the key's line
				if strings.Contains(code, "\n") {
					delta = strings.Count(code[:loc[0]], "\n") + 1 // a block scalar starts below its key
				}
				r.addAt(KindOwnedCode, f, delta, "remove that line and set "+owner+" instead, or move the entry to spec.overrides with a reason",
					"the code sets c.%s.%s, which hubfleet derives from %s: it would silently override the site spec", class, trait, owner)
			}
		}
	}
}

// addAt is add with the line offset by delta (a line inside a block scalar).
func (r *reporter) addAt(kind Kind, field string, delta int, fix, format string, args ...any) {
	n := len(r.errs)
	r.add(kind, field, fix, format, args...)
	if len(r.errs) > n && r.errs[n].Line > 0 {
		r.errs[n].Line += delta
	}
}

func lookupMap(m map[string]any, dotted string) (map[string]any, bool) {
	cur := m
	for _, k := range strings.Split(dotted, ".") {
		next, ok := cur[k].(map[string]any)
		if !ok {
			return nil, false
		}
		cur = next
	}
	return cur, true
}

// ageKeyError explains why v is not an age public key.
func ageKeyError(v string, err error) string {
	switch {
	case strings.HasPrefix(v, "ssh-"):
		return fmt.Sprintf("%.20q... is an SSH key, not an age public key (age1...)", v)
	case strings.HasPrefix(v, "AGE-SECRET-KEY-"):
		return "this is an age PRIVATE key: remove it from the file at once and rotate it; only the public key (age1...) belongs here"
	case !strings.HasPrefix(v, "age1"):
		return fmt.Sprintf("%q is not an age public key: age public keys start with age1", v)
	}
	return fmt.Sprintf("not an age public key: %v", err)
}

// OwnedCode lists the hubfleet-derived settings (Class.trait) that code
// assigns, for this site: import moves such extraConfig entries to
// spec.overrides, with the reason.
func OwnedCode(s *Site, code string) []string {
	var out []string
	for _, m := range pythonAssignRE.FindAllStringSubmatch(code, -1) {
		class, trait := m[1], m[2]
		_, owned := ownedTraits[class+"."+trait]
		if !owned && strings.HasSuffix(class, "Authenticator") && authOwned[trait] {
			owned = true
		}
		if owned && derivedTrait(s, class+"."+trait) && !slices.Contains(out, class+"."+trait) {
			out = append(out, class+"."+trait)
		}
	}
	return out
}
