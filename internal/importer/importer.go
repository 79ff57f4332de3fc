package importer

import (
	"bytes"
	"errors"
	"fmt"
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
	// Domain is the hub's domain from the operator's cluster file (2i2c
	// cluster.yaml hubs[].domain); it wins over the values, Host over it.
	Domain string
	// Namespace is the hub's namespace (2i2c: the hub's name).
	Namespace string
	// Provider is the cluster's cloud from the operator's cluster file
	// (aws, gcp, ...), "" when unknown.
	Provider string
	// Layout overrides the detected layout (zero: detect).
	Layout Layout
	// Set gives the real value of deploy-time placeholders, keyed by the
	// input path as the report writes it.
	Set map[string]string
	// ClientID is the OAuth client id when the values do not hold it.
	ClientID string
	// ContactEmail is the Let's Encrypt account when the values use no
	// ingress (autohttps).
	ContactEmail string
	// TLSMode, ClusterIssuer and IngressClass say how HTTPS is served when
	// the values do not (e.g. a base chart that sets the ingress itself).
	TLSMode       string
	ClusterIssuer string
	IngressClass  string
	// Route is RouteUpstream (the default) or RouteOwner (owner.go).
	Route string
	// OwnerChart names the operator's chart the owner route keeps: the
	// fleet's spec.charts.umbrellas key (2i2c: the cluster file's
	// helm_chart).
	OwnerChart string
	// Owner is the fleet's declaration of that chart, if it has one: the
	// paths import splits the values at. Nil: read from the layout
	// (ProposeOwnerChart), and the report carries the proposal.
	Owner *site.UmbrellaChart
	// Admins are admins the values leave to data outside them, given by
	// the operator (--admin): 2i2c basehub's staff list, which basehub adds
	// to admin_users when custom.2i2c.add_staff_user_ids_to_admin_users is
	// on (staffadmins.go). Refused when the values do not turn that on.
	Admins []string
	// AgeRecipient is the public age key of the site's cluster
	// (spec.secrets.ageRecipient); a site whose client secret is kept in
	// SOPS needs one.
	AgeRecipient string
}

// Action says where one input leaf ended up. Every leaf of the input ends
// in exactly one of typed, migrated, kept, secret and dropped; note items
// explain a change that is not one leaf's.
type Action string

// The actions an import reports.
const (
	// Typed: the value is now a typed field of the site.
	Typed Action = "typed"
	// Migrated: the value is now a typed field, changed on the way (the
	// note says how).
	Migrated Action = "migrated"
	// Kept: passed through unchanged to its release's values.
	Kept Action = "kept"
	// Secret: not copied; it moves to a secret channel (the note says how).
	Secret Action = "secret"
	// Dropped: not carried over, for the reason in the note.
	Dropped Action = "dropped"
	// Derived: no input leaf: a setting the operator's chart applied by
	// default that the hub's behaviour depends on, written into the site
	// so that the upstream charts behave the same (basehubgithub.go).
	Derived Action = "derived"
	// Supplied: no input leaf: a value the operator gave on the command
	// line for what the values leave to data outside them (the admins of
	// basehub's staff list, --admin): an operator decision, reported as
	// exactly that (staffadmins.go).
	Supplied Action = "supplied"
	// Note: a remark on the site as a whole.
	Note Action = "note"
)

// Item is one line of the import report.
type Item struct {
	Action Action
	// Path is the input path, as written (Keys joined).
	Path string
	// Keys is the input path as keys.
	Keys Path
	// To is where a kept value went, in the daskhub layout of the site's
	// values (jupyterhub..., dask-gateway...) or, for a sibling release,
	// [releases, NAME, ...].
	To   Path
	Note string
}

// Report is what an import did.
type Report struct {
	// Layout is the layout import found or was given.
	Layout Layout
	// Detected is true when the layout was guessed, not given.
	Detected bool
	Items    []Item
	// Owner is the operator's chart the site keeps (route owner): the
	// fleet's declaration, or the one import read from the layout.
	Owner *site.UmbrellaChart
	// Asks are the next steps import needs the operator to take, for what
	// the values leave to data outside them (e.g. --admin): the site is
	// written without them, and the command prints each.
	Asks []string
}

// String renders the report for a terminal.
func (r Report) String() string {
	var b strings.Builder
	how := "detected"
	if !r.Detected {
		how = "given by --layout"
	}
	fmt.Fprintf(&b, "layout (%s): %s [--layout %s]\n", how, r.Layout, r.Layout.Flag())
	counts := r.Counts()
	fmt.Fprintf(&b, "leaves: %d typed, %d migrated, %d kept, %d moved to a secret, %d dropped with a reason\n",
		counts[Typed], counts[Migrated], counts[Kept], counts[Secret], counts[Dropped])
	for _, a := range []Action{Note, Typed, Migrated, Derived, Supplied, Kept, Secret, Dropped} {
		var items []Item
		for _, it := range r.Items {
			if it.Action == a {
				items = append(items, it)
			}
		}
		if len(items) == 0 {
			continue
		}
		fmt.Fprintf(&b, "%s (%d):\n", a, len(items))
		for _, it := range items {
			if it.Path == "" {
				fmt.Fprintf(&b, "  %s\n", it.Note)
				continue
			}
			fmt.Fprintf(&b, "  %s: %s\n", it.Path, it.Note)
		}
	}
	return b.String()
}

// Counts counts the report's items per action.
func (r Report) Counts() map[Action]int {
	out := map[Action]int{}
	for _, it := range r.Items {
		out[it.Action]++
	}
	return out
}

// PlaceholderError lists the deploy-time placeholders import found and
// has no value for.
type PlaceholderError struct {
	Items []string
}

func (e *PlaceholderError) Error() string {
	return fmt.Sprintf("the values hold deploy-time placeholders that a deploy tool fills in; import never copies them literally:\n  %s\ngive each real value with --set 'PATH=VALUE' (a secret is moved to a secret channel on its own)",
		strings.Join(e.Items, "\n  "))
}

// Merge reads the values files in order and merges them as Helm merges
// several -f files.
func Merge(files map[string][]byte, order []string) (map[string]any, error) {
	merged := map[string]any{}
	var errs []error
	for _, name := range order {
		var m map[string]any
		dec := yaml.NewDecoder(bytes.NewReader(files[name]))
		if err := dec.Decode(&m); err != nil {
			if err.Error() == "EOF" {
				continue
			}
			errs = append(errs, fmt.Errorf("%s: not valid YAML: %w (fix the file, e.g. restore lines a web copy stripped)", name, err))
			continue
		}
		valuetree.Merge(merged, m)
	}
	return merged, errors.Join(errs...)
}

// Import merges the values files in order (as helm -f a -f b does) and
// builds a site from them.
func Import(files map[string][]byte, order []string, o Options) (*site.Site, Report, error) {
	merged, err := Merge(files, order)
	if err != nil {
		return nil, Report{}, err
	}
	return ImportValues(merged, o)
}

// ImportValues builds a site from merged values.
func ImportValues(merged map[string]any, o Options) (*site.Site, Report, error) {
	rep := Report{Layout: o.Layout}
	if o.Layout.Kind == "" {
		l, err := detectLayout(merged)
		if err != nil {
			return nil, rep, err
		}
		rep.Layout, rep.Detected = l, true
	}
	if rep.Layout.Kind == LayoutUmbrella && rep.Layout.Inner == "" {
		if inner, ok := merged[rep.Layout.Key].(map[string]any); ok {
			if il, err := detectLayout(inner); err == nil {
				rep.Layout.Inner = il.Kind
			}
		}
	}
	var (
		tree, outside map[string]any
		from          map[string]Path
		both          *overlap
		owner         *site.UmbrellaChart
		err           error
	)
	if o.Route == RouteOwner {
		// The owners' chart: take what it passes to z2jh and dask-gateway
		// at its paths; the rest is its own and passes through as it is.
		if o.Owner != nil {
			owner = o.Owner
		} else {
			u, err := ProposeOwnerChart(rep.Layout, o.OwnerChart)
			if err != nil {
				return nil, rep, err
			}
			owner = &u
		}
		if _, err := ProposeOwnerChart(rep.Layout, owner.Chart); err != nil {
			return nil, rep, err
		}
		rep.Owner = owner
		tree, from, outside, err = ownerSplit(deepCopy(merged).(map[string]any), owner)
		both = &overlap{outer: map[string]bool{}}
	} else {
		tree, from, both, err = canonical(deepCopy(merged).(map[string]any), rep.Layout)
	}
	if err != nil {
		return nil, rep, err
	}
	if !rep.Detected {
		rep.Layout.Siblings = nil
		for k := range tree {
			if !daskhubTopKeys[k] {
				rep.Layout.Siblings = append(rep.Layout.Siblings, k)
			}
		}
		slices.Sort(rep.Layout.Siblings)
	}
	im := &importer{v: tree, from: from, both: both, opts: o, secretLeaves: map[string]bool{}, gatewayOn: gatewayInstalled(tree, rep.Layout),
		owner: owner, outside: outside, layout: rep.Layout}
	if both.key != "" {
		im.remark("%s: is set both inside %s: and beside it: import merged them, the top-level block winning; check that the chart reads them that way (--layout umbrella:%s)", both.key, rep.Layout.Key, rep.Layout.Key)
		for _, p := range both.shadowed {
			im.items = append(im.items, Item{Action: Dropped, Path: p.String(), Keys: p, Note: fmt.Sprintf("replaced by the top-level %s block", both.key)})
		}
	}
	if err := im.placeholders(); err != nil {
		return nil, rep, err
	}
	if gh, ok := getPath(tree, ghDefaultPath); ok {
		im.githubIn, _ = deepCopy(gh).(map[string]any)
	}
	// The one place the finished site comes back: a later pass over the
	// site (e.g. a secret guard) hooks in here, before the report is sorted.
	s, err := im.run()
	if err != nil {
		return nil, rep, err
	}
	switch k := rep.Layout.Kind; {
	case owner != nil:
		im.ownerValues(outside)
		im.ownerRoute(o.ownerName())
		im.remark(ownerLoses+"; the upstream route (the default) would lose the chart's own templates and defaults instead", o.ownerName())
	case k == LayoutBase || k == LayoutUmbrella:
		im.remark("%s", upstreamLoses)
		im.basehubGitHub(s, rep.Layout)
	}
	im.guard(s) // the secret guard's last word on what import writes (secretimport.go)
	sort.SliceStable(im.items, func(i, j int) bool { return im.items[i].Path < im.items[j].Path })
	rep.Items, rep.Asks = im.items, im.asks
	return s, rep, nil
}

type importer struct {
	// v is the values in the daskhub layout, emptied as import takes them.
	v    map[string]any
	from map[string]Path
	both *overlap
	// secretLeaves are list leaves (input paths) some of whose elements
	// moved to a secret: the rest is written but reported as the secret.
	secretLeaves map[string]bool
	// gatewayOn: the values install dask-gateway.
	gatewayOn bool
	opts      Options
	// owner is the operator's chart kept (route owner), else nil;
	// outside holds its own values (beside its z2jh and gateway paths).
	owner   *site.UmbrellaChart
	outside map[string]any
	// items is the report.
	items []Item
	s     site.Site
	// githubIn is the input's GitHubOAuthenticator section, as written
	// (basehubgithub.go: a key the hub sets itself is not carried).
	githubIn map[string]any
	// asks are the report's next steps (Report.Asks).
	asks []string
	// adminsShadow is the traitlets section more specific than
	// Authenticator whose admin_users the authenticator reads ("" when
	// none sets it): basehub's staff admins, added to
	// Authenticator.admin_users, have no effect then.
	adminsShadow string
	// renamed maps a path legacyAuth moved a value to (key of the
	// daskhub-layout path) to the path it was written at.
	renamed map[string]Path
	// layout is the layout import found or was given.
	layout Layout
	// clientSecretSeen: the values hold the OAuth client secret (it moves
	// to the secret channel); without it import asks for it.
	clientSecretSeen bool
}

// input maps a daskhub-layout path to the operator's input path.
func (im *importer) input(p Path) Path {
	if len(p) == 0 {
		return nil
	}
	p = im.renamedInput(p)
	if im.both != nil && p[0] == im.both.key {
		for i := len(p); i > 0; i-- {
			if im.both.outer[key(p[:i])] {
				return slices.Clone(p)
			}
		}
	}
	if f, ok := im.from[p[0]]; ok {
		return append(slices.Clone(f), p[1:]...)
	}
	return p
}

func (im *importer) note(a Action, p Path, format string, args ...any) {
	in := im.input(p)
	im.items = append(im.items, Item{Action: a, Path: in.String(), Keys: in, Note: fmt.Sprintf(format, args...)})
}

func (im *importer) remark(format string, args ...any) {
	im.items = append(im.items, Item{Action: Note, Note: fmt.Sprintf(format, args...)})
}

// dotted turns a dotted path (keys without dots) into a Path.
func dotted(p string) Path { return strings.Split(p, ".") }

// take removes the value at a path and returns it.
func (im *importer) take(p Path) (any, bool) {
	return deletePath(im.v, p)
}

func (im *importer) takeString(p Path) (string, bool) {
	v, ok := im.take(p)
	if !ok || v == nil {
		return "", ok
	}
	return fmt.Sprint(v), true
}

func (im *importer) has(p Path) bool {
	_, ok := getPath(im.v, p)
	return ok
}

func (im *importer) run() (*site.Site, error) {
	s := &im.s
	s.APIVersion, s.Kind = site.APIVersion, site.KindSite
	s.Metadata = site.ObjectMeta{Name: im.opts.Name, Annotations: map[string]string{site.LocalConfigAnnotation: "true"}}
	s.Spec.Secrets.AgeRecipient = im.opts.AgeRecipient
	s.Spec.Namespace = im.opts.Namespace
	im.legacyAuth()
	if err := im.unnamedLogin(); err != nil {
		return nil, err
	}
	im.obsolete()
	im.tls()
	jh, _ := im.v["jupyterhub"].(map[string]any)
	im.adminsShadow = StaffAdminsShadowedBy(jh)
	im.auth()
	im.singleuser()
	im.gateway()
	if im.owner == nil {
		im.siblings() // the owner's chart holds its siblings itself
	}
	if err := im.staffAdmins(); err != nil {
		return nil, err
	}
	im.emptyExtraFiles()
	im.rest()
	if s.Spec.Host == "" {
		return nil, fmt.Errorf("the values name no host (no ingress host, https host or oauth_callback_url): pass --host, or --cluster-file with the operator's cluster file")
	}
	if !site.ClassOf(&s.Spec.Auth).OAuth {
		s.Spec.Secrets.AgeRecipient = im.opts.AgeRecipient
	}
	return s, nil
}

// placeholderRE finds ${VAR} and $VAR-style deploy-time substitutions.
var placeholderRE = regexp.MustCompile(`\$\{[A-Za-z_][A-Za-z0-9_]*\}`)

// isPlaceholder reports whether a value is filled in at deploy time.
func isPlaceholder(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	t := strings.TrimSpace(strings.ToLower(s))
	return placeholderRE.MatchString(s) || t == "set-on-deployment" || t == "set_on_deployment" || t == "<set-on-deployment>"
}

// placeholders replaces deploy-time placeholders by the values given with
// --set, moves those at secret keys to the secret channel (they are
// handled with the other secrets), and fails naming every other one.
func (im *importer) placeholders() error {
	var missing []string
	type leafIn struct {
		Leaf
		tree map[string]any
		in   Path
	}
	var leaves []leafIn
	for _, l := range Leaves(im.v) {
		leaves = append(leaves, leafIn{l, im.v, im.input(l.Path)})
	}
	for _, l := range Leaves(im.outside) {
		leaves = append(leaves, leafIn{l, im.outside, l.Path})
	}
	for _, l := range leaves {
		in := l.in
		key := in.String()
		if real, ok := im.opts.Set[key]; ok {
			setPath(l.tree, l.Path, real)
			im.remark("%s: deploy-time value set with --set", key)
			continue
		}
		if !isPlaceholder(l.Value) {
			continue
		}
		if secretKey(l.Path[len(l.Path)-1]) {
			continue // a secret: it moves to a secret channel anyway
		}
		missing = append(missing, fmt.Sprintf("%s (e.g. --set '%s=...')", key, key))
	}
	if len(missing) > 0 {
		return &PlaceholderError{Items: missing}
	}
	return nil
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
		if v, ok := im.take(dotted(p.path)); ok {
			for _, l := range leavesAt(dotted(p.path), v) {
				im.note(Dropped, l, "%s", p.why)
			}
		}
	}
	if v, ok := im.take(dotted("jupyterhub.hub.networkPolicy.enabled")); ok {
		if v == false {
			im.note(Migrated, dotted("jupyterhub.hub.networkPolicy.enabled"), "not disabled any more: hubfleet admits the dask-gateway pods to the hub's NetworkPolicy (dask/helm-chart#142)")
		} else {
			setPath(im.v, dotted("jupyterhub.hub.networkPolicy.enabled"), v)
		}
	}
	// z2jh before 1.0 said whether users may reach the cloud metadata
	// server (cloudMetadata.enabled, default false: blocked); z2jh 1.0
	// says whether it blocks it (blockWithIptables, default true).
	cm := dotted("jupyterhub.singleuser.cloudMetadata.enabled")
	if v, ok := getPath(im.v, cm); ok {
		if _, set := getPath(im.v, dotted("jupyterhub.singleuser.cloudMetadata.blockWithIptables")); !set {
			if b, isBool := v.(bool); isBool {
				im.take(cm)
				if im.s.Spec.Values == nil {
					im.s.Spec.Values = map[string]any{}
				}
				setPath(im.s.Spec.Values, dotted("jupyterhub.singleuser.cloudMetadata.blockWithIptables"), !b)
				im.note(Migrated, cm, "z2jh 0.x's form (z2jh 1.0 and later refuse it): spec.values jupyterhub.singleuser.cloudMetadata.blockWithIptables: %v, the same access to the cloud metadata server", !b)
			}
		}
	}
	// daskhub's own values, copied into an operator's file (older daskhub
	// READMEs told users to): hubfleet writes both for a gateway it runs.
	if im.gatewayOn {
		if v, ok := getPath(im.v, dotted("dask-gateway.gateway.prefix")); ok && v == "/services/dask-gateway" {
			im.take(dotted("dask-gateway.gateway.prefix"))
			im.note(Dropped, dotted("dask-gateway.gateway.prefix"), "the prefix hubfleet writes (/services/dask-gateway, JupyterHub's route to the gateway service)")
		}
		glue := Path{"jupyterhub", "hub", "extraConfig", "00-add-dask-gateway-values"}
		if v, ok := getPath(im.v, glue); ok {
			if code, _ := v.(string); strings.Contains(code, "dask-gateway") || strings.Contains(code, "DASK_GATEWAY") {
				im.take(glue)
				im.note(Dropped, glue, "daskhub's glue between JupyterHub and dask-gateway (its values.yaml's own code): hubfleet writes it for the gateway it runs; if you changed it, carry the change through spec.overrides with a reason")
			}
		}
	}
	if gw, ok := getPath(im.v, dotted("dask-gateway.gateway.auth")); ok {
		for _, l := range Leaves(map[string]any{"auth": gw}) {
			im.note(Dropped, dotted("dask-gateway.gateway").plus(l.Path...), "hubfleet authenticates dask-gateway through JupyterHub (the service name and token are its own)")
		}
		im.take(dotted("dask-gateway.gateway.auth"))
	}
	if v, ok := getPath(im.v, dotted("jupyterhub.hub.services.dask-gateway")); ok {
		for _, l := range Leaves(map[string]any{"dask-gateway": v}) {
			im.note(Dropped, dotted("jupyterhub.hub.services").plus(l.Path...), "hubfleet registers the dask-gateway service itself")
		}
		im.take(dotted("jupyterhub.hub.services.dask-gateway"))
	}
}

func (im *importer) tls() {
	sp := &im.s.Spec
	hostFrom := ""
	setHost := func(h, from string) {
		if h != "" && sp.Host == "" {
			sp.Host, hostFrom = h, from
		}
	}
	ingressOn, _ := getPath(im.v, dotted("jupyterhub.ingress.enabled"))
	switch {
	case ingressOn == true:
		im.take(dotted("jupyterhub.ingress.enabled"))
		im.note(Typed, dotted("jupyterhub.ingress.enabled"), "spec.tls.mode: secret or cert-manager (an ingress serves the hub)")
		sp.TLS.Mode = site.TLSSecret
		if iss, ok := im.take(Path{"jupyterhub", "ingress", "annotations", "cert-manager.io/cluster-issuer"}); ok {
			sp.TLS.Mode, sp.TLS.ClusterIssuer = site.TLSCertManager, fmt.Sprint(iss)
			im.note(Typed, Path{"jupyterhub", "ingress", "annotations", "cert-manager.io/cluster-issuer"}, "spec.tls.clusterIssuer: %s", iss)
		}
		if cls, ok := im.take(Path{"jupyterhub", "ingress", "annotations", "kubernetes.io/ingress.class"}); ok {
			sp.TLS.IngressClass = fmt.Sprint(cls)
			im.note(Migrated, Path{"jupyterhub", "ingress", "annotations", "kubernetes.io/ingress.class"}, "deprecated annotation, now spec.tls.ingressClass: %s (ingressClassName)", cls)
		}
		if cls, ok := im.takeString(dotted("jupyterhub.ingress.ingressClassName")); ok {
			sp.TLS.IngressClass = cls
			im.note(Typed, dotted("jupyterhub.ingress.ingressClassName"), "spec.tls.ingressClass")
		}
		if hosts, ok := im.take(dotted("jupyterhub.ingress.hosts")); ok {
			setHost(firstString(hosts), "ingress.hosts")
			im.note(Typed, dotted("jupyterhub.ingress.hosts"), "spec.host (hubfleet writes the hub's one host)")
		}
		if tls, ok := im.take(dotted("jupyterhub.ingress.tls")); ok {
			if l, ok := tls.([]any); ok && len(l) > 0 {
				if m, ok := l[0].(map[string]any); ok {
					if sn, ok := m["secretName"].(string); ok && sn != "" {
						sp.TLS.SecretName = sn
					}
				}
			}
			im.note(Typed, dotted("jupyterhub.ingress.tls"), "spec.tls.secretName: %s (the certificate Secret in use)", sp.TLS.SecretName)
		}
	case im.givenCertificate(setHost):
	default:
		if on, ok := getPath(im.v, dotted("jupyterhub.proxy.https.enabled")); ok && on == true || im.has(dotted("jupyterhub.proxy.https.hosts")) {
			sp.TLS.Mode = site.TLSAutoHTTPS
			if hosts, ok := im.take(dotted("jupyterhub.proxy.https.hosts")); ok {
				setHost(firstString(hosts), "proxy.https.hosts")
				im.note(Typed, dotted("jupyterhub.proxy.https.hosts"), "spec.host")
			}
			if e, ok := im.takeString(dotted("jupyterhub.proxy.https.letsencrypt.contactEmail")); ok {
				sp.TLS.ContactEmail = e
				im.note(Typed, dotted("jupyterhub.proxy.https.letsencrypt.contactEmail"), "spec.tls.contactEmail")
			}
			for _, k := range []string{"enabled", "type"} {
				if v, ok := im.take(dotted("jupyterhub.proxy.https." + k)); ok {
					im.note(Typed, dotted("jupyterhub.proxy.https."+k), "spec.tls.mode: autohttps (was %v)", v)
				}
			}
		}
	}
	// What is left of an ingress or https block that is not enabled, or
	// that hubfleet does not type, is owned by hubfleet (it writes the
	// ingress): say what goes.
	for _, p := range []Path{dotted("jupyterhub.ingress"), dotted("jupyterhub.proxy.https")} {
		if v, ok := im.take(p); ok {
			for _, l := range Leaves(map[string]any{"x": v}) {
				im.note(Dropped, p.plus(l.Path[1:]...), "hubfleet writes the ingress and TLS from spec.host and spec.tls; set this through spec.overrides with a reason if the hub needs it")
			}
		}
	}
	if cb := im.callbackHost(); cb != "" {
		setHost(cb, "oauth_callback_url")
	}
	if im.opts.Domain != "" {
		if sp.Host != "" && sp.Host != im.opts.Domain {
			im.remark("the values name host %s (%s) but the cluster file names %s: using the cluster file's", sp.Host, hostFrom, im.opts.Domain)
		}
		sp.Host, hostFrom = im.opts.Domain, "the cluster file"
	}
	if im.opts.Host != "" {
		sp.Host, hostFrom = im.opts.Host, "--host"
	}
	if sp.Host != "" {
		im.remark("host %s (from %s)", sp.Host, hostFrom)
	}
	if sp.TLS.Mode == "" {
		switch {
		case im.opts.TLSMode != "":
			sp.TLS.Mode = im.opts.TLSMode
			im.remark("the values set no TLS: spec.tls.mode %s from --tls-mode", sp.TLS.Mode)
		default:
			sp.TLS.Mode = site.TLSAutoHTTPS
			im.remark("the values serve no HTTPS of their own: hubfleet sites get HTTPS (autohttps with Let's Encrypt; --tls-mode cert-manager for an ingress)")
		}
	}
	if sp.TLS.Mode == site.TLSCertManager && sp.TLS.ClusterIssuer == "" {
		sp.TLS.ClusterIssuer = im.opts.ClusterIssuer
	}
	if sp.TLS.Mode != site.TLSAutoHTTPS && sp.TLS.IngressClass == "" {
		sp.TLS.IngressClass = im.opts.IngressClass
	}
	if sp.TLS.Mode == site.TLSAutoHTTPS && sp.TLS.ContactEmail == "" {
		sp.TLS.ContactEmail = im.opts.ContactEmail
	}
	if sp.TLS.Mode == site.TLSSecret && sp.TLS.SecretName == "" {
		sp.TLS.SecretName = strings.ReplaceAll(sp.Host, ".", "-") + "-tls"
		im.remark("the ingress had no TLS: the site serves HTTPS from the Secret %s (create it, or switch spec.tls to cert-manager)", sp.TLS.SecretName)
	}
	if sp.TLS.Mode == site.TLSCertManager && sp.TLS.SecretName == strings.ReplaceAll(sp.Host, ".", "-")+"-tls" {
		sp.TLS.SecretName = ""
	}
}

// emptyExtraFiles asks for the content of extraFiles entries that have
// none (data, stringData or binaryData): z2jh refuses them, and their
// content is in a file not given, often an encrypted one (a private key
// "in the secret file"). The entries pass through as they are.
func (im *importer) emptyExtraFiles() {
	for _, at := range []Path{dotted("jupyterhub.hub.extraFiles"), dotted("jupyterhub.singleuser.extraFiles")} {
		v, _ := getPath(im.v, at)
		files, _ := v.(map[string]any)
		for _, name := range sortedKeys(files) {
			f, ok := files[name].(map[string]any)
			if !ok {
				continue
			}
			if _, d := f["data"]; d {
				continue
			}
			if _, d := f["stringData"]; d {
				continue
			}
			if _, d := f["binaryData"]; d {
				continue
			}
			p := at.plus(name)
			im.asks = append(im.asks, fmt.Sprintf("%s has no content (data, stringData or binaryData), which z2jh requires: it is in a file not given (an encrypted one?); if it is secret, declare spec.secrets.values.%s: {targetPath: %s} in the site file, then run `hubfleet secret set --site %s --key %s` (the content on standard input); else give that file", im.input(p), secretscan.SuggestKey(name), valuetree.JoinPath(append(p[:len(p):len(p)], "stringData")...), im.opts.Name, secretscan.SuggestKey(name)))
		}
	}
}

// givenCertificate types z2jh's https served from a certificate the
// operator gives (proxy.https.type manual: the certificate and key in the
// values; secret: a TLS Secret) as spec.tls.mode secret: hubfleet serves
// a given certificate from a TLS Secret. The key is never copied: the
// report says how to make the Secret from it.
func (im *importer) givenCertificate(setHost func(h, from string)) bool {
	sp := &im.s.Spec
	typ, _ := getPath(im.v, dotted("jupyterhub.proxy.https.type"))
	if typ != "manual" && typ != "secret" {
		return false
	}
	if on, ok := getPath(im.v, dotted("jupyterhub.proxy.https.enabled")); ok && on != true {
		return false
	}
	sp.TLS.Mode = site.TLSSecret
	if hosts, ok := im.take(dotted("jupyterhub.proxy.https.hosts")); ok {
		setHost(firstString(hosts), "proxy.https.hosts")
		im.note(Typed, dotted("jupyterhub.proxy.https.hosts"), "spec.host")
	}
	for _, k := range []string{"enabled", "type"} {
		if v, ok := im.take(dotted("jupyterhub.proxy.https." + k)); ok {
			im.note(Typed, dotted("jupyterhub.proxy.https."+k), "spec.tls.mode: secret (was %v: a certificate the operator gives)", v)
		}
	}
	if typ == "secret" {
		if n, ok := im.takeString(dotted("jupyterhub.proxy.https.secret.name")); ok && n != "" {
			sp.TLS.SecretName = n
			im.note(Typed, dotted("jupyterhub.proxy.https.secret.name"), "spec.tls.secretName")
		}
		im.remark("proxy.https.type secret: the proxy served the certificate of a TLS Secret; a hubfleet site serves it through an ingress (spec.tls.mode secret; an ingress controller must run: --ingress-class)")
		return true
	}
	name := strings.ReplaceAll(sp.Host, ".", "-") + "-tls"
	if sp.Host == "" {
		name = im.opts.Name + "-tls"
	}
	sp.TLS.SecretName = name
	for _, k := range []string{"key", "cert"} {
		p := dotted("jupyterhub.proxy.https.manual." + k)
		if _, ok := im.take(p); ok {
			im.note(Secret, p, "never copied to git: put the certificate and key in the TLS Secret %s of the hub's namespace (kubectl create secret tls %s --cert=CERT.pem --key=KEY.pem)", name, name)
		}
	}
	im.remark("proxy.https.type manual: the proxy served a certificate and key written in the values; a hubfleet site serves a given certificate from the TLS Secret %s through an ingress (spec.tls.mode secret; an ingress controller must run: --ingress-class)", name)
	im.asks = append(im.asks, fmt.Sprintf("create the TLS Secret %s from the certificate and key of proxy.https.manual (kubectl create secret tls %s --cert=CERT.pem --key=KEY.pem)", name, name))
	return true
}

// callbackHost is the host of an oauth_callback_url of any authenticator.
func (im *importer) callbackHost() string {
	cfg, _ := getPath(im.v, dotted("jupyterhub.hub.config"))
	m, _ := cfg.(map[string]any)
	for _, c := range sortedKeys(m) {
		sec, _ := m[c].(map[string]any)
		if cb, ok := sec["oauth_callback_url"].(string); ok {
			if u, err := url.Parse(cb); err == nil && u.Hostname() != "" {
				return u.Hostname()
			}
		}
	}
	return ""
}

func (im *importer) singleuser() {
	u := &im.s.Spec.Singleuser
	img, _ := getPath(im.v, dotted("jupyterhub.singleuser.image"))
	imgMap, _ := img.(map[string]any)
	onlyNameTag := len(imgMap) > 0
	for k := range imgMap {
		if k != "name" && k != "tag" {
			onlyNameTag = false
		}
	}
	if onlyNameTag && im.has(dotted("jupyterhub.singleuser.image.name")) {
		name, _ := getPath(im.v, dotted("jupyterhub.singleuser.image.name"))
		tag, hasTag := getPath(im.v, dotted("jupyterhub.singleuser.image.tag"))
		if ns, ok := name.(string); ok && ns != "" && (!hasTag || isScalar(tag)) {
			im.take(dotted("jupyterhub.singleuser.image.name"))
			t := "latest"
			if hasTag && tag != nil {
				im.take(dotted("jupyterhub.singleuser.image.tag"))
				t = fmt.Sprint(tag)
				im.note(Typed, dotted("jupyterhub.singleuser.image.tag"), "spec.singleuser.image")
			}
			u.Image = ns + ":" + t
			im.note(Typed, dotted("jupyterhub.singleuser.image.name"), "spec.singleuser.image: %s", u.Image)
			if t == "latest" {
				im.remark("spec.singleuser.image: 'latest' moves under you: pin a dated tag so rollbacks restore the same image")
			}
		}
	}
	u.CPU.Guarantee = im.float(dotted("jupyterhub.singleuser.cpu.guarantee"), "spec.singleuser.cpu.guarantee")
	u.CPU.Limit = im.float(dotted("jupyterhub.singleuser.cpu.limit"), "spec.singleuser.cpu.limit")
	u.Memory.Guarantee = im.bytes(dotted("jupyterhub.singleuser.memory.guarantee"), "spec.singleuser.memory.guarantee")
	u.Memory.Limit = im.bytes(dotted("jupyterhub.singleuser.memory.limit"), "spec.singleuser.memory.limit")
	if t, ok := getPath(im.v, dotted("jupyterhub.singleuser.storage.type")); ok {
		if ts, _ := t.(string); ts == site.StorageDynamic || ts == site.StorageNone || ts == site.StorageStatic {
			im.take(dotted("jupyterhub.singleuser.storage.type"))
			u.Storage.Type = ts
			im.note(Typed, dotted("jupyterhub.singleuser.storage.type"), "spec.singleuser.storage.type")
		}
	}
	if u.Storage.Type == site.StorageStatic {
		if c, ok := im.takeString(dotted("jupyterhub.singleuser.storage.static.pvcName")); ok {
			u.Storage.ClaimName = c
			im.note(Typed, dotted("jupyterhub.singleuser.storage.static.pvcName"), "spec.singleuser.storage.claimName")
		}
		if sub, ok := im.takeString(dotted("jupyterhub.singleuser.storage.static.subPath")); ok {
			u.Storage.SubPath = sub
			im.note(Typed, dotted("jupyterhub.singleuser.storage.static.subPath"), "spec.singleuser.storage.subPath")
		} else {
			// z2jh's default subPath is {username}; hubfleet's is home/{username}.
			u.Storage.SubPath = "{username}"
		}
	}
	if c, ok := im.takeString(dotted("jupyterhub.singleuser.storage.capacity")); ok {
		u.Storage.Capacity = c
		im.note(Typed, dotted("jupyterhub.singleuser.storage.capacity"), "spec.singleuser.storage.capacity")
	}
	if c, ok := im.takeString(dotted("jupyterhub.singleuser.storage.dynamic.storageClass")); ok && u.Storage.Type != site.StorageStatic {
		u.Storage.StorageClass = c
		im.note(Typed, dotted("jupyterhub.singleuser.storage.dynamic.storageClass"), "spec.singleuser.storage.storageClass")
	} else if ok {
		setPath(im.v, dotted("jupyterhub.singleuser.storage.dynamic.storageClass"), c)
	}
	if d, ok := getPath(im.v, dotted("jupyterhub.singleuser.defaultUrl")); ok {
		if ds, ok := d.(string); ok && ds != "" {
			im.take(dotted("jupyterhub.singleuser.defaultUrl"))
			u.DefaultURL = ds
			im.note(Typed, dotted("jupyterhub.singleuser.defaultUrl"), "spec.singleuser.defaultURL")
		}
	}
	if st, ok := getPath(im.v, dotted("jupyterhub.singleuser.startTimeout")); ok {
		if n, err := strconv.Atoi(fmt.Sprint(st)); err == nil && n > 0 {
			im.take(dotted("jupyterhub.singleuser.startTimeout"))
			u.StartTimeout = n
			im.note(Typed, dotted("jupyterhub.singleuser.startTimeout"), "spec.singleuser.startTimeout")
		}
	}
	if bu, ok := im.takeString(dotted("jupyterhub.hub.baseUrl")); ok && bu != "" {
		if !strings.HasSuffix(bu, "/") {
			bu += "/"
		}
		if !strings.HasPrefix(bu, "/") {
			bu = "/" + bu
		}
		im.s.Spec.BaseURL = bu
		if bu == "/" {
			im.s.Spec.BaseURL = ""
		}
		im.note(Typed, dotted("jupyterhub.hub.baseUrl"), "spec.baseURL: %s", bu)
	}
	im.profiles()
	im.pythonProfiles()
	if u.Storage.Type == "" && u.Storage.Capacity != "" {
		u.Storage.Type = site.StorageDynamic
	}
}

func isScalar(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return false
	}
	return true
}

// float types a number at p; anything that is not a plain number passes
// through.
func (im *importer) float(p Path, field string) float64 {
	v, ok := getPath(im.v, p)
	if !ok || v == nil {
		return 0
	}
	f, err := strconv.ParseFloat(fmt.Sprint(v), 64)
	if err != nil || f == 0 {
		return 0
	}
	im.take(p)
	im.note(Typed, p, "%s: %v", field, v)
	return f
}

// bytes types a byte size at p; one that cannot be normalised passes
// through.
func (im *importer) bytes(p Path, field string) string {
	v, ok := getPath(im.v, p)
	if !ok || v == nil {
		return ""
	}
	s := fmt.Sprint(v)
	n, good := site.NormalizeByteSpec(s)
	if !good {
		return ""
	}
	im.take(p)
	if n != s {
		im.note(Migrated, p, "%s: %q normalised to %q (a number and K/M/G/T, binary)", field, s, n)
	} else {
		im.note(Typed, p, "%s", field)
	}
	return n
}

// rest passes every remaining value of the hub's charts through to
// spec.values, except anything the secret guard finds: those are never
// written, and the report says which secret channel to use instead.
func (im *importer) rest() {
	im.codeOverrides()
	for _, top := range []string{"jupyterhub", "dask-gateway", "rbac", "dask-kubernetes", "global"} {
		v, ok := im.v[top]
		if !ok {
			continue
		}
		delete(im.v, top)
		tree := map[string]any{top: v}
		im.secrets(tree, nil)
		for _, l := range Leaves(tree) {
			if im.s.Spec.Values == nil {
				im.s.Spec.Values = map[string]any{}
			}
			setPath(im.s.Spec.Values, l.Path, l.Value)
			in := im.input(l.Path)
			if im.secretLeaves[key(in)] {
				continue // reported as a secret: the list's other elements
			}
			im.items = append(im.items, Item{Action: Kept, Path: in.String(), Keys: in, To: l.Path, Note: "passed through in spec.values"})
		}
	}
}

// secrets moves what the secret guard finds in tree out of it, leaf by
// leaf; release is the input path of tree's root for a sibling release
// (nil: tree is in the daskhub layout). In a list (an env list), only the
// elements holding a secret go; the leaf is reported as a secret.
func (im *importer) secrets(tree map[string]any, release Path) {
	findings := secretscan.Tree("", tree, secretscan.Options{})
	for _, l := range Leaves(tree) {
		dot := strings.Join(l.Path, ".")
		var mine []secretscan.Finding
		for _, f := range findings {
			if f.Path == dot || strings.HasPrefix(f.Path, dot+"[") || strings.HasPrefix(f.Path, dot+".") {
				mine = append(mine, f)
			}
		}
		if len(mine) == 0 && isPlaceholder(l.Value) && secretKey(l.Path[len(l.Path)-1]) {
			mine = []secretscan.Finding{{Path: dot, Key: l.Path[len(l.Path)-1], What: "a secret filled in at deploy time"}}
		}
		if len(mine) == 0 {
			continue
		}
		in := im.input(l.Path)
		if release != nil {
			in = im.input(append(slices.Clone(release), l.Path...))
		}
		if list, ok := l.Value.([]any); ok && strings.HasPrefix(mine[0].Path, dot+"[") {
			drop := map[int]bool{}
			for _, f := range mine {
				rest := strings.TrimPrefix(f.Path, dot+"[")
				i, err := strconv.Atoi(rest[:strings.IndexByte(rest+"]", ']')])
				if err != nil || drop[i] {
					continue
				}
				drop[i] = true
				// Keys is the list (the leaf); Path names the element.
				im.items = append(im.items, Item{Action: Secret, Path: fmt.Sprintf("%s[%d]", in, i), Keys: in,
					Note: fmt.Sprintf("%s: moved to a secret: %s (the list's other elements are kept)", f.What, site.SecretFix("spec.values."+f.Path, f.Key, im.opts.Name))})
			}
			var keep []any
			for i, e := range list {
				if !drop[i] {
					keep = append(keep, e)
				}
			}
			setPath(tree, l.Path, keep)
			im.secretLeaves[key(in)] = true
			continue
		}
		deletePath(tree, l.Path)
		f := mine[0]
		fix := site.SecretFix("spec.values."+f.Path, f.Key, im.opts.Name)
		if release != nil {
			// Secret channels reach the hub's releases only.
			fix = fmt.Sprintf("the %s release gets no secret channel from hubfleet yet: keep the value in a Secret of the namespace and point the chart at it (or, if it is not a secret, put it back in spec.releases[].values)", release[0])
		}
		im.items = append(im.items, Item{Action: Secret, Path: in.String(), Keys: in,
			Note: fmt.Sprintf("%s: moved to a secret: %s", f.What, fix)})
	}
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
		if s, ok := v.(string); ok && s != "" {
			return []string{s}
		}
		return nil
	}
	var out []string
	for _, e := range l {
		out = append(out, fmt.Sprint(e))
	}
	return out
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// codeOverrides moves extraConfig entries whose code sets what hubfleet
// derives for this site (c.JupyterHub.authenticator_class, ...) to
// spec.overrides, unchanged: the code wins at run time, as before, and the
// plan shows the override and its reason.
func (im *importer) codeOverrides() {
	for _, sec := range []Path{dotted("jupyterhub.hub.extraConfig"), dotted("dask-gateway.gateway.extraConfig")} {
		ec, _ := getPath(im.v, sec)
		m, _ := ec.(map[string]any)
		for _, k := range sortedKeys(m) {
			code, ok := m[k].(string)
			if !ok {
				continue
			}
			owned := site.OwnedCode(&im.s, code)
			if len(owned) == 0 {
				continue
			}
			p := sec.plus(k)
			im.take(p)
			reason := fmt.Sprintf("imported as is: the code sets c.%s, which hubfleet also derives from the site spec; the code wins at run time, as it did before", strings.Join(owned, ", c."))
			im.s.Spec.Overrides = append(im.s.Spec.Overrides, site.Override{Path: p, Value: code, Reason: reason})
			in := im.input(p)
			im.items = append(im.items, Item{Action: Kept, Path: in.String(), Keys: in, To: p, Note: "passed through in spec.overrides: " + reason})
		}
	}
}

// secretKey reports whether a key names a secret (client_secret,
// password, apiToken, ...): a placeholder there is a secret the deploy
// tool fills in, and import moves it to a secret channel.
func secretKey(k string) bool {
	k = strings.ToLower(k)
	return strings.Contains(k, "secret") || strings.Contains(k, "password") || strings.Contains(k, "token")
}

// ownerName is the fleet's name for the owner's chart.
func (o Options) ownerName() string {
	if o.OwnerChart != "" {
		return o.OwnerChart
	}
	if o.Owner != nil {
		return o.Owner.Chart
	}
	return ""
}
