package main

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/hubfleet/hubfleet/internal/output"
	"github.com/hubfleet/hubfleet/internal/progress"
	"github.com/hubfleet/hubfleet/internal/targets"
	"github.com/hubfleet/hubfleet/internal/verify"
	"github.com/hubfleet/hubfleet/internal/workspace"
)

type verifyOptions struct {
	sites      []string
	wait       time.Duration
	timeout    time.Duration
	output     string
	kubeconfig string
	context    string
	noKube     bool
	dnsProbe   string
	strict     bool
	spawn      bool
	gateway    bool
	spawnWait  time.Duration
}

func newVerifyCmd(g *globalOptions, s streams) *cobra.Command {
	o := &verifyOptions{}
	var nf verify.NetFlags
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check that each site works, and say what is wrong in the operator's terms",
		Long: `Verify checks every site (or --site X), sites and checks concurrently:

  flux        the HelmRelease(s) are Ready for the generation and chart version
              just rendered (a stale Ready does not pass)
  kubernetes  proxy-public has its LoadBalancer address, or is ClusterIP behind
              an Ingress for the host; hub and proxy are available; the
              cert-manager Certificate is Ready
  dns         the host resolves to the LoadBalancer or Ingress address
  tls         chain and name verify; expiry judged against the certificate's
              lifetime; Let's Encrypt staging and Traefik's default certificate
              recognised
  hub         /hub/health, /hub/api/ version, /services/dask-gateway/api/health
  oidc        discovery document and issuer, JWKS, /hub/oauth_login redirect
              (client_id, redirect_uri), and the provider accepting it
  spawn       with --spawn, what a user does: as the site's probe service,
              start a server for the probe user (spec.probe.user, default
              hubfleet-probe), follow its spawn progress to ready, open a
              kernel through the proxy, import spec.probe.imports, compute,
              run a Dask computation (a LocalCluster, or with --dask-gateway
              a dask-gateway cluster with one worker), stop the server and
              delete what the probe created. Each stage is timed
              (spec.probe.timeouts). Concurrent probes of a site take turns;
              what an interrupted probe left is removed by the next one.

The probe calls the hub API with the token of the JupyterHub service
hubfleet-probe, kept SOPS-encrypted in overlays/<site>/hubfleet-secrets.sops.yaml
and decrypted with your age identity (SOPS_AGE_KEY_FILE). Set it up once:

  spec:
    probe: {}                 # user hubfleet-probe, the default profile
    secrets:
      values:
        hubfleet-probe-token: {targetPath: jupyterhub.hub.services.hubfleet-probe.apiToken}

  openssl rand -hex 32 | hubfleet secret set --site SITE --key hubfleet-probe-token

hubfleet renders the service's role (hub.loadRoles.hubfleet-probe): scopes
limited to the probe user, no admin, and not the right to create users: an
admin creates the probe user once (the hub's admin page, Add Users).

The Kubernetes checks use the kubeconfig context named by the site's
spec.kubernetes.context (default: the site name), or --context. Each result is
pass, warn or fail with a one-line explanation and a fix, or unknown when the
check could not run here, with the reason ("no kube context", "no DNS
resolver reachable"). The summary counts sites and checks separately.
Exit code 1 when a check fails; unknown results do not fail, unless --strict.`,
		Example: `  hubfleet verify
  hubfleet verify --site egi-pangeo --wait 15m
  hubfleet verify --output markdown >> "$GITHUB_STEP_SUMMARY"
  hubfleet verify --site egi-pangeo --kubeconfig ~/.kube/egi --context admin@egi -o json
  hubfleet verify --site egi-pangeo --resolve pangeo.vm.fedcloud.eu=192.0.2.10   # before the DNS cut-over
  SOPS_AGE_KEY_FILE=~/.config/sops/age/keys.txt hubfleet verify --spawn --site egi-pangeo
  hubfleet verify --spawn --dask-gateway --spawn-timeout 10m`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ws, err := loadWorkspace(cmd.Context(), g.root, workspace.Options{}, nil)
			if err != nil {
				return err
			}
			if _, err := ws.Select(o.sites); err != nil {
				return err
			}
			if o.output == "table" { // the former name of text
				o.output = string(output.Text)
			}
			format, err := output.ParseFormat(o.output, output.All)
			if err != nil {
				return err
			}
			opts := verify.DefaultOptions()
			opts.CheckTimeout = o.timeout
			opts.ResolverProbe = o.dnsProbe
			if err := nf.Apply(&opts); err != nil {
				return err
			}
			// Sites without cluster access get an unknown "kubernetes"
			// result that says why, in every output.
			sites, _ := ws.Select(o.sites)
			stop := progress.Start(cmd.Context(), "verifying %d site(s)", len(sites))
			req := targets.Request{Fleet: ws.Fleet, Sites: o.sites,
				Kubeconfig: targets.Kubeconfig{Path: o.kubeconfig, Context: o.context, Skip: o.noKube}, Wait: o.wait}
			if o.spawn {
				req.Spawn = &targets.Spawn{Root: g.root, DaskGateway: o.gateway, SpawnTimeout: o.spawnWait}
			} else if o.gateway || o.spawnWait != 0 {
				return fmt.Errorf("--dask-gateway and --spawn-timeout need --spawn")
			}
			results, err := targets.Verifier{Options: opts}.Run(cmd.Context(), req)
			stop()
			if err != nil {
				return err
			}
			if err := output.Print(s.out, format, verifyResult{verify.NewReport(results)}, g.style(s.out)); err != nil {
				return err
			}
			// The decision is the flow's: the Action publishes the same.
			if dec := verify.Decide(results, o.strict); len(dec.Reasons) > 0 {
				return problems("%s", verify.Summary(results))
			}
			return nil
		},
	}
	cmd.Flags().StringSliceVar(&o.sites, "site", nil, "verify only these sites (repeatable)")
	cmd.Flags().DurationVar(&o.wait, "wait", 0, "retry until every check passes or this much time has passed (e.g. 15m, right after a merge)")
	cmd.Flags().DurationVar(&o.timeout, "timeout", 10*time.Second, "timeout of each check")
	outputFlag(cmd, &o.output, output.All)
	cmd.Flags().StringVar(&o.kubeconfig, "kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig file (default: $KUBECONFIG, ~/.kube/config)")
	cmd.Flags().StringVar(&o.context, "context", "", "kubeconfig context for every site checked (default: each site's spec.kubernetes.context, else its name)")
	cmd.Flags().StringVar(&o.dnsProbe, "dns-probe", verify.DefaultResolverProbe, "a name that always resolves: when neither it nor a site's host resolves, DNS results are unknown, not failed (empty: no probe)")
	cmd.Flags().BoolVar(&o.noKube, "no-kube", false, "skip the Kubernetes checks (no cluster credentials)")
	cmd.Flags().BoolVar(&o.strict, "strict", false, "exit 1 also when a check could not run (an unknown result)")
	cmd.Flags().BoolVar(&o.spawn, "spawn", false, "also start a server as the probe user, run code and a Dask computation in a kernel, and clean up (spec.probe)")
	cmd.Flags().BoolVar(&o.gateway, "dask-gateway", false, "with --spawn: compute on a dask-gateway cluster with one worker (sites with a gateway) instead of a LocalCluster")
	cmd.Flags().DurationVar(&o.spawnWait, "spawn-timeout", 0, "with --spawn: how long a server may take to start (default: spec.probe.timeouts.spawn, else spec.singleuser.startTimeout, else 5m)")
	nf.AddFlags(cmd.Flags())
	return cmd
}
