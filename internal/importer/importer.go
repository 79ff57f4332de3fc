package importer

import (
	"bytes"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hubfleet/hubfleet/internal/secretscan"
	"github.com/hubfleet/hubfleet/internal/site"
	"github.com/hubfleet/hubfleet/internal/valuetree"
)

// Options are what the values files cannot say.
type Options struct {
	// Name is the site name (required).
	Name string
	// Host overrides the host found in the values (required if none is).
	Host string
	// ContactEmail is the Let's Encrypt account when the values use no
	// ingress (autohttps).
	ContactEmail string
	// AgeRecipient is the public age key of the site's cluster
	// (spec.secrets.ageRecipient); a site whose client secret is kept in
	// SOPS needs one.
	AgeRecipient string
}

// Action says what happened to one values path.
type Action string

// The actions an import reports.
const (
	Kept     Action = "kept"
	Migrated Action = "migrated"
	Dropped  Action = "dropped"
)

// Item is one line of the import report.
type Item struct {
	Action Action
	Path   string
	Note   string
}

// Report is what an import did, in values-path order per action.
type Report []Item

// String renders the report for a terminal.
func (r Report) String() string {
	var b strings.Builder
	for _, a := range []Action{Kept, Migrated, Dropped} {
		var items []Item
		for _, it := range r {
			if it.Action == a {
				items = append(items, it)
			}
		}
		if len(items) == 0 {
			continue
		}
		fmt.Fprintf(&b, "%s (%d):\n", a, len(items))
		for _, it := range items {
			fmt.Fprintf(&b, "  %s: %s\n", it.Path, it.Note)
		}
	}
	return b.String()
}

// Import merges the values files in order (as helm -f a -f b does) and
// builds a site from them.
func Import(files map[string][]byte, order []string, o Options) (*site.Site, Report, error) {
	merged := map[string]any{}
	for _, name := range order {
		var m map[string]any
		dec := yaml.NewDecoder(bytes.NewReader(files[name]))
		if err := dec.Decode(&m); err != nil {
			return nil, nil, fmt.Errorf("%s: not valid YAML: %w (fix the file, e.g. restore lines a web copy stripped)", name, err)
		}
		valuetree.Merge(merged, m)
	}
	im := &importer{v: merged, opts: o}
	s, err := im.run()
	if err != nil {
		return nil, nil, err
	}
	im.guard(s) // the secret guard's last word on what import writes (secretimport.go)
	sort.SliceStable(im.report, func(i, j int) bool { return im.report[i].Path < im.report[j].Path })
	return s, im.report, nil
}

type importer struct {
	v      map[string]any
	opts   Options
	report Report
	s      site.Site
}

func (im *importer) note(a Action, path, format string, args ...any) {
	im.report = append(im.report, Item{Action: a, Path: path, Note: fmt.Sprintf(format, args...)})
}

// take removes the value at a dotted path and returns it.
func (im *importer) take(path string) (any, bool) {
	parts := strings.Split(path, ".")
	m := im.v
	for _, p := range parts[:len(parts)-1] {
		next, ok := m[p].(map[string]any)
		if !ok {
			return nil, false
		}
		m = next
	}
	v, ok := m[parts[len(parts)-1]]
	if ok {
		delete(m, parts[len(parts)-1])
	}
	return v, ok
}

// takeStrings removes a list at path and returns its items as strings.
func (im *importer) takeStrings(path string) []string {
	v, _ := im.take(path)
	return stringList(v)
}

func (im *importer) takeString(path string) string {
	v, ok := im.take(path)
	if !ok || v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

func (im *importer) run() (*site.Site, error) {
	s := &im.s
	s.APIVersion, s.Kind = site.APIVersion, site.KindSite
	s.Metadata = site.ObjectMeta{Name: im.opts.Name, Annotations: map[string]string{site.LocalConfigAnnotation: "true"}}
	s.Spec.Secrets.AgeRecipient = im.opts.AgeRecipient
	im.obsolete()
	im.tls()
	im.auth()
	im.singleuser()
	im.gateway()
	im.rest()
	if s.Spec.Host == "" {
		return nil, fmt.Errorf("the values name no host (no ingress host, https host or oauth_callback_url): pass --host")
	}
	return s, nil
}

// obsolete drops the tokens the charts now generate and manage themselves.
func (im *importer) obsolete() {
	for _, p := range []struct{ path, why string }{
		{"jupyterhub.proxy.secretToken", "z2jh generates proxy.secretToken and keeps it in the hub Secret"},
		{"jupyterhub.hub.cookieSecret", "z2jh generates hub.cookieSecret"},
		{"jupyterhub.hub.services.dask-gateway.apiToken", "since daskhub 2022.11 dask-gateway reads the token z2jh generates (hub Secret)"},
		{"dask-gateway.gateway.auth.jupyterhub.apiToken", "since daskhub 2022.11 dask-gateway reads the token z2jh generates (hub Secret)"},
		{"dask-gateway.gateway.auth.simple.password", "a secret: the simple auth of a disabled gateway is not carried over"},
		{"dask-gateway.gateway.auth.type", "hubfleet always authenticates dask-gateway through JupyterHub"},
		{"jupyterhub.hub.config.GenericOAuthenticator.userdata_params", "obsolete since OAuthenticator 16"},
		{"rbac.enabled", "the default"},
		{"jupyterhub.proxy.service.type", "derived from spec.tls"},
		{"jupyterhub.singleuser.extraEnv.DASK_GATEWAY__CLUSTER__OPTIONS__IMAGE", "hubfleet sets it: workers default to the user's image"},
		{"jupyterhub.hub.extraConfig.10-auth-config", "hubfleet writes NativeAuthenticator's template path itself"},
	} {
		if _, ok := im.take(p.path); ok {
			im.note(Dropped, p.path, "%s", p.why)
		}
	}
	if v, ok := im.take("jupyterhub.hub.networkPolicy.enabled"); ok && v == false {
		im.note(Migrated, "jupyterhub.hub.networkPolicy.enabled", "not disabled any more: hubfleet admits the dask-gateway pods to the hub's NetworkPolicy (dask/helm-chart#142)")
	}
	if v, _ := im.take("dask-gateway.gateway.auth"); nonEmpty(v) {
		im.note(Dropped, "dask-gateway.gateway.auth", "hubfleet authenticates dask-gateway through JupyterHub")
	}
}

func (im *importer) tls() {
	sp := &im.s.Spec
	if enabled, _ := im.take("jupyterhub.ingress.enabled"); enabled == true {
		sp.TLS.Mode = site.TLSSecret
		ann, _ := im.take("jupyterhub.ingress.annotations")
		if a, ok := ann.(map[string]any); ok {
			if iss, ok := a["cert-manager.io/cluster-issuer"]; ok {
				sp.TLS.Mode, sp.TLS.ClusterIssuer = site.TLSCertManager, fmt.Sprint(iss)
				im.note(Kept, "jupyterhub.ingress.annotations.cert-manager.io/cluster-issuer", "spec.tls.clusterIssuer: %s", iss)
			}
			if cls, ok := a["kubernetes.io/ingress.class"]; ok {
				sp.TLS.IngressClass = fmt.Sprint(cls)
				im.note(Migrated, "jupyterhub.ingress.annotations.kubernetes.io/ingress.class", "deprecated annotation, now spec.tls.ingressClass: %s (ingressClassName)", cls)
			}
		}
		if cls := im.takeString("jupyterhub.ingress.ingressClassName"); cls != "" {
			sp.TLS.IngressClass = cls
			im.note(Kept, "jupyterhub.ingress.ingressClassName", "spec.tls.ingressClass")
		}
		if hosts, _ := im.take("jupyterhub.ingress.hosts"); hosts != nil {
			if h := firstString(hosts); h != "" {
				sp.Host = h
				im.note(Kept, "jupyterhub.ingress.hosts", "spec.host: %s", h)
			}
		}
		if tls, _ := im.take("jupyterhub.ingress.tls"); tls != nil {
			if l, ok := tls.([]any); ok && len(l) > 0 {
				if m, ok := l[0].(map[string]any); ok {
					if sn, ok := m["secretName"].(string); ok && sn != "" {
						sp.TLS.SecretName = sn
						im.note(Kept, "jupyterhub.ingress.tls", "spec.tls.secretName: %s (the certificate Secret in use)", sn)
					}
				}
			}
		}
	} else if https, _ := im.take("jupyterhub.proxy.https"); https != nil {
		sp.TLS.Mode = site.TLSAutoHTTPS
		if m, ok := https.(map[string]any); ok {
			if h := firstString(m["hosts"]); h != "" {
				sp.Host = h
			}
			if le, ok := m["letsencrypt"].(map[string]any); ok {
				sp.TLS.ContactEmail, _ = le["contactEmail"].(string)
			}
		}
		im.note(Kept, "jupyterhub.proxy.https", "spec.tls.mode: autohttps")
	}
	if v, _ := im.take("jupyterhub.ingress"); nonEmpty(v) {
		im.note(Dropped, "jupyterhub.ingress", "an ingress that was not enabled")
	}
	if im.opts.Host != "" {
		sp.Host = im.opts.Host
	}
	if sp.TLS.Mode == "" {
		sp.TLS.Mode = site.TLSAutoHTTPS
		im.note(Migrated, "jupyterhub.proxy", "the values serve plain HTTP on a LoadBalancer IP: hubfleet sites get HTTPS (autohttps with Let's Encrypt)")
	}
	if sp.TLS.Mode == site.TLSAutoHTTPS && sp.TLS.ContactEmail == "" {
		sp.TLS.ContactEmail = im.opts.ContactEmail
	}
	if sp.TLS.Mode == site.TLSSecret && sp.TLS.SecretName == "" {
		sp.TLS.SecretName = strings.ReplaceAll(sp.Host, ".", "-") + "-tls"
		im.note(Migrated, "jupyterhub.ingress.tls", "the ingress had no TLS: the site serves HTTPS from the Secret %s (create it, or switch spec.tls to cert-manager)", sp.TLS.SecretName)
	}
	if sp.TLS.Mode == site.TLSCertManager && sp.TLS.SecretName == strings.ReplaceAll(sp.Host, ".", "-")+"-tls" {
		sp.TLS.SecretName = ""
	}
}

var (
	egiHostRE  = regexp.MustCompile(`^aai(-demo|-dev)?\.egi\.eu$`)
	egiGroupRE = regexp.MustCompile(`^urn:mace:egi\.eu:group:([^:]+):role=([^#]+)#aai\.egi\.eu$`)
	cognitoRE  = regexp.MustCompile(`^([a-z0-9-]+)\.auth\.([a-z0-9-]+)\.amazoncognito\.com$`)
)

func (im *importer) auth() {
	a := &im.s.Spec.Auth
	class := im.takeString("jupyterhub.hub.config.JupyterHub.authenticator_class")
	admins, _ := im.take("jupyterhub.hub.config.Authenticator.admin_users")
	a.Admins = stringList(admins)
	if len(a.Admins) > 0 {
		im.note(Kept, "jupyterhub.hub.config.Authenticator.admin_users", "spec.auth.admins")
	}
	im.usersOfAnyAuthenticator()
	if v, ok := im.take("jupyterhub.hub.config.JupyterHub.admin_access"); ok {
		im.note(Dropped, "jupyterhub.hub.config.JupyterHub.admin_access", "removed in JupyterHub 5 (value was %v): admins get access through roles", v)
	}
	switch {
	case class == "generic-oauth" || strings.HasSuffix(class, "GenericOAuthenticator"):
		im.generic()
	case class == "azuread" || strings.HasSuffix(class, "AzureAdOAuthenticator"):
		base := "jupyterhub.hub.config.AzureAdOAuthenticator."
		a.Provider = site.AuthAzureAD
		a.AzureAD = &site.AzureAD{TenantID: im.takeString(base + "tenant_id")}
		im.clientCredentials(base)
		a.AllowAll = true
		im.note(Migrated, base+"tenant_id", "spec.auth.azureAD.tenantID; allowAll: true (OAuthenticator >= 16 denies users not allowed explicitly; the tenant restricts who can log in)")
	case strings.Contains(strings.ToLower(class), "nativeauthenticator"):
		a.Provider = site.AuthNative
		im.note(Kept, "jupyterhub.hub.config.JupyterHub.authenticator_class", "spec.auth.provider: native")
	default:
		a.Provider = site.AuthNative
		what := "no authenticator"
		if class != "" {
			what = "authenticator " + class
		}
		im.note(Migrated, "jupyterhub.hub.config.JupyterHub.authenticator_class",
			"the values use %s (anyone could log in): the site starts with NativeAuthenticator; switch spec.auth to your provider", what)
	}
}

func (im *importer) clientCredentials(base string) {
	a := &im.s.Spec.Auth
	a.ClientID = im.takeString(base + "client_id")
	im.note(Kept, base+"client_id", "spec.auth.clientID")
	if _, ok := im.take(base + "client_secret"); ok {
		im.note(Dropped, base+"client_secret", "a secret is never copied to git: run `hubfleet secret set --site %s` (SOPS-encrypted, reaches the chart through valuesFrom)", im.opts.Name)
	}
	a.ClientSecret.SOPS = true
	if cb := im.takeString(base + "oauth_callback_url"); cb != "" {
		if u, err := url.Parse(cb); err == nil && u.Host != "" {
			if im.s.Spec.Host == "" {
				im.s.Spec.Host = u.Hostname()
			}
		}
		im.note(Dropped, base+"oauth_callback_url", "derived from spec.host and spec.baseURL")
	}
}

func (im *importer) generic() {
	base := "jupyterhub.hub.config.GenericOAuthenticator."
	a := &im.s.Spec.Auth
	im.clientCredentials(base)
	authorize := im.takeString(base + "authorize_url")
	token := im.takeString(base + "token_url")
	userdata := im.takeString(base + "userdata_url")
	scopes := im.takeStrings(base + "scope")
	login := im.takeString(base + "login_service")
	username := im.takeString(base + "username_key")
	if username != "" {
		im.note(Migrated, base+"username_key", "renamed username_claim in OAuthenticator 16; hubfleet writes the key the chart version understands")
	}
	if u := im.takeString(base + "username_claim"); u != "" {
		username = u
	}
	groups := im.takeStrings(base + "allowed_groups")
	claim := im.takeString(base + "claim_groups_key")
	if claim != "" {
		im.note(Migrated, base+"claim_groups_key", "OAuthenticator 17 replaced it with manage_groups + auth_state_groups_key; hubfleet writes the keys of the chart version the site runs")
	}
	u, _ := url.Parse(authorize)
	host := ""
	if u != nil {
		host = u.Hostname()
	}
	switch {
	case egiHostRE.MatchString(host):
		a.Provider = site.AuthEGICheckin
		inst := site.EGIProd
		if strings.HasPrefix(host, "aai-demo") {
			inst = site.EGIDemo
		} else if strings.HasPrefix(host, "aai-dev") {
			inst = site.EGIDev
		}
		e := &site.EGICheckin{Instance: inst}
		for _, g := range groups {
			if m := egiGroupRE.FindStringSubmatch(g); m != nil {
				e.VO = m[1]
				if m[2] != "member" {
					e.Role = m[2]
				}
				break
			}
		}
		a.EGICheckin = e
		im.note(Migrated, base+"authorize_url", "EGI Check-in %s instance: spec.auth.egiCheckin (endpoints, scopes and VO gate are derived)", inst)
		if e.VO != "" {
			im.note(Kept, base+"allowed_groups", "spec.auth.egiCheckin.vo: %s", e.VO)
		}
	case cognitoRE.MatchString(host):
		m := cognitoRE.FindStringSubmatch(host)
		a.Provider = site.AuthCognito
		a.Cognito = &site.Cognito{Domain: m[1], Region: m[2], UserPoolID: m[2] + "_REPLACEME"}
		a.AllowAll = true
		im.note(Migrated, base+"authorize_url", "AWS Cognito: set spec.auth.cognito.userPoolID (the values do not name the pool)")
	default:
		a.Provider = site.AuthOIDC
		o := &site.OIDC{AuthorizeURL: authorize, TokenURL: token, UserdataURL: userdata, Scopes: scopes,
			UsernameClaim: username, GroupsClaim: claim, AllowedGroups: groups, LoginService: login}
		if u != nil {
			o.Issuer = (&url.URL{Scheme: u.Scheme, Host: u.Host}).String()
		}
		a.OIDC = o
		im.note(Migrated, base+"authorize_url", "generic OIDC: check spec.auth.oidc.issuer (%s) against the provider's discovery document", o.Issuer)
	}
	for _, dropped := range []string{"token_url", "userdata_url", "scope", "login_service"} {
		if a.Provider != site.AuthOIDC {
			im.note(Dropped, base+dropped, "derived from the provider")
		}
	}
	if len(groups) == 0 && a.Provider == site.AuthOIDC {
		a.AllowAll = true
		im.note(Migrated, base+"allowed_groups", "none set: allowAll: true keeps today's behaviour (OAuthenticator >= 16 denies by default)")
	}
}

func (im *importer) singleuser() {
	u := &im.s.Spec.Singleuser
	name := im.takeString("jupyterhub.singleuser.image.name")
	tag := im.takeString("jupyterhub.singleuser.image.tag")
	if name != "" {
		if tag == "" {
			tag = "latest"
		}
		u.Image = name + ":" + tag
		im.note(Kept, "jupyterhub.singleuser.image", "spec.singleuser.image: %s", u.Image)
		if tag == "latest" {
			im.note(Kept, "jupyterhub.singleuser.image.tag", "'latest' moves under you: pin a dated tag so rollbacks restore the same image")
		}
	}
	u.CPU.Guarantee = im.float("jupyterhub.singleuser.cpu.guarantee")
	u.CPU.Limit = im.float("jupyterhub.singleuser.cpu.limit")
	u.Memory.Guarantee = im.bytes("jupyterhub.singleuser.memory.guarantee", "spec.singleuser.memory.guarantee")
	u.Memory.Limit = im.bytes("jupyterhub.singleuser.memory.limit", "spec.singleuser.memory.limit")
	if t := im.takeString("jupyterhub.singleuser.storage.type"); t != "" {
		u.Storage.Type = t
	}
	u.Storage.Capacity = im.takeString("jupyterhub.singleuser.storage.capacity")
	u.DefaultURL = im.takeString("jupyterhub.singleuser.defaultUrl")
	if st := im.takeString("jupyterhub.singleuser.startTimeout"); st != "" {
		u.StartTimeout, _ = strconv.Atoi(st)
	}
	if bu := im.takeString("jupyterhub.hub.baseUrl"); bu != "" {
		if !strings.HasSuffix(bu, "/") {
			bu += "/"
		}
		im.s.Spec.BaseURL = bu
		im.note(Kept, "jupyterhub.hub.baseUrl", "spec.baseURL: %s", bu)
	}
}

func (im *importer) float(path string) float64 {
	v, ok := im.take(path)
	if !ok {
		return 0
	}
	f, err := strconv.ParseFloat(fmt.Sprint(v), 64)
	if err != nil {
		im.note(Dropped, path, "%v is not a number", v)
		return 0
	}
	im.note(Kept, path, "%v", v)
	return f
}

func (im *importer) bytes(path, field string) string {
	v := im.takeString(path)
	if v == "" {
		return ""
	}
	n, ok := site.NormalizeByteSpec(v)
	switch {
	case !ok:
		im.note(Dropped, path, "%q is not a byte size; set %s by hand", v, field)
		return ""
	case n != v:
		im.note(Migrated, path, "%q normalised to %q (a number and K/M/G/T, binary)", v, n)
	default:
		im.note(Kept, path, "%s", v)
	}
	return n
}

var (
	limitRE  = regexp.MustCompile(`c\.ClusterConfig\.(cluster_max_cores|cluster_max_memory|cluster_max_workers|idle_timeout)\s*=\s*(.+)`)
	optionRE = regexp.MustCompile(`(Integer|Float)\(\s*"(worker_cores|worker_memory)"\s*,\s*default=([0-9.]+)\s*,\s*min=([0-9.]+)\s*,\s*max=([0-9.]+)`)
	imageRE  = regexp.MustCompile(`String\(\s*"image"\s*,\s*default="([^"]*)"`)
)

func (im *importer) gateway() {
	sp := &im.s.Spec
	if v, ok := im.take("dask-gateway.enabled"); ok && v == false {
		f := false
		sp.DaskGateway.Enabled = &f
		im.note(Kept, "dask-gateway.enabled", "spec.daskGateway.enabled: false")
		// The daskhub chart has no condition on dask-gateway: only the
		// jupyterhub chart alone leaves it out.
		sp.Chart.Mode = site.ModeComposed
		im.note(Migrated, "dask-gateway.enabled", "spec.chart.mode: composed (the daskhub chart installs dask-gateway whatever enabled says; composed installs the jupyterhub chart alone)")
	}
	if v, ok := im.take("dask-kubernetes.enabled"); ok {
		sp.DaskKubernetes = v == true
		im.note(Kept, "dask-kubernetes.enabled", "spec.daskKubernetes: %v", v)
	}
	extra, _ := im.take("dask-gateway.gateway.extraConfig")
	em, _ := extra.(map[string]any)
	for _, key := range slices.Sorted(maps.Keys(em)) {
		code := fmt.Sprint(em[key])
		path := "dask-gateway.gateway.extraConfig." + key
		parsed := false
		for _, m := range limitRE.FindAllStringSubmatch(code, -1) {
			parsed = true
			val := strings.Trim(strings.TrimSpace(m[2]), `"'`)
			l := &sp.DaskGateway.Limits
			switch m[1] {
			case "cluster_max_cores":
				l.MaxCores, _ = strconv.ParseFloat(val, 64)
			case "cluster_max_workers":
				l.MaxWorkers, _ = strconv.Atoi(val)
			case "idle_timeout":
				l.IdleTimeout, _ = strconv.Atoi(val)
			case "cluster_max_memory":
				n, ok := site.NormalizeByteSpec(val)
				if ok && n != val {
					im.note(Migrated, path+".cluster_max_memory", "%q normalised to %q: it parsed only by accident", val, n)
				}
				l.MaxMemory = n
			}
		}
		for _, m := range optionRE.FindAllStringSubmatch(code, -1) {
			parsed = true
			d, _ := strconv.ParseFloat(m[3], 64)
			lo, _ := strconv.ParseFloat(m[4], 64)
			hi, _ := strconv.ParseFloat(m[5], 64)
			r := site.Range{Default: d, Min: lo, Max: hi}
			if m[2] == "worker_cores" {
				sp.DaskGateway.WorkerOptions.Cores = r
			} else {
				sp.DaskGateway.WorkerOptions.MemoryGiB = r
			}
		}
		if m := imageRE.FindStringSubmatch(code); m != nil {
			parsed = true
			if m[1] != sp.Singleuser.Image && m[1] != "" {
				sp.DaskGateway.WorkerOptions.Images = []string{m[1]}
			}
		}
		if strings.Contains(code, `":" not in options.image`) {
			im.note(Migrated, path, "the `\":\" in image` tag check is wrong for registry:5000/img; hubfleet checks the tag after the last '/'")
		}
		if parsed {
			im.note(Migrated, path, "into spec.daskGateway (limits and workerOptions)")
		} else {
			if sp.Values == nil {
				sp.Values = map[string]any{}
			}
			valuetree.Set(sp.Values, path, em[key])
			im.note(Kept, path, "unrecognised gateway config kept in spec.values")
		}
	}
}

// rest keeps every remaining value in spec.values, except values hubfleet
// owns and anything the secret guard finds: those are never written, and
// the report says which secret channel to use instead.
func (im *importer) rest() {
	findings := secretscan.Tree("", im.v, secretscan.Options{})
	dropped := map[string]bool{}
	// Last first, so removing a list element keeps earlier indexes valid.
	for i := len(findings) - 1; i >= 0; i-- {
		f := findings[i]
		p, ok := removeSecret(im.v, f.Path)
		if !ok || dropped[p] {
			continue
		}
		dropped[p] = true
		im.note(Dropped, p, "%s: moved to a secret: %s", f.What, site.SecretFix("spec.values."+f.Path, f.Key, im.opts.Name))
	}
	flat := map[string]any{}
	flatten(im.v, "", flat)
	for _, p := range slices.Sorted(maps.Keys(flat)) {
		if im.s.Spec.Values == nil {
			im.s.Spec.Values = map[string]any{}
		}
		valuetree.Set(im.s.Spec.Values, p, flat[p])
		im.note(Kept, p, "in spec.values")
	}
}

// removeSecret deletes the value a finding points at from the tree: a map
// entry, or the whole list element holding it (an environment variable in
// list form). It returns the path it removed.
func removeSecret(tree map[string]any, p string) (string, bool) {
	var cur any = tree
	var parentMap map[string]any
	var parentKey string
	done := ""
	for _, seg := range strings.Split(p, ".") {
		key, idx := seg, -1
		if i := strings.IndexByte(seg, '['); i >= 0 {
			key = seg[:i]
			idx, _ = strconv.Atoi(strings.Trim(seg[i:], "[]"))
		}
		m, ok := cur.(map[string]any)
		if !ok {
			return "", false
		}
		if idx < 0 {
			parentMap, parentKey = m, key
			done = join(done, key)
			cur = m[key]
			continue
		}
		l, ok := m[key].([]any)
		if !ok || idx >= len(l) {
			return "", false
		}
		// A list element: drop it whole.
		m[key] = append(l[:idx:idx], l[idx+1:]...)
		return join(done, seg), true
	}
	if parentMap == nil {
		return "", false
	}
	if _, ok := parentMap[parentKey]; !ok {
		return "", false
	}
	delete(parentMap, parentKey)
	return done, true
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}

func flatten(m map[string]any, prefix string, out map[string]any) {
	for k, v := range m {
		p := k
		if prefix != "" {
			p = prefix + "." + k
		}
		if sub, ok := v.(map[string]any); ok && len(sub) > 0 {
			flatten(sub, p, out)
			continue
		}
		if sub, ok := v.(map[string]any); ok && len(sub) == 0 {
			continue
		}
		out[p] = v
	}
}

// nonEmpty reports whether v is a map that still holds something.
func nonEmpty(v any) bool {
	m, ok := v.(map[string]any)
	return ok && len(m) > 0
}

func firstString(v any) string {
	if l, ok := v.([]any); ok && len(l) > 0 {
		if s, ok := l[0].(string); ok {
			return s
		}
	}
	return ""
}

func stringList(v any) []string {
	l, ok := v.([]any)
	if !ok {
		return nil
	}
	var out []string
	for _, e := range l {
		out = append(out, fmt.Sprint(e))
	}
	return out
}

// usersOfAnyAuthenticator moves admin_users and allowed_users set on a
// specific authenticator class (GenericOAuthenticator.admin_users, ...)
// to spec.auth: hubfleet owns those keys, so leaving them in spec.values
// would make the imported site fail validation.
func (im *importer) usersOfAnyAuthenticator() {
	cfg, ok := im.v["jupyterhub"].(map[string]any)
	if ok {
		cfg, ok = cfg["hub"].(map[string]any)
	}
	if ok {
		cfg, ok = cfg["config"].(map[string]any)
	}
	if !ok {
		return
	}
	classes := make([]string, 0, len(cfg))
	for c := range cfg {
		if strings.HasSuffix(c, "Authenticator") && c != "Authenticator" {
			classes = append(classes, c)
		}
	}
	sort.Strings(classes)
	a := &im.s.Spec.Auth
	for _, c := range classes {
		base := "jupyterhub.hub.config." + c + "."
		if v, ok := im.take(base + "admin_users"); ok {
			a.Admins = appendNew(a.Admins, stringList(v)...)
			im.note(Kept, base+"admin_users", "spec.auth.admins")
		}
		if v, ok := im.take(base + "allowed_users"); ok {
			a.AllowedUsers = appendNew(a.AllowedUsers, stringList(v)...)
			im.note(Kept, base+"allowed_users", "spec.auth.allowedUsers")
		}
	}
}

func appendNew(list []string, items ...string) []string {
	for _, it := range items {
		if !slices.Contains(list, it) {
			list = append(list, it)
		}
	}
	return list
}
