package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"text/template"
	"time"

	"filippo.io/age"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/yaml"

	"github.com/hubfleet/hubfleet/internal/testcluster"
	"github.com/hubfleet/hubfleet/internal/testhub"
	"github.com/hubfleet/hubfleet/internal/verify"
)

var helmReleaseGVR = schema.GroupVersionResource{Group: "helm.toolkit.fluxcd.io", Version: "v2", Resource: "helmreleases"}

// e2eFleet is bases/daskhub/fleet.yaml of the end-to-end fleet: daskhub
// 2023.1.0 vendors the jupyterhub chart 2.0.0, which ships JupyterHub
// 3.0.0, the version Debian's jupyterhub package runs; composed sites get
// the same jupyterhub chart and dask-gateway 2023.1.0.
const e2eFleet = `apiVersion: hubfleet.dev/v1alpha1
kind: Fleet
metadata:
  name: e2e
  annotations:
    config.kubernetes.io/local-config: "true"
spec:
  defaultMode: daskhub
  namespace: daskhub
  kubernetesVersion: 1.30.0
  charts:
    daskhub:
      repository: https://helm.dask.org
      chart: daskhub
      version: 2023.1.0
    jupyterhub:
      repository: https://hub.jupyter.org/helm-chart/
      chart: jupyterhub
      version: 2.0.0
    daskGateway:
      repository: https://helm.dask.org
      chart: dask-gateway
      version: 2023.1.0
  helmRelease:
    interval: 30m
    timeout: 15m
    retries: 3
  secrets:
    ageRecipients:
      - {{.Recipient}}
  git:
    branch: main
`

// e2eSite is clusters/<site>/site.yaml of an end-to-end site.
var e2eSite = template.Must(template.New("site").Parse(`apiVersion: hubfleet.dev/v1alpha1
kind: Site
metadata:
  name: {{.Name}}
  annotations:
    config.kubernetes.io/local-config: "true"
spec:
  namespace: {{.Name}}
  kubernetes:
    version: 1.30.4
    context: {{.Context}}
  host: {{.Host}}
  tls:
{{- if eq .TLS "secret"}}
    mode: secret
    secretName: {{.Name}}-tls
    ingressClass: nginx
{{- else}}
    mode: autohttps
    contactEmail: hub-admins@example.org
{{- end}}
  auth:
    provider: oidc
    clientID: {{.ClientID}}
    clientSecret:
      sops: true
    allowAll: true
    oidc:
      issuer: {{.Issuer}}
      authorizeURL: {{.Issuer}}/auth
{{- if .Composed}}
  chart:
    mode: composed
{{- end}}
  secrets:
    ageRecipient: {{.Recipient}}
`))

type e2eSiteSpec struct {
	Name, Host, TLS, ClientID, Issuer, Context, Recipient string
	Composed                                              bool
	// lbIP is proxy-public's (or the Ingress's) address in the cluster and
	// what --resolve answers for Host: loopback, so that nothing could
	// leave the machine even if --connect-to were ignored.
	lbIP string
	hub  *testhub.Hub
}

// e2eReport is `hubfleet verify -o json`.
type e2eReport struct {
	Status  verify.Status `json:"status"`
	Summary string        `json:"summary"`
	Results []struct {
		Site   string        `json:"site"`
		Check  string        `json:"check"`
		Status verify.Status `json:"status"`
		Detail string        `json:"detail"`
		Fix    string        `json:"fix"`
		Error  string        `json:"error"`
	} `json:"results"`
}

// TestVerifyE2E runs the `hubfleet verify` command on a two-site fleet
// against real components: a kube-apiserver with the Flux CRDs holding the
// HelmReleases the sites render (status written as helm-controller would),
// Debian's JupyterHub behind configurable-http-proxy with TLS from a test
// CA, and npm oidc-provider as the OpenID provider. The healthy fleet
// passes every check; then one thing at a time is broken and the JSON must
// name the right check with the right explanation.
//
// e2e-ingress is a daskhub (umbrella chart) site with tls.mode secret
// behind an Ingress; e2e-lb is a composed site (jupyterhub + dask-gateway
// releases) with autohttps on a LoadBalancer. Only loopback is used:
// --connect-to sends the hub and IdP hosts to the loopback listeners and
// --resolve answers the DNS check with the (loopback) LoadBalancer and
// Ingress addresses.
//
// It skips, naming what is missing, without the testcluster binaries or the
// testhub packages, and fails instead under HUBFLEET_REQUIRE_CLUSTER=1 and
// HUBFLEET_REQUIRE_TESTHUB=1.
func TestVerifyE2E(t *testing.T) {
	t.Parallel()
	const (
		idpHost  = "idp.e2e.example.org"
		issuer   = "https://" + idpHost
		clientID = "hub-e2e"
	)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()

	c := testcluster.Start(t, testcluster.DefaultOptions())
	ca, err := testhub.NewCA("hubfleet verify e2e CA")
	if err != nil {
		t.Fatal(err)
	}
	kc, err := clientcmd.LoadFromFile(c.KubeconfigPath())
	if err != nil || kc.CurrentContext == "" {
		t.Fatalf("testcluster kubeconfig has no current context (%v)", err)
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	sites := []*e2eSiteSpec{
		{Name: "e2e-ingress", Host: "hub.ingress.example.org", TLS: "secret", lbIP: "127.0.0.10"},
		{Name: "e2e-lb", Host: "hub.lb.example.org", TLS: "autohttps", Composed: true, lbIP: "127.0.0.20"},
	}
	var callbacks []string
	for _, s := range sites {
		s.ClientID, s.Issuer, s.Context, s.Recipient = clientID, issuer, kc.CurrentContext, id.Recipient().String()
		callbacks = append(callbacks, "https://"+s.Host+"/hub/oauth_callback")
	}

	// The OpenID provider knows one client with both sites' callbacks.
	idpCert, err := ca.Issue(idpHost)
	if err != nil {
		t.Fatal(err)
	}
	po := testhub.DefaultIdPOptions()
	po.Issuer, po.Cert, po.CA, po.ClientID, po.RedirectURIs = issuer, idpCert, ca, clientID, callbacks
	idp := testhub.StartIdP(t, po)
	for i, s := range sites {
		cert, err := ca.Issue(s.Host)
		if err != nil {
			t.Fatal(err)
		}
		ho := testhub.DefaultHubOptions()
		ho.Host, ho.Cert, ho.CA, ho.DaskGateway = s.Host, cert, ca, true
		ho.AuthorizeURL, ho.ClientID, ho.CallbackURL = issuer+"/auth", clientID, callbacks[i]
		s.hub = testhub.StartHub(t, ho)
	}

	root := writeE2EFleet(t, id.Recipient().String(), sites)
	cs, err := kubernetes.NewForConfig(c.RestConfig())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sites {
		deploySite(ctx, t, c, cs, root, s)
	}

	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, ca.CertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"verify", "--root", root, "--kubeconfig", c.KubeconfigPath(), "--cacert", caFile,
		"--connect-to", idpHost + "=" + idp.Addr(), "-o", "json", "--timeout", "10s"}
	for _, s := range sites {
		args = append(args, "--resolve", s.Host+"="+s.lbIP, "--connect-to", s.Host+"="+s.hub.Addr())
	}
	allChecks := map[string][]string{
		"e2e-ingress": {"helmrelease/daskhub", verify.CheckProxyPublic, "deployment/hub", "deployment/proxy"},
		"e2e-lb": {"helmrelease/jupyterhub", "helmrelease/dask-gateway", verify.CheckProxyPublic,
			"deployment/hub", "deployment/proxy", "deployment/autohttps"},
	}
	for site, cs := range allChecks {
		allChecks[site] = append(cs, verify.CheckDNS, verify.CheckTLS, verify.CheckHubHealth, verify.CheckHubVersion,
			verify.CheckDaskGateway, verify.CheckOIDCDiscovery, verify.CheckJWKS, verify.CheckOAuthLogin, verify.CheckOAuthAuthorize)
	}

	// want is a check's status, a part of its explanation and, when not
	// empty, a part of its fix.
	type want struct {
		status      verify.Status
		detail, fix string
	}
	// verifyFleet runs the command and wants every check of allChecks
	// exactly once: those in wants with their status and explanation, the
	// others passing. Keys are "site check".
	verifyFleet := func(t *testing.T, wants map[string]want) {
		t.Helper()
		var out, errb bytes.Buffer
		rctx, rcancel := context.WithTimeout(ctx, 2*time.Minute)
		code := run(rctx, args, strings.NewReader(""), &out, &errb)
		rcancel()
		var rep e2eReport
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			t.Fatalf("exit %d, stdout is not the JSON report: %v\n%s\nstderr:\n%s", code, err, out.String(), errb.String())
		}
		wantCode, wantStatus := exitOK, verify.Pass
		for _, w := range wants {
			if w.status == verify.Fail {
				wantCode, wantStatus = exitProblems, verify.Fail
			}
		}
		if code != wantCode || rep.Status != wantStatus {
			t.Errorf("exit %d, report status %s; want exit %d, status %s (stderr: %s)", code, rep.Status, wantCode, wantStatus, strings.TrimSpace(errb.String()))
		}
		seen := map[string]bool{}
		for _, r := range rep.Results {
			key := r.Site + " " + r.Check
			if seen[key] {
				t.Errorf("%s reported twice", key)
			}
			seen[key] = true
			w, listed := wants[key]
			if !listed {
				w = want{status: verify.Pass}
			}
			if r.Status != w.status || !strings.Contains(r.Detail, w.detail) || !strings.Contains(r.Fix, w.fix) {
				t.Errorf("%s = %s %q (fix %q, error %q), want %s containing %q (fix %q)", key, r.Status, r.Detail, r.Fix, r.Error, w.status, w.detail, w.fix)
			}
			if r.Status != verify.Pass && r.Fix == "" {
				t.Errorf("%s = %s without a fix", key, r.Status)
			}
		}
		var missing []string
		for site, checks := range allChecks {
			for _, ch := range checks {
				if !seen[site+" "+ch] {
					missing = append(missing, site+" "+ch)
				}
			}
		}
		for key := range wants {
			if !seen[key] {
				missing = append(missing, key)
			}
		}
		if len(missing) > 0 {
			sort.Strings(missing)
			t.Errorf("no result for %s; got %d results", strings.Join(missing, ", "), len(rep.Results))
		}
		if t.Failed() {
			t.Logf("hubfleet %s\n%s", strings.Join(args, " "), out.String())
		}
	}

	// Each step leaves what it broke broken unless it says otherwise: the
	// later steps' wants include the earlier faults.
	t.Run("healthy", func(t *testing.T) {
		verifyFleet(t, map[string]want{
			"e2e-ingress helmrelease/daskhub": {verify.Pass, "HelmRelease e2e-ingress/daskhub Ready at chart version 2023.1.0", ""},
			"e2e-lb helmrelease/jupyterhub":   {verify.Pass, "Ready at chart version 2.0.0", ""},
			"e2e-lb helmrelease/dask-gateway": {verify.Pass, "Ready at chart version 2023.1.0", ""},
			"e2e-ingress proxy-public":        {verify.Pass, "Ingress e2e-ingress/jupyterhub routes hub.ingress.example.org to proxy-public at 127.0.0.10", ""},
			"e2e-lb proxy-public":             {verify.Pass, "LoadBalancer 127.0.0.20", ""},
			"e2e-ingress deployment/proxy":    {verify.Pass, "1/1 replicas available", ""},
			"e2e-lb deployment/autohttps":     {verify.Pass, "1/1 replicas available", ""},
			"e2e-ingress dns":                 {verify.Pass, "hub.ingress.example.org resolves to 127.0.0.10", ""},
			"e2e-lb dns":                      {verify.Pass, "hub.lb.example.org resolves to 127.0.0.20", ""},
			"e2e-ingress hub-version":         {verify.Pass, "JupyterHub 3.0.0", ""},
			"e2e-lb hub-version":              {verify.Pass, "JupyterHub 3.0.0", ""},
			"e2e-ingress oidc-discovery":      {verify.Pass, "authorize at " + issuer + "/auth", ""},
			"e2e-ingress oauth-login":         {verify.Pass, "redirect_uri https://hub.ingress.example.org/hub/oauth_callback", ""},
			"e2e-lb oauth-authorize":          {verify.Pass, "the provider accepts client hub-e2e and redirect_uri https://hub.lb.example.org/hub/oauth_callback", ""},
		})
	})
	if t.Failed() {
		t.FailNow()
	}

	t.Run("stale HelmRelease", func(t *testing.T) {
		// A commit changed the spec; helm-controller has not reconciled it:
		// the status still describes generation 1.
		hrs := c.Dynamic().Resource(helmReleaseGVR).Namespace("e2e-lb")
		hr, err := hrs.Get(ctx, "jupyterhub", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if err := unstructured.SetNestedField(hr.Object, "45m0s", "spec", "interval"); err != nil {
			t.Fatal(err)
		}
		hr, err = hrs.Update(ctx, hr, metav1.UpdateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if hr.GetGeneration() != 2 {
			t.Fatalf("generation %d after a spec change, want 2", hr.GetGeneration())
		}
		verifyFleet(t, map[string]want{"e2e-lb helmrelease/jupyterhub": {verify.Fail,
			"HelmRelease e2e-lb/jupyterhub: Ready=True is stale, it describes generation 1 but the spec is at generation 2",
			"flux reconcile helmrelease jupyterhub -n e2e-lb"}})
		// helm-controller catches up.
		writeHelmReleaseStatus(ctx, t, c.Dynamic(), hr)
	})

	t.Run("client id changed in site.yaml", func(t *testing.T) {
		p := filepath.Join(root, "clusters", "e2e-ingress", "site.yaml")
		orig, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		changed := bytes.Replace(orig, []byte("clientID: "+clientID), []byte("clientID: hub-e2e-renamed"), 1)
		if bytes.Equal(changed, orig) {
			t.Fatal("site.yaml has no clientID line to change")
		}
		if err := os.WriteFile(p, changed, 0o644); err != nil {
			t.Fatal(err)
		}
		defer func() {
			if err := os.WriteFile(p, orig, 0o644); err != nil {
				t.Fatal(err)
			}
		}()
		verifyFleet(t, map[string]want{"e2e-ingress oauth-login": {verify.Fail,
			`the hub sends client_id="hub-e2e", the site is registered as "hub-e2e-renamed"`,
			"set the authenticator's client_id to hub-e2e-renamed"}})
	})

	gatewayDown := want{verify.Fail, "GET https://hub.lb.example.org/services/dask-gateway/api/health returned 503", ""}
	t.Run("dask-gateway stopped", func(t *testing.T) {
		if err := sites[1].hub.StopGateway(); err != nil {
			t.Fatal(err)
		}
		verifyFleet(t, map[string]want{"e2e-lb dask-gateway": gatewayDown})
	})

	hubDown := map[string]want{
		"e2e-lb dask-gateway":         gatewayDown,
		"e2e-ingress hub-health":      {verify.Fail, "the hub is down", ""},
		"e2e-ingress hub-version":     {verify.Fail, "GET https://hub.ingress.example.org/hub/api/ returned 503", "see the hub-health check"},
		"e2e-ingress oauth-login":     {verify.Fail, "GET https://hub.ingress.example.org/hub/oauth_login returned 503: the hub cannot answer", "see the hub-health check"},
		"e2e-ingress oauth-authorize": {verify.Warn, "not checked: the hub gave no authorization redirect to follow", "see the oauth-login check"},
	}
	t.Run("hub killed, proxy still up", func(t *testing.T) {
		if err := sites[0].hub.KillHub(); err != nil {
			t.Fatal(err)
		}
		verifyFleet(t, hubDown)
	})

	var idpDown map[string]want
	t.Run("OpenID provider stopped", func(t *testing.T) {
		idp.Stop()
		wants := map[string]want{}
		for k, w := range hubDown {
			wants[k] = w
		}
		for _, s := range []string{"e2e-ingress", "e2e-lb"} {
			wants[s+" oidc-discovery"] = want{verify.Fail, "connection to " + issuer + "/.well-known/openid-configuration refused", ""}
			wants[s+" jwks"] = want{verify.Fail, "the discovery document is unusable", "see the oidc-discovery check"}
		}
		// The e2e-lb hub still redirects, to an endpoint nobody can check.
		wants["e2e-lb oauth-login"] = want{verify.Warn, "authorization_endpoint is unknown", "see the oidc-discovery check"}
		wants["e2e-lb oauth-authorize"] = want{verify.Fail, "connection to " + issuer + "/auth refused", ""}
		verifyFleet(t, wants)
		idpDown = wants
	})

	t.Run("API server stopped", func(t *testing.T) {
		if err := c.StopComponent(testcluster.KubeAPIServer); err != nil {
			t.Fatal(err)
		}
		wants := map[string]want{}
		for k, w := range idpDown {
			wants[k] = w
		}
		refused := want{verify.Fail, "the Kubernetes API server of kube context " + kc.CurrentContext + " refused the connection",
			"check the cluster's API server is up"}
		for site, checks := range allChecks {
			for _, ch := range checks {
				if k := verify.CheckKind(ch); k == verify.CheckHelmRelease || k == verify.CheckProxyPublic || k == verify.CheckDeployment {
					wants[site+" "+ch] = refused
				}
			}
			wants[site+" dns"] = want{verify.Warn, "proxy-public's address to compare with is unknown", "see the proxy-public check"}
		}
		verifyFleet(t, wants)
	})
}

// writeE2EFleet writes the fleet and its sites, then `hubfleet secret set`
// encrypts each site's client secret and renders its overlay.
func writeE2EFleet(t *testing.T, recipient string, sites []*e2eSiteSpec) string {
	t.Helper()
	root := t.TempDir()
	files := map[string][]byte{
		"bases/daskhub/fleet.yaml": []byte(strings.ReplaceAll(e2eFleet, "{{.Recipient}}", recipient)),
	}
	for _, s := range sites {
		var b bytes.Buffer
		if err := e2eSite.Execute(&b, s); err != nil {
			t.Fatal(err)
		}
		files[filepath.Join("clusters", s.Name, "site.yaml")] = b.Bytes()
	}
	for name, b := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range sites {
		if r := hubfleet(t, "e2e-client-secret\n", "secret", "set", "--site", s.Name, "--root", root); r.code != exitOK {
			t.Fatalf("secret set --site %s: exit %d\n%s%s", s.Name, r.code, r.stdout, r.stderr)
		}
	}
	if r := hubfleet(t, "", "render", "--check", "--root", root); r.code != exitOK {
		t.Fatalf("render --check: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	return root
}

// deploySite creates in the cluster what Flux and helm-controller would
// leave there for a healthy site: its namespace, the HelmReleases exactly
// as rendered in overlays/<site>/ with a Ready status for their
// generation and chart version, proxy-public with its address (a
// LoadBalancer for autohttps, an Ingress otherwise), and available hub and
// proxy (and autohttps) Deployments.
func deploySite(ctx context.Context, t *testing.T, c *testcluster.Cluster, cs kubernetes.Interface, root string, s *e2eSiteSpec) {
	t.Helper()
	ns := s.Name
	if err := c.CreateNamespace(ctx, ns); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(root, "overlays", s.Name, "helmrelease-*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no rendered HelmRelease in overlays/%s (%v)", s.Name, err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var obj map[string]any
		if err := yaml.Unmarshal(b, &obj); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		hr, err := c.Dynamic().Resource(helmReleaseGVR).Namespace(ns).Create(ctx, &unstructured.Unstructured{Object: obj}, metav1.CreateOptions{})
		if err != nil {
			t.Fatalf("create HelmRelease from %s: %v", f, err)
		}
		writeHelmReleaseStatus(ctx, t, c.Dynamic(), hr)
	}

	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "proxy-public", Namespace: ns},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeClusterIP, Selector: map[string]string{"component": "proxy"},
			Ports: []corev1.ServicePort{{Name: "http", Port: 80}}},
	}
	deployments := []string{"hub", "proxy"}
	if s.TLS == "autohttps" {
		svc.Spec.Type = corev1.ServiceTypeLoadBalancer
		svc.Spec.Selector = map[string]string{"component": "autohttps"}
		svc.Spec.Ports = []corev1.ServicePort{{Name: "https", Port: 443}, {Name: "http", Port: 80}}
		deployments = append(deployments, "autohttps")
	}
	got, err := cs.CoreV1().Services(ns).Create(ctx, svc, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create proxy-public: %v", err)
	}
	if s.TLS == "autohttps" {
		got.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: s.lbIP}}
		if _, err := cs.CoreV1().Services(ns).UpdateStatus(ctx, got, metav1.UpdateOptions{}); err != nil {
			t.Fatalf("update proxy-public status: %v", err)
		}
	} else {
		pt := networkingv1.PathTypePrefix
		class := "nginx"
		ing, err := cs.NetworkingV1().Ingresses(ns).Create(ctx, &networkingv1.Ingress{
			ObjectMeta: metav1.ObjectMeta{Name: "jupyterhub"},
			Spec: networkingv1.IngressSpec{IngressClassName: &class,
				TLS: []networkingv1.IngressTLS{{Hosts: []string{s.Host}, SecretName: s.Name + "-tls"}},
				Rules: []networkingv1.IngressRule{{Host: s.Host,
					IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{{
						Path: "/", PathType: &pt, Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{
							Name: "proxy-public", Port: networkingv1.ServiceBackendPort{Name: "http"}}},
					}}}}}}},
		}, metav1.CreateOptions{})
		if err != nil {
			t.Fatalf("create Ingress: %v", err)
		}
		ing.Status.LoadBalancer.Ingress = []networkingv1.IngressLoadBalancerIngress{{IP: s.lbIP}}
		if _, err := cs.NetworkingV1().Ingresses(ns).UpdateStatus(ctx, ing, metav1.UpdateOptions{}); err != nil {
			t.Fatalf("update Ingress status: %v", err)
		}
	}

	one := int32(1)
	for _, name := range deployments {
		labels := map[string]string{"component": name}
		d, err := cs.AppsV1().Deployments(ns).Create(ctx, &appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec: appsv1.DeploymentSpec{Replicas: &one, Selector: &metav1.LabelSelector{MatchLabels: labels},
				Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
					Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: name, Image: "quay.io/jupyterhub/k8s-" + name + ":2.0.0"}}}}},
		}, metav1.CreateOptions{})
		if err != nil {
			t.Fatalf("create Deployment %s: %v", name, err)
		}
		d.Status = appsv1.DeploymentStatus{ObservedGeneration: d.Generation, Replicas: 1, ReadyReplicas: 1, AvailableReplicas: 1, UpdatedReplicas: 1,
			Conditions: []appsv1.DeploymentCondition{{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue,
				Reason: "MinimumReplicasAvailable", Message: "Deployment has minimum availability."}}}
		if _, err := cs.AppsV1().Deployments(ns).UpdateStatus(ctx, d, metav1.UpdateOptions{}); err != nil {
			t.Fatalf("update Deployment %s status: %v", name, err)
		}
	}
}

// writeHelmReleaseStatus writes, through the status subresource, what
// helm-controller writes after a successful install of hr's current
// generation: Ready=True, observedGeneration, lastAttemptedRevision and
// the release history, all at spec.chart.spec.version.
func writeHelmReleaseStatus(ctx context.Context, t *testing.T, dyn dynamic.Interface, hr *unstructured.Unstructured) {
	t.Helper()
	version, _, err := unstructured.NestedString(hr.Object, "spec", "chart", "spec", "version")
	if err != nil || version == "" {
		t.Fatalf("HelmRelease %s has no spec.chart.spec.version (%v)", hr.GetName(), err)
	}
	chart, _, _ := unstructured.NestedString(hr.Object, "spec", "chart", "spec", "chart")
	gen := hr.GetGeneration()
	hr.Object["status"] = map[string]any{
		"observedGeneration":      gen,
		"lastAttemptedRevision":   version,
		"lastAttemptedGeneration": gen,
		"conditions": []any{
			map[string]any{"type": "Ready", "status": "True", "reason": "InstallSucceeded",
				"message":            fmt.Sprintf("Helm install succeeded for release %s/%s.v1 with chart %s@%s", hr.GetNamespace(), hr.GetName(), chart, version),
				"lastTransitionTime": time.Now().UTC().Format(time.RFC3339), "observedGeneration": gen},
			map[string]any{"type": "Released", "status": "True", "reason": "InstallSucceeded",
				"message": "Helm install succeeded", "lastTransitionTime": time.Now().UTC().Format(time.RFC3339), "observedGeneration": gen},
		},
		"history": []any{map[string]any{
			"name": hr.GetName(), "namespace": hr.GetNamespace(), "version": int64(1), "status": "deployed",
			"chartName": chart, "chartVersion": version, "appVersion": "",
			"configDigest": "sha256:" + strings.Repeat("0", 64), "digest": "sha256:" + strings.Repeat("1", 64),
			"firstDeployed": "2026-01-01T00:00:00Z", "lastDeployed": "2026-01-01T00:00:00Z",
		}},
	}
	if _, err := dyn.Resource(helmReleaseGVR).Namespace(hr.GetNamespace()).UpdateStatus(ctx, hr, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("update HelmRelease %s/%s status: %v", hr.GetNamespace(), hr.GetName(), err)
	}
}
