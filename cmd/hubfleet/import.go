package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/flux"
	"github.com/hubfleet/hubfleet/internal/importer"
)

type importOptions struct {
	site          string
	host          string
	contactEmail  string
	ageRecipient  string
	write         bool
	chartCache    string
	files         []string
	layout        string
	clusterFile   string
	hub           string
	set           []string
	tlsMode       string
	clusterIssuer string
	ingressClass  string
	clientID      string
	admins        []string
	owner         ownerChartOptions
}

func newImportCmd(g *globalOptions, s streams) *cobra.Command {
	o := &importOptions{}
	cmd := &cobra.Command{
		Use:   "import [-f VALUES.yaml]... --site NAME",
		Short: "Turn an existing hub's values files into a site file",
		Long: `Import reads a hub's Helm values files as they are (several are merged in
order with Helm's rules, as helm -f a -f b: maps merge, the later file wins,
null deletes a chart default) and writes the equivalent site file.

It detects how the values nest z2jh and says which layout it found:
plain z2jh (hub:, proxy:, singleuser: at the top), dask/helm-chart daskhub
(jupyterhub: and dask-gateway:), a base chart with sibling charts (jupyterhub:
beside nfs:, jupyterhub-home-nfs:, binderhub-service:, dask-gateway:), or an
umbrella key around one of them (basehub:, daskhub:). --layout overrides it.

Every leaf of the input ends in exactly one place, and the report says which:
  typed     a typed field of the site (host, TLS, login, access, image, ...);
  migrated  a typed field, changed on the way (the report says how);
  kept      passed through unchanged to its release's values;
  secret    not copied: moved to a secret channel ('hubfleet secret set');
  dropped   not carried over, with the reason.
Who may log in and who is admin never changes. Sibling charts become sibling
releases on chart pins in the fleet file (spec.charts.siblings). A profile list
(singleuser.profileList, or a Python literal set as c.KubeSpawner.profile_list
in hub.extraConfig) becomes spec.singleuser.profiles when all of it fits and
renders back unchanged; otherwise it passes through, and the report says why.

Deploy-time placeholders (${VAR}, set-on-deployment) are never copied: give
their real values with --set PATH=VALUE.

The login is never guessed. The auth: block of z2jh before 0.11 is read as
z2jh's own migration maps it into hub.config. When the values name no
authenticator_class but the hub runs one (values for an operator's own
chart, whose values.yaml may set it; an authenticator's settings in
hub.config or extraConfig; a null hub.config), import stops and says
which file to add, rather than assume z2jh's default (anyone logs in).

Admins the values leave to data outside them are never invented: 2i2c's
basehub adds its staff list (in its own chart values) to admin_users when
custom.2i2c.add_staff_user_ids_to_admin_users is true. Import says so and
asks for the names: give each with --admin NAME (repeat the flag, one name
each, as with --set and -f: a name is taken verbatim). They go to
spec.auth.admins, and the report lists them as supplied: your decision, not
read from the values.

The host comes from the values (ingress hosts, proxy.https.hosts, the OAuth
callback URL), from the operator's cluster file (--cluster-file, 2i2c's
cluster.yaml: hubs[].domain, and the hub's values files in order when no -f
is given), or from --host.

Values written for an operator's own chart (a base chart with siblings,
or an umbrella key such as 2i2c's basehub:) can take either of two routes:
  --route upstream  (the default) translate them onto the upstream charts:
                    jupyterhub, dask-gateway and sibling releases. Lost: what
                    only the owners' chart did (its templates and defaults:
                    2i2c's staff admins and homepage in custom:, its NFS
                    add-ons); kept custom.* values are inert.
  --route owner     keep the owners' chart (spec.chart.umbrella): hubfleet's
                    typed fields render at its key paths and every other value
                    reaches it where the operator wrote it. Lost: validate
                    checks only its z2jh part against a schema, its subcharts
                    move only with its own version, and it must be served from
                    a Helm repository Flux can reach.
The owner route needs the chart declared in the fleet file
(spec.charts.umbrellas.<name>); import says exactly what to add, or adds it
with --declare-owner-chart and the chart's repository and versions.

Without --write the site file is printed; with --write it is saved as
clusters/<site>/site.yaml (an existing file is never overwritten).`,
		Example: `  hubfleet import -f values.yaml --site egi-pangeo
  hubfleet import -f common.values.yaml -f prod.values.yaml --site leap-prod --host leap.2i2c.cloud --tls-mode cert-manager --cluster-issuer letsencrypt-prod
  hubfleet import --cluster-file config/clusters/leap/cluster.yaml --hub prod --site leap-prod --tls-mode cert-manager --cluster-issuer letsencrypt-prod --write
  hubfleet import --cluster-file config/clusters/2i2c-aws-us/cluster.yaml --hub staging --site 2i2c-aws-us-staging --tls-mode cert-manager --cluster-issuer letsencrypt-prod --admin alice --admin bob --write
  hubfleet import --cluster-file config/clusters/leap/cluster.yaml --hub prod --site leap-prod --tls-mode cert-manager --cluster-issuer letsencrypt-prod --route owner --declare-owner-chart --owner-chart-repository https://charts.example.org --owner-chart-version 0.1.0 --owner-chart-jupyterhub-version 4.3.3 --write`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runImport(cmd.Context(), g, o, s, append(slices.Clone(o.files), args...))
		},
	}
	cmd.Flags().StringArrayVarP(&o.files, "values", "f", nil, "a values file; repeat it, in the order the owners merge them (later files win)")
	cmd.Flags().StringVar(&o.site, "site", "", "name of the new site (required)")
	cmd.Flags().StringVar(&o.host, "host", "", "the hub's public DNS name, if the values do not name it")
	cmd.Flags().StringVar(&o.layout, "layout", "", "how the values nest z2jh: z2jh, daskhub, base or umbrella:KEY (default: detected)")
	cmd.Flags().StringVar(&o.clusterFile, "cluster-file", "", "the operator's cluster file (2i2c cluster.yaml): the hub's domain, and its values files when no -f is given")
	cmd.Flags().StringVar(&o.hub, "hub", "", "the hub's name in --cluster-file (default: --site)")
	cmd.Flags().StringArrayVar(&o.set, "set", nil, "the real value of a deploy-time placeholder, as PATH=VALUE (PATH as the report writes it)")
	cmd.Flags().StringVar(&o.tlsMode, "tls-mode", "", "how HTTPS is served when the values do not say: autohttps, cert-manager or secret")
	cmd.Flags().StringVar(&o.clusterIssuer, "cluster-issuer", "", "cert-manager ClusterIssuer, with --tls-mode cert-manager")
	cmd.Flags().StringVar(&o.ingressClass, "ingress-class", "", "ingress class, with --tls-mode cert-manager or secret")
	cmd.Flags().StringVar(&o.clientID, "client-id", "", "the OAuth client id, when the values do not hold it (e.g. it is in an encrypted file)")
	cmd.Flags().StringArrayVar(&o.admins, importer.AdminFlag[2:], nil, "an admin of basehub's staff list, which the values turn on (custom.2i2c.add_staff_user_ids_to_admin_users) but do not hold; repeat it, one name each")
	cmd.Flags().StringVar(&o.contactEmail, "contact-email", "", "Let's Encrypt account e-mail, for values without an ingress")
	cmd.Flags().StringVar(&o.ageRecipient, "age-recipient", "", "the public age key of the site's cluster (age1...), for spec.secrets.ageRecipient")
	cmd.Flags().BoolVar(&o.write, "write", false, "write clusters/<site>/site.yaml instead of printing it")
	addOwnerChartFlags(cmd, &o.owner)
	addChartCacheFlag(cmd, &o.chartCache)
	_ = cmd.MarkFlagRequired("site")
	return cmd
}

func runImport(ctx context.Context, g *globalOptions, o *importOptions, s streams, args []string) error {
	io := importer.Options{Name: o.site, Host: o.host, ContactEmail: o.contactEmail, AgeRecipient: o.ageRecipient,
		ClientID: o.clientID, Admins: o.admins, TLSMode: o.tlsMode, ClusterIssuer: o.clusterIssuer, IngressClass: o.ingressClass, Set: map[string]string{}}
	if o.layout != "" {
		l, err := importer.ParseLayout(o.layout)
		if err != nil {
			return err
		}
		io.Layout = l
	}
	for _, kv := range o.set {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return fmt.Errorf("--set %q: write PATH=VALUE", kv)
		}
		io.Set[k] = v
	}
	route, err := importer.ParseRoute(o.owner.route)
	if err != nil {
		return err
	}
	io.Route = route
	if o.owner.declare && route != importer.RouteOwner {
		return fmt.Errorf("--declare-owner-chart declares the owners' chart of --route owner: add --route owner, or leave it out")
	}
	if o.owner.declare && !o.write {
		return fmt.Errorf("--declare-owner-chart changes the fleet file (%s): add --write", fleet.FleetFile)
	}
	if o.clusterFile != "" {
		hub := o.hub
		if hub == "" {
			hub = o.site
		}
		cf, err := importer.ReadClusterFile(o.clusterFile, hub)
		if err != nil {
			return err
		}
		io.Domain, io.Namespace, io.Provider = cf.Domain, cf.Name, cf.Provider
		if o.owner.name == "" && route == importer.RouteOwner {
			o.owner.name = cf.Chart
		}
		if len(args) == 0 {
			args = cf.Files
			for _, m := range cf.Missing {
				fmt.Fprintf(s.err, "note: %s is not here (an encrypted file is left out of a copy): imported without it\n", m)
			}
		}
	}
	if len(args) == 0 {
		return fmt.Errorf("no values files: give them with -f (in the order the owners merge them), or --cluster-file with --hub")
	}
	files := map[string][]byte{}
	for _, a := range args {
		b, err := os.ReadFile(a)
		if err != nil {
			return err
		}
		files[a] = b
	}
	decl, err := ownerChartOf(g.root, &o.owner, &io)
	if err != nil {
		return err
	}
	st, report, err := importer.Import(files, args, io)
	if err != nil {
		return err
	}
	if route == importer.RouteOwner && decl == nil {
		// The fleet does not declare the chart yet: add it when asked
		// (before anything else is written), else say what to add.
		if err := declareOwnerChart(g.root, o, report.Owner, s); err != nil {
			return err
		}
	}
	// The header names the files, not where they sat on this machine: the
	// site file is the same whoever imports it, and no temporary path
	// reads like a token to the secret guard.
	names := make([]string, len(args))
	for i, a := range args {
		names[i] = filepath.Base(a)
	}
	out, err := importer.Encode(st, strings.Join(names, ", "))
	if err != nil {
		return err
	}
	fmt.Fprint(s.err, report.String())
	for _, a := range report.Asks {
		fmt.Fprintf(s.err, "next step: %s\n", a)
	}
	typos, err := checkImported(ctx, g.root, o.chartCache, fleet.SitePath(o.site), out)
	if err != nil {
		return err
	}
	if w := typos.Warnings(); len(w) > 0 {
		fmt.Fprintln(s.err, w.Error())
	}
	if !o.write {
		if _, err := s.out.Write(out); err != nil {
			return err
		}
		if errs := typos.Errors(); len(errs) > 0 {
			return problems("%s\n%d problem(s) found: fix them in the values file or in the site file", errs.Error(), len(errs))
		}
		return nil
	}
	abs, err := filepath.Abs(g.root)
	if err != nil {
		return err
	}
	rel := fleet.SitePath(o.site)
	if _, err := os.Stat(filepath.Join(abs, rel)); err == nil {
		return fmt.Errorf("%s already exists: import never overwrites a site (remove it first, or import under another --site)", rel)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := flux.WriteFile(abs, rel, out); err != nil {
		return err
	}
	fmt.Fprintf(s.out, "wrote %s\n", rel)
	if _, err := loadFleetChecked(ctx, g.root, o.chartCache, s); err != nil {
		var p *errProblems
		if errors.As(err, &p) {
			return problems("%s\nthe imported site needs the fixes above before 'hubfleet render'", p.msg)
		}
		return err
	}
	return nil
}
