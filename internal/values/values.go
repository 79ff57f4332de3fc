package values

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/hubfleet/hubfleet/internal/catalog"
	"github.com/hubfleet/hubfleet/internal/site"
	"github.com/hubfleet/hubfleet/internal/valuetree"
)

// Release names hubfleet gives its HelmReleases.
const (
	ReleaseDaskHub     = "daskhub"
	ReleaseJupyterHub  = "jupyterhub"
	ReleaseDaskGateway = "dask-gateway"
)

// ClientSecretName is the Secret that holds a site's OAuth client secret.
const (
	ClientSecretName = "oauth-client-secret"
	ClientSecretKey  = "client_secret"
)

// Release is one HelmRelease of a site.
type Release struct {
	// Name is the HelmRelease and Helm release name.
	Name string
	// Chart is the chart source and pinned version.
	Chart site.ChartSource
	// Values are the chart values (without secrets).
	Values map[string]any
	// ValuesFrom are the secret values, merged by helm-controller.
	ValuesFrom []ValuesFrom
	// DependsOn names releases that must be ready first.
	DependsOn []string
	// DriftIgnore are the drift-detection ignore rules, each for an
	// object this release's chart renders (see driftIgnore).
	DriftIgnore []DriftIgnore
	// NotSecret lists the values the site marked as not secret, as
	// "path: reason" lines (the hubfleet.dev/not-secret annotation).
	NotSecret string
	// Overrides lists the owned values the site overrides, as
	// "path: reason" lines (the hubfleet.dev/overrides annotation).
	Overrides string
}

// ValuesFrom is a value read from a Secret at reconcile time.
type ValuesFrom struct {
	SecretName string
	Key        string
	// TargetPath is the dotted path in this release's values.
	TargetPath string
}

// Releases computes the HelmReleases of a site. The site must be valid.
func Releases(s *site.Site, f *site.Fleet) []Release {
	rels := releases(s, f)
	for i := range rels {
		rels[i].DriftIgnore = driftIgnore(rels[i].Name)
	}
	return rels
}

func releases(s *site.Site, f *site.Fleet) []Release {
	mode := site.ModeOf(s, f)
	charts := f.ChartsFor(s.Spec.Wave)
	jh := site.JupyterHubChart(s, f)
	gw := site.GatewayChart(s, f)
	b := builder{s: s, f: f, mode: mode,
		jh: catalog.JupyterHub(jh.Version), gw: catalog.Gateway(gw.Version),
		gatewayRelease: ReleaseDaskHub}
	if mode == site.ModeComposed {
		b.gatewayRelease = ReleaseDaskGateway
	}
	if u := site.UmbrellaOf(s, f); u != nil {
		return b.umbrellaRelease(u)
	}

	// Build everything in the daskhub layout, then merge user values.
	tree := b.umbrella()
	valuetree.Merge(tree, f.Spec.Values)
	valuetree.Merge(tree, s.Spec.Values)
	b.withoutDefaultOptions(tree)
	applyOverrides(tree, s.Spec.Overrides)
	secretFrom := b.clientSecret()
	fromSecrets := b.secretValues(tree)

	if mode == site.ModeDaskHub {
		r := Release{Name: ReleaseDaskHub, Chart: charts.DaskHub, Values: tree, NotSecret: notSecret(s, "")}
		if secretFrom != nil {
			secretFrom.TargetPath = "jupyterhub." + secretFrom.TargetPath
			r.ValuesFrom = append(r.ValuesFrom, *secretFrom)
		}
		r.ValuesFrom = append(r.ValuesFrom, fromSecrets...)
		r.Overrides = overridesNote(s, "")
		return append([]Release{r}, siblings(s, f)...)
	}

	hub := Release{Name: ReleaseJupyterHub, Chart: charts.JupyterHub, Values: valuetree.Sub(tree, "jupyterhub"),
		NotSecret: notSecret(s, "jupyterhub"), Overrides: overridesNote(s, "jupyterhub")}
	if secretFrom != nil {
		hub.ValuesFrom = append(hub.ValuesFrom, *secretFrom)
	}
	hub.ValuesFrom = append(hub.ValuesFrom, splitValuesFrom(fromSecrets, "jupyterhub")...)
	out := []Release{hub}
	if s.Spec.GatewayEnabled() {
		gwValues := valuetree.Sub(tree, "dask-gateway")
		delete(gwValues, "enabled")
		out = append(out, Release{Name: ReleaseDaskGateway, Chart: charts.DaskGateway,
			Values: gwValues, DependsOn: []string{ReleaseJupyterHub},
			ValuesFrom: splitValuesFrom(fromSecrets, "dask-gateway"), NotSecret: notSecret(s, "dask-gateway"),
			Overrides: overridesNote(s, "dask-gateway")})
	}
	return append(out, siblings(s, f)...)
}

type builder struct {
	s              *site.Site
	f              *site.Fleet
	mode           string
	jh             catalog.JupyterHubRelease
	gw             catalog.GatewayRelease
	gatewayRelease string
}

// gatewayFullname mirrors the dask-gateway chart's fullname helper.
func (b *builder) gatewayFullname() string {
	if strings.Contains(b.gatewayRelease, "dask-gateway") {
		return b.gatewayRelease
	}
	return b.gatewayRelease + "-dask-gateway"
}

// Callback is the OAuth redirect URI of a site.
func Callback(s *site.Site) string {
	return "https://" + s.Spec.Host + strings.TrimSuffix(s.Spec.BaseURL, "/") + "/hub/oauth_callback"
}

// GatewayPrefix is the path dask-gateway is served at.
func GatewayPrefix(s *site.Site) string {
	return strings.TrimSuffix(s.Spec.BaseURL, "/") + "/services/dask-gateway"
}

func (b *builder) umbrella() map[string]any {
	sp := &b.s.Spec
	jh := map[string]any{}
	valuetree.Set(jh, "prePuller.hook.enabled", false)
	b.hub(jh)
	b.proxy(jh)
	b.singleuser(jh)
	b.placement(jh)

	tree := map[string]any{"jupyterhub": jh}
	if b.mode == site.ModeDaskHub {
		valuetree.Set(tree, "rbac.enabled", true)
		valuetree.Set(tree, "dask-gateway.enabled", sp.GatewayEnabled())
		valuetree.Set(tree, "dask-kubernetes.enabled", sp.DaskKubernetes)
	}
	if sp.DaskKubernetes {
		// The umbrella's RBAC in daskhub mode, hubfleet's in composed mode
		// (DaskKubernetesRBAC).
		valuetree.Set(jh, "singleuser.serviceAccountName", DaskKubernetesAccount)
	}
	if sp.GatewayEnabled() {
		tree["dask-gateway"] = b.gateway()
	}
	return tree
}

func (b *builder) hub(jh map[string]any) {
	sp := &b.s.Spec
	if sp.BaseURL != "" {
		valuetree.Set(jh, "hub.baseUrl", sp.BaseURL)
	}
	b.auth(jh)
	b.probe(jh)
	if !sp.GatewayEnabled() {
		return
	}
	valuetree.Set(jh, "hub.services.dask-gateway.display", false)
	if b.mode == site.ModeComposed {
		valuetree.Set(jh, "hub.extraConfig.00-add-dask-gateway-values", b.glue())
	}
	// dask-gateway's API reads the hub API; z2jh's hub NetworkPolicy only
	// admits pods labelled for it (dask/helm-chart#142). Admit the
	// gateway's pods instead of disabling the policy.
	valuetree.Set(jh, "hub.networkPolicy.ingress", []any{map[string]any{
		"from":  []any{map[string]any{"podSelector": b.gatewaySelector()}},
		"ports": []any{map[string]any{"port": 8081, "protocol": "TCP"}},
	}})
}

func (b *builder) gatewaySelector() map[string]any {
	return map[string]any{"matchLabels": map[string]any{
		"app.kubernetes.io/name":     "dask-gateway",
		"app.kubernetes.io/instance": b.gatewayRelease,
	}}
}

// glue is the daskhub umbrella's 00-add-dask-gateway-values hook, written
// for two releases: the gateway's names are known at render time.
func (b *builder) glue() string {
	ns := site.NamespaceOf(b.s, b.f)
	svc := fmt.Sprintf("traefik-%s.%s", b.gatewayFullname(), ns)
	return strings.Join([]string{
		"# Written by hubfleet: the daskhub chart's dask-gateway glue for a",
		"# jupyterhub release and a separate dask-gateway release.",
		"import os",
		"",
		`if "PROXY_HTTP_SERVICE_HOST" in os.environ:`,
		`    gateway_address = "http://{}:{}` + GatewayPrefix(b.s) + `/".format(`,
		`        os.environ["PROXY_HTTP_SERVICE_HOST"], os.environ["PROXY_HTTP_SERVICE_PORT"])`,
		"else:",
		`    gateway_address = "http://proxy-public` + GatewayPrefix(b.s) + `"`,
		`c.KubeSpawner.environment.setdefault("DASK_GATEWAY__ADDRESS", gateway_address)`,
		`c.KubeSpawner.environment.setdefault("DASK_GATEWAY__PROXY_ADDRESS", "gateway://` + svc + `:80")`,
		`c.KubeSpawner.environment.setdefault("DASK_GATEWAY__PUBLIC_ADDRESS", "` + GatewayPrefix(b.s) + `/")`,
		`c.KubeSpawner.environment.setdefault("DASK_GATEWAY__AUTH__TYPE", "jupyterhub")`,
		"",
		"for service in c.JupyterHub.services:",
		`    if service["name"] == "dask-gateway":`,
		`        service.setdefault("url", "http://` + svc + `")`,
		"        break",
		"",
	}, "\n")
}

func (b *builder) proxy(jh map[string]any) {
	t := &b.s.Spec.TLS
	host := b.s.Spec.Host
	switch t.Mode {
	case site.TLSAutoHTTPS:
		valuetree.Set(jh, "proxy.service.type", "LoadBalancer")
		valuetree.Set(jh, "proxy.https.enabled", true)
		valuetree.Set(jh, "proxy.https.type", "letsencrypt")
		valuetree.Set(jh, "proxy.https.hosts", []any{host})
		valuetree.Set(jh, "proxy.https.letsencrypt.contactEmail", t.ContactEmail)
		if t.Staging {
			valuetree.Set(jh, "proxy.https.letsencrypt.acmeServer", "https://acme-staging-v02.api.letsencrypt.org/directory")
		}
	default:
		valuetree.Set(jh, "proxy.service.type", "ClusterIP")
		valuetree.Set(jh, "ingress.enabled", true)
		valuetree.Set(jh, "ingress.hosts", []any{host})
		valuetree.Set(jh, "ingress.tls", []any{map[string]any{"hosts": []any{host}, "secretName": TLSSecretName(b.s)}})
		if t.IngressClass != "" {
			valuetree.Set(jh, "ingress.ingressClassName", t.IngressClass)
		}
		if t.Mode == site.TLSCertManager {
			valuetree.Set(jh, "ingress.annotations", map[string]any{"cert-manager.io/cluster-issuer": t.ClusterIssuer})
		}
	}
}

// TLSSecretName is the Secret the ingress serves the certificate from.
func TLSSecretName(s *site.Site) string {
	if s.Spec.TLS.SecretName != "" {
		return s.Spec.TLS.SecretName
	}
	return strings.ReplaceAll(s.Spec.Host, ".", "-") + "-tls"
}

func (b *builder) singleuser(jh map[string]any) {
	u := &b.s.Spec.Singleuser
	if u.Image != "" {
		name, tag := site.SplitImage(u.Image)
		valuetree.Set(jh, "singleuser.image.name", name)
		valuetree.Set(jh, "singleuser.image.tag", tag)
	}
	if u.CPU.Guarantee != 0 {
		valuetree.Set(jh, "singleuser.cpu.guarantee", u.CPU.Guarantee)
	}
	if u.CPU.Limit != 0 {
		valuetree.Set(jh, "singleuser.cpu.limit", u.CPU.Limit)
	}
	if u.Memory.Guarantee != "" {
		valuetree.Set(jh, "singleuser.memory.guarantee", byteValue(u.Memory.Guarantee))
	}
	if u.Memory.Limit != "" {
		valuetree.Set(jh, "singleuser.memory.limit", byteValue(u.Memory.Limit))
	}
	switch u.Storage.Type {
	case site.StorageNone:
		valuetree.Set(jh, "singleuser.storage.type", "none")
	case site.StorageStatic:
		valuetree.Set(jh, "singleuser.storage.type", "static")
		valuetree.Set(jh, "singleuser.storage.static.pvcName", u.Storage.ClaimName)
		sub := u.Storage.SubPath
		if sub == "" {
			sub = "home/{username}"
		}
		valuetree.Set(jh, "singleuser.storage.static.subPath", sub)
	case site.StorageDynamic:
		valuetree.Set(jh, "singleuser.storage.type", "dynamic")
	case site.StorageNFS:
		// The PersistentVolume and claim are in the overlay (NFSHomeObjects).
		valuetree.Set(jh, "singleuser.storage.type", "static")
		valuetree.Set(jh, "singleuser.storage.static.pvcName", NFSHomeClaim)
		sub := u.Storage.SubPath
		if sub == "" {
			sub = "{escaped_username}"
		}
		valuetree.Set(jh, "singleuser.storage.static.subPath", sub)
	}
	if u.Storage.Capacity != "" {
		valuetree.Set(jh, "singleuser.storage.capacity", u.Storage.Capacity)
	}
	if u.Storage.StorageClass != "" {
		valuetree.Set(jh, "singleuser.storage.dynamic.storageClass", u.Storage.StorageClass)
	}
	defURL := u.DefaultURL
	if defURL == "" {
		defURL = "/lab"
	}
	valuetree.Set(jh, "singleuser.defaultUrl", defURL)
	if u.StartTimeout > 0 {
		valuetree.Set(jh, "singleuser.startTimeout", u.StartTimeout)
	}
	if b.s.Spec.GatewayEnabled() {
		// Workers run the user's own image unless they pick another.
		valuetree.Set(jh, "singleuser.extraEnv.DASK_GATEWAY__CLUSTER__OPTIONS__IMAGE", "{JUPYTER_IMAGE_SPEC}")
		// z2jh denies egress to private IPs: let user pods reach the
		// gateway's traefik proxy, which schedulers are reached through.
		valuetree.Set(jh, "singleuser.networkPolicy.egress", []any{map[string]any{
			"to":    []any{map[string]any{"podSelector": b.gatewaySelector()}},
			"ports": []any{map[string]any{"port": 8000, "protocol": "TCP"}},
		}})
		if b.s.Spec.BaseURL != "" {
			valuetree.Set(jh, "singleuser.extraEnv.DASK_GATEWAY__PUBLIC_ADDRESS", GatewayPrefix(b.s)+"/")
		}
	}
	if len(u.Profiles) > 0 {
		valuetree.Set(jh, "singleuser.profileList", b.profiles())
	}
}

func (b *builder) profiles() []any {
	var out []any
	for _, p := range b.s.Spec.Singleuser.Profiles {
		over := map[string]any{}
		if p.Image != "" {
			over["image"] = p.Image
		}
		if p.CPU.Guarantee != 0 {
			over["cpu_guarantee"] = p.CPU.Guarantee
		}
		if p.CPU.Limit != 0 {
			over["cpu_limit"] = p.CPU.Limit
		}
		if p.Memory.Guarantee != "" {
			over["mem_guarantee"] = byteValue(p.Memory.Guarantee)
		}
		if p.Memory.Limit != "" {
			over["mem_limit"] = byteValue(p.Memory.Limit)
		}
		if p.GPUs > 0 {
			over["extra_resource_limits"] = map[string]any{"nvidia.com/gpu": fmt.Sprint(p.GPUs)}
		}
		if len(p.NodeSelector) > 0 {
			over["node_selector"] = stringMap(p.NodeSelector)
		}
		if len(p.Tolerations) > 0 {
			over["tolerations"] = tolerations(p.Tolerations)
		}
		if p.Override != nil {
			valuetree.Merge(over, overrideValues(*p.Override))
		}
		// A slug is written when the site gives one; KubeSpawner derives
		// one from the display name otherwise.
		e := map[string]any{"display_name": p.Name}
		if p.Slug != "" {
			e["slug"] = p.Slug
		}
		if p.Description != "" {
			e["description"] = p.Description
		}
		if p.Default {
			e["default"] = true
		}
		if len(over) > 0 {
			e["kubespawner_override"] = over
		}
		if len(p.AllowedGroups) > 0 {
			e["allowed_groups"] = anyStrings(p.AllowedGroups)
		}
		if len(p.Options) > 0 {
			e["profile_options"] = profileOptions(p.Options)
		}
		out = append(out, e)
	}
	return out
}

func (b *builder) placement(jh map[string]any) {
	p := &b.s.Spec.Placement
	if c := p.Core; c != nil {
		if len(c.NodeSelector) > 0 {
			for _, k := range []string{"hub", "proxy.chp", "proxy.traefik", "scheduling.userScheduler"} {
				valuetree.Set(jh, k+".nodeSelector", stringMap(c.NodeSelector))
			}
		}
		if len(c.Tolerations) > 0 {
			valuetree.Set(jh, "scheduling.corePods.tolerations", tolerations(c.Tolerations))
		}
	}
	if u := p.User; u != nil {
		if len(u.NodeSelector) > 0 {
			valuetree.Set(jh, "singleuser.nodeSelector", stringMap(u.NodeSelector))
		}
		if len(u.Tolerations) > 0 {
			valuetree.Set(jh, "singleuser.extraTolerations", tolerations(u.Tolerations))
		}
	}
}

func (b *builder) gateway() map[string]any {
	sp := &b.s.Spec
	g := map[string]any{}
	if b.mode == site.ModeComposed || sp.BaseURL != "" {
		valuetree.Set(g, "gateway.prefix", GatewayPrefix(b.s))
	}
	if b.mode == site.ModeComposed {
		// What the daskhub umbrella's values set for its subchart.
		valuetree.Set(g, "gateway.auth.type", "jupyterhub")
		valuetree.Set(g, "traefik.service.type", "ClusterIP")
	}
	if l := sp.DaskGateway.Limits; l != (site.ClusterLimits{}) {
		valuetree.Set(g, "gateway.extraConfig.hubfleet-limits", limitsConfig(l))
	}
	valuetree.Set(g, "gateway.extraConfig.hubfleet-options", b.optionsConfig())
	// withoutDefaultOptions removes it again when the site's own code
	// sets the options form and the spec types none.
	if w := sp.Placement.Worker; w != nil {
		valuetree.Set(g, "gateway.backend.worker.extraPodConfig", podPlacement(w))
	}
	if u := sp.Placement.User; u != nil {
		valuetree.Set(g, "gateway.backend.scheduler.extraPodConfig", podPlacement(u))
	}
	if c := sp.Placement.Core; c != nil && len(c.NodeSelector) > 0 {
		for _, k := range []string{"gateway", "controller", "traefik"} {
			valuetree.Set(g, k+".nodeSelector", stringMap(c.NodeSelector))
		}
	}
	return g
}

func podPlacement(p *site.Pool) map[string]any {
	out := map[string]any{}
	if len(p.NodeSelector) > 0 {
		out["nodeSelector"] = stringMap(p.NodeSelector)
	}
	if len(p.Tolerations) > 0 {
		out["tolerations"] = tolerations(p.Tolerations)
	}
	return out
}

func limitsConfig(l site.ClusterLimits) string {
	var lines []string
	if l.MaxCores > 0 {
		lines = append(lines, "c.ClusterConfig.cluster_max_cores = "+pyNumber(l.MaxCores))
	}
	if l.MaxMemory != "" {
		lines = append(lines, fmt.Sprintf("c.ClusterConfig.cluster_max_memory = %q", l.MaxMemory))
	}
	if l.MaxWorkers > 0 {
		lines = append(lines, fmt.Sprintf("c.ClusterConfig.cluster_max_workers = %d", l.MaxWorkers))
	}
	if l.IdleTimeout > 0 {
		lines = append(lines, fmt.Sprintf("c.ClusterConfig.idle_timeout = %d", l.IdleTimeout))
	}
	return strings.Join(lines, "\n") + "\n"
}

// optionsConfig writes the cluster options form and its handler. The tag
// check follows the reference grammar: a tag is what follows the last ':'
// after the last '/'.
func (b *builder) optionsConfig() string {
	w := b.s.Spec.DaskGateway.WorkerOptions
	cores := withDefaults(w.Cores, site.Range{Default: 1, Min: 1, Max: 4})
	mem := withDefaults(w.MemoryGiB, site.Range{Default: 2, Min: 1, Max: 8})
	images := b.workerImages()
	anyImage := slices.Contains(images, "*")
	images = slices.DeleteFunc(slices.Clone(images), func(s string) bool { return s == "*" })

	coresKind := "Integer"
	if !integral(cores.Default) || !integral(cores.Min) || !integral(cores.Max) {
		coresKind = "Float"
	}
	var imageOpt string
	switch {
	case anyImage && len(images) > 0:
		imageOpt = fmt.Sprintf(`String("image", default=%q, label="Image")`, images[0])
	case anyImage:
		imageOpt = `String("image", default="", label="Image")`
	default:
		imageOpt = fmt.Sprintf(`Select("image", %s, default=%q, label="Image")`, pyList(images), images[0])
	}
	return strings.Join([]string{
		"# Written by hubfleet from spec.daskGateway.workerOptions.",
		"from dask_gateway_server.options import Options, Integer, Float, String, Select",
		"",
		"def options_handler(options):",
		`    last = options.image.rsplit("/", 1)[-1]`,
		`    if ":" not in last and "@" not in last:`,
		`        raise ValueError("image %r has no tag: give name:tag" % options.image)`,
		"    return {",
		`        "worker_cores": options.worker_cores,`,
		`        "worker_memory": int(options.worker_memory * 2 ** 30),`,
		`        "image": options.image,`,
		"    }",
		"",
		"c.Backend.cluster_options = Options(",
		fmt.Sprintf(`    %s("worker_cores", default=%s, min=%s, max=%s, label="Worker Cores"),`, coresKind, pyNumber(cores.Default), pyNumber(cores.Min), pyNumber(cores.Max)),
		fmt.Sprintf(`    Float("worker_memory", default=%s, min=%s, max=%s, label="Worker Memory (GiB)"),`, pyNumber(mem.Default), pyNumber(mem.Min), pyNumber(mem.Max)),
		"    " + imageOpt + ",",
		"    handler=options_handler,",
		")",
		"",
	}, "\n")
}

func (b *builder) workerImages() []string {
	if imgs := b.s.Spec.DaskGateway.WorkerOptions.Images; len(imgs) > 0 {
		return imgs
	}
	var out []string
	add := func(img string) {
		if img != "" && !slices.Contains(out, img) {
			out = append(out, img)
		}
	}
	add(b.s.Spec.Singleuser.Image)
	for _, img := range site.ProfileImages(b.s.Spec.Singleuser.Profiles) {
		add(img)
	}
	if len(out) == 0 {
		out = []string{"*"}
	}
	return out
}

func withDefaults(r, d site.Range) site.Range {
	if r == (site.Range{}) {
		return d
	}
	if r.Default == 0 {
		r.Default = r.Min
	}
	return r
}

func integral(f float64) bool { return f == float64(int64(f)) }

func pyNumber(f float64) string {
	if integral(f) {
		return fmt.Sprintf("%d", int64(f))
	}
	return fmt.Sprintf("%g", f)
}

func pyList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func stringMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out[k] = m[k]
	}
	return out
}

func tolerations(ts []site.Toleration) []any {
	out := make([]any, 0, len(ts))
	for _, t := range ts {
		m := map[string]any{}
		if t.Key != "" {
			m["key"] = t.Key
		}
		op := t.Operator
		if op == "" {
			op = "Equal"
		}
		m["operator"] = op
		if t.Value != "" {
			m["value"] = t.Value
		}
		if t.Effect != "" {
			m["effect"] = t.Effect
		}
		out = append(out, m)
	}
	return out
}

// Issuer is the OpenID issuer of a site's login provider ("" for native).
func Issuer(s *site.Site) string {
	a := &s.Spec.Auth
	switch a.Provider {
	case site.AuthEGICheckin:
		return "https://" + EGIHost(a.EGICheckin.Instance) + "/auth/realms/egi"
	case site.AuthCognito:
		return fmt.Sprintf("https://cognito-idp.%s.amazonaws.com/%s", a.Cognito.Region, a.Cognito.UserPoolID)
	case site.AuthAzureAD:
		return "https://login.microsoftonline.com/" + a.AzureAD.TenantID + "/v2.0"
	case site.AuthOIDC:
		return a.OIDC.Issuer
	}
	return ""
}

// EGIHost is the host of an EGI Check-in instance.
func EGIHost(instance string) string {
	switch instance {
	case site.EGIDemo:
		return "aai-demo.egi.eu"
	case site.EGIDev:
		return "aai-dev.egi.eu"
	}
	return "aai.egi.eu"
}

// EGIEntitlement is the entitlement URN that gates a VO's members.
func EGIEntitlement(e *site.EGICheckin) string {
	role := e.Role
	if role == "" {
		role = "member"
	}
	return fmt.Sprintf("urn:mace:egi.eu:group:%s:role=%s#aai.egi.eu", e.VO, role)
}

func cognitoBase(c *site.Cognito) string {
	return (&url.URL{Scheme: "https", Host: fmt.Sprintf("%s.auth.%s.amazoncognito.com", c.Domain, c.Region)}).String()
}
