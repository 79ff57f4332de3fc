package verify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/hubfleet/hubfleet/internal/testcluster"
)

// kubeEnv is one site's namespace on the shared test API server.
type kubeEnv struct {
	t   *testing.T
	ctx context.Context
	cs  kubernetes.Interface
	dyn dynamic.Interface
	ns  string
}

func (k *kubeEnv) must(err error, what string) {
	k.t.Helper()
	if err != nil {
		k.t.Fatalf("%s: %v", what, err)
	}
}

// createHelmRelease creates a HelmRelease for chart version and writes its
// status through the status subresource as helm-controller would.
func (k *kubeEnv) createHelmRelease(name, version string) *unstructured.Unstructured {
	k.t.Helper()
	hr := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease",
		"metadata": map[string]any{"name": name, "namespace": k.ns},
		"spec": map[string]any{"interval": "10m", "timeout": "15m", "chart": map[string]any{"spec": map[string]any{
			"chart": name, "version": version,
			"sourceRef": map[string]any{"kind": "HelmRepository", "name": "dask", "namespace": k.ns},
		}}},
	}}
	got, err := k.dyn.Resource(helmReleaseGVR).Namespace(k.ns).Create(k.ctx, hr, metav1.CreateOptions{})
	k.must(err, "create HelmRelease")
	return k.setHelmReleaseStatus(got, helmStatus{ready: "True", reason: "InstallSucceeded", revision: version, history: version})
}

type helmStatus struct {
	ready, reason, message string
	revision               string // lastAttemptedRevision; empty omits it
	history                string // history[0].chartVersion; empty omits it
	generation             int64  // observedGeneration; 0 means the object's
}

func (k *kubeEnv) setHelmReleaseStatus(hr *unstructured.Unstructured, s helmStatus) *unstructured.Unstructured {
	k.t.Helper()
	gen := s.generation
	if gen == 0 {
		gen = hr.GetGeneration()
	}
	if s.message == "" {
		s.message = "Helm install succeeded"
	}
	status := map[string]any{
		"observedGeneration": gen,
		"conditions": []any{map[string]any{
			"type": "Ready", "status": s.ready, "reason": s.reason, "message": s.message,
			"lastTransitionTime": "2026-01-01T00:00:00Z", "observedGeneration": gen,
		}},
	}
	if s.revision != "" {
		status["lastAttemptedRevision"] = s.revision
	}
	if s.history != "" {
		status["history"] = []any{map[string]any{
			"name": hr.GetName(), "namespace": hr.GetNamespace(), "version": int64(1), "status": "deployed",
			"chartName": hr.GetName(), "chartVersion": s.history, "configDigest": "sha256:" + strings.Repeat("0", 64),
			"digest": "sha256:" + strings.Repeat("1", 64), "firstDeployed": "2026-01-01T00:00:00Z", "lastDeployed": "2026-01-01T00:00:00Z",
		}}
	}
	hr.Object["status"] = status
	got, err := k.dyn.Resource(helmReleaseGVR).Namespace(k.ns).UpdateStatus(k.ctx, hr, metav1.UpdateOptions{})
	k.must(err, "update HelmRelease status")
	return got
}

func (k *kubeEnv) createService(typ corev1.ServiceType, lb ...corev1.LoadBalancerIngress) {
	k.t.Helper()
	svc, err := k.cs.CoreV1().Services(k.ns).Create(k.ctx, &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "proxy-public"},
		Spec: corev1.ServiceSpec{Type: typ, Selector: map[string]string{"component": "proxy"},
			Ports: []corev1.ServicePort{{Name: "https", Port: 443}, {Name: "http", Port: 80}}},
	}, metav1.CreateOptions{})
	k.must(err, "create proxy-public")
	if len(lb) > 0 {
		svc.Status.LoadBalancer.Ingress = lb
		_, err = k.cs.CoreV1().Services(k.ns).UpdateStatus(k.ctx, svc, metav1.UpdateOptions{})
		k.must(err, "update proxy-public status")
	}
}

func (k *kubeEnv) createIngress(host, backend, ip string) {
	k.t.Helper()
	pt := networkingv1.PathTypePrefix
	ing, err := k.cs.NetworkingV1().Ingresses(k.ns).Create(k.ctx, &networkingv1.Ingress{
		ObjectMeta: metav1.ObjectMeta{Name: "jupyterhub"},
		Spec: networkingv1.IngressSpec{Rules: []networkingv1.IngressRule{{Host: host,
			IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{{
				Path: "/", PathType: &pt, Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{
					Name: backend, Port: networkingv1.ServiceBackendPort{Name: "http"}}},
			}}}}}}},
	}, metav1.CreateOptions{})
	k.must(err, "create Ingress")
	if ip != "" {
		ing.Status.LoadBalancer.Ingress = []networkingv1.IngressLoadBalancerIngress{{IP: ip}}
		_, err = k.cs.NetworkingV1().Ingresses(k.ns).UpdateStatus(k.ctx, ing, metav1.UpdateOptions{})
		k.must(err, "update Ingress status")
	}
}

func (k *kubeEnv) createDeployment(name string, available bool) {
	k.t.Helper()
	one := int32(1)
	labels := map[string]string{"component": name}
	d, err := k.cs.AppsV1().Deployments(k.ns).Create(k.ctx, &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.DeploymentSpec{Replicas: &one, Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: name, Image: "quay.io/jupyterhub/k8s-" + name + ":4.0.0"}}}}},
	}, metav1.CreateOptions{})
	k.must(err, "create Deployment "+name)
	cond := appsv1.DeploymentCondition{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue, Reason: "MinimumReplicasAvailable", Message: "Deployment has minimum availability."}
	d.Status = appsv1.DeploymentStatus{ObservedGeneration: d.Generation, Replicas: 1, ReadyReplicas: 1, AvailableReplicas: 1, UpdatedReplicas: 1}
	if !available {
		cond.Status, cond.Reason, cond.Message = corev1.ConditionFalse, "MinimumReplicasUnavailable", "Deployment does not have minimum availability."
		d.Status.ReadyReplicas, d.Status.AvailableReplicas, d.Status.UnavailableReplicas = 0, 0, 1
	}
	d.Status.Conditions = []appsv1.DeploymentCondition{cond}
	_, err = k.cs.AppsV1().Deployments(k.ns).UpdateStatus(k.ctx, d, metav1.UpdateOptions{})
	k.must(err, "update Deployment status "+name)
}

func (k *kubeEnv) createCertificate(host, ready, reason string) {
	k.t.Helper()
	c := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
		"metadata": map[string]any{"name": "jupyterhub-tls", "namespace": k.ns},
		"spec": map[string]any{"secretName": "jupyterhub-tls", "dnsNames": []any{host},
			"issuerRef": map[string]any{"name": "letsencrypt", "kind": "ClusterIssuer"}},
	}}
	got, err := k.dyn.Resource(certificateGVR).Namespace(k.ns).Create(k.ctx, c, metav1.CreateOptions{})
	k.must(err, "create Certificate")
	got.Object["status"] = map[string]any{
		"renewalTime": "2027-01-01T00:00:00Z",
		"conditions": []any{map[string]any{"type": "Ready", "status": ready, "reason": reason,
			"message": "Certificate is up to date and has not expired", "lastTransitionTime": "2026-01-01T00:00:00Z"}},
	}
	_, err = k.dyn.Resource(certificateGVR).Namespace(k.ns).UpdateStatus(k.ctx, got, metav1.UpdateOptions{})
	k.must(err, "update Certificate status")
}

// installCertManagerCRD serves cert-manager.io/v1 Certificates (a minimal
// schema: the checks read spec.dnsNames and status.conditions).
func installCertManagerCRD(ctx context.Context, t *testing.T, c *testcluster.Cluster) {
	t.Helper()
	crd := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
		"metadata": map[string]any{"name": "certificates.cert-manager.io"},
		"spec": map[string]any{
			"group": "cert-manager.io", "scope": "Namespaced",
			"names": map[string]any{"plural": "certificates", "singular": "certificate", "kind": "Certificate", "listKind": "CertificateList"},
			"versions": []any{map[string]any{
				"name": "v1", "served": true, "storage": true,
				"subresources": map[string]any{"status": map[string]any{}},
				"schema": map[string]any{"openAPIV3Schema": map[string]any{
					"type": "object", "x-kubernetes-preserve-unknown-fields": true,
				}},
			}},
		},
	}}
	if _, err := c.Dynamic().Resource(testcluster.CRDGVR).Create(ctx, crd, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create cert-manager CRD: %v", err)
	}
	if err := c.WaitFor(ctx, "cert-manager Certificate API", func(ctx context.Context) error {
		_, err := c.Dynamic().Resource(certificateGVR).Namespace("default").List(ctx, metav1.ListOptions{})
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// TestKubeChecks runs the Flux and Kubernetes checks against a real
// kube-apiserver with the Flux CRDs, together with the DNS/TLS/HTTP checks
// on loopback, one namespace per case.
func TestKubeChecks(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t, testcluster.DefaultOptions())
	// Subtests run in parallel after this function returns: cancel at cleanup.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	installCertManagerCRD(ctx, t, c)
	cs, err := kubernetes.NewForConfig(c.RestConfig())
	if err != nil {
		t.Fatal(err)
	}

	kube, err := RestConfig(c.KubeconfigPath(), "hubfleet-test")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("sites", func(t *testing.T) { kubeCases(ctx, t, c, cs, kube) })

	// Every case above is done. site-00 is the healthy LoadBalancer site:
	// 100 runs of it against the API server must not raise a false alarm.
	w := newWorld(t)
	site := egiSite("alpha")
	site.Namespace, site.Kube, site.KubeContext, site.ExpectedAddresses = "site-00", kube, "hubfleet-test", nil
	site.Releases = []Release{{Name: "daskhub", ChartVersion: "2024.1.1"}}
	w.addSite(site, "203.0.113.10")
	opts := w.options()
	opts.Clock = &fixedClock{now: time.Now()}
	v := New(opts)
	defer v.Close()
	for i := range 100 {
		rs := v.VerifySite(ctx, site)
		if len(rs) != 14 {
			t.Fatalf("run %d: %d results, want 14", i, len(rs))
		}
		for _, r := range rs {
			if r.Status != Pass {
				t.Errorf("run %d: %s %s: %s (%v)", i, r.Check, r.Status, r.Detail, r.Err)
			}
		}
	}

	// Then stop the API server under it.
	if err := c.StopComponent(testcluster.KubeAPIServer); err != nil {
		t.Fatal(err)
	}
	opts.CheckTimeout = 3 * time.Second
	v = New(opts)
	defer v.Close()
	for _, r := range v.VerifySite(ctx, site) {
		switch {
		case r.Check == CheckDNS:
			if r.Status != Warn || !strings.Contains(r.Detail, "address to compare with is unknown") {
				t.Errorf("%s = %s %q, want warn: address to compare with unknown", r.Check, r.Status, r.Detail)
			}
		case r.Check == CheckProxyPublic || strings.HasPrefix(r.Check, CheckHelmRelease) || strings.HasPrefix(r.Check, CheckDeployment):
			if r.Status != Fail || !strings.Contains(r.Detail, "API server") || !strings.Contains(r.Detail, "hubfleet-test") {
				t.Errorf("%s = %s %q, want a failure naming the API server of kube context hubfleet-test", r.Check, r.Status, r.Detail)
			}
		default:
			if r.Status != Pass {
				t.Errorf("%s = %s %q, want pass (the hub itself is up)", r.Check, r.Status, r.Detail)
			}
		}
	}
}

func kubeCases(ctx context.Context, t *testing.T, c *testcluster.Cluster, cs kubernetes.Interface, kube *rest.Config) {
	const lbIP = "203.0.113.10"
	lb := corev1.LoadBalancerIngress{IP: lbIP}
	type setup struct {
		k    *kubeEnv
		w    *world
		site *Target
		// clock shifts the verifier's clock (the LoadBalancer grace).
		clock time.Duration
	}
	// lbSite is an autohttps site: its HelmRelease, proxy-public of the
	// given type and addresses, and available hub, proxy and autohttps.
	lbSite := func(s *setup, typ corev1.ServiceType, addrs ...corev1.LoadBalancerIngress) {
		s.k.createHelmRelease("daskhub", "2024.1.1")
		s.k.createService(typ, addrs...)
		for _, d := range []string{"hub", "proxy", "autohttps"} {
			s.k.createDeployment(d, true)
		}
	}
	healthyLB := func(s *setup) { lbSite(s, corev1.ServiceTypeLoadBalancer, lb) }
	healthyIngress := func(s *setup) {
		s.site.TLS, s.site.Exposure = TLSCertManager, ExposureIngress
		s.k.createHelmRelease("daskhub", "2024.1.1")
		s.k.createService(corev1.ServiceTypeClusterIP)
		s.k.createIngress(s.site.Host, "proxy-public", lbIP)
		s.k.createDeployment("hub", true)
		s.k.createDeployment("proxy", true)
		s.k.createCertificate(s.site.Host, "True", "Ready")
	}
	type want struct {
		status Status
		detail string
	}
	for i, tc := range []struct {
		name  string
		setup func(s *setup)
		want  map[string]want // checks not listed must pass
	}{
		{name: "healthy LoadBalancer with autohttps", setup: healthyLB},
		{name: "healthy Ingress with cert-manager", setup: healthyIngress},
		{
			name: "LoadBalancer hostname (EKS)",
			setup: func(s *setup) {
				lbSite(s, corev1.ServiceTypeLoadBalancer, corev1.LoadBalancerIngress{Hostname: "a1b2.elb.eu-west-1.amazonaws.com"})
				s.w.setDNS("a1b2.elb.eu-west-1.amazonaws.com", lbIP)
			},
		},
		{
			name: "two HelmReleases composed, history only",
			setup: func(s *setup) {
				healthyLB(s)
				hr := s.k.createHelmRelease("dask-gateway", "2026.3.0")
				delete(hr.Object, "status")
				s.k.setHelmReleaseStatus(hr, helmStatus{ready: "True", reason: "UpgradeSucceeded", history: "2026.3.0"})
				s.site.Releases = append(s.site.Releases, Release{Name: "dask-gateway", ChartVersion: "2026.3.0"})
			},
		},
		{
			name: "LoadBalancer pending past the grace period",
			setup: func(s *setup) {
				lbSite(s, corev1.ServiceTypeLoadBalancer)
				s.clock = 30 * time.Minute
			},
			want: map[string]want{
				CheckProxyPublic: {Fail, "no LoadBalancer controller is allocating addresses"},
				CheckDNS:         {Warn, "proxy-public's address to compare with is unknown"},
			},
		},
		{
			name: "LoadBalancer controller failing",
			setup: func(s *setup) {
				lbSite(s, corev1.ServiceTypeLoadBalancer)
				svc, err := s.k.cs.CoreV1().Services(s.k.ns).Get(s.k.ctx, "proxy-public", metav1.GetOptions{})
				s.k.must(err, "get proxy-public")
				now := metav1.Now()
				_, err = s.k.cs.CoreV1().Events(s.k.ns).Create(s.k.ctx, &corev1.Event{
					ObjectMeta:     metav1.ObjectMeta{Name: "proxy-public.1"},
					InvolvedObject: corev1.ObjectReference{Kind: "Service", Namespace: s.k.ns, Name: "proxy-public", UID: svc.UID, APIVersion: "v1"},
					Type:           corev1.EventTypeWarning, Reason: "SyncLoadBalancerFailed",
					Message: "Error syncing load balancer: failed to ensure load balancer: quota exceeded for resource loadbalancers",
					Source:  corev1.EventSource{Component: "service-controller"}, FirstTimestamp: now, LastTimestamp: now, Count: 3,
				}, metav1.CreateOptions{})
				s.k.must(err, "create Event")
				s.clock = 30 * time.Minute
			},
			want: map[string]want{
				CheckProxyPublic: {Fail, "the load-balancer controller reports SyncLoadBalancerFailed: Error syncing load balancer: failed to ensure load balancer: quota exceeded"},
				CheckDNS:         {Warn, "proxy-public's address to compare with is unknown"},
			},
		},
		{
			name: "LoadBalancer pending within the grace period",
			setup: func(s *setup) {
				lbSite(s, corev1.ServiceTypeLoadBalancer)
			},
			want: map[string]want{
				CheckProxyPublic: {Warn, "address of Service"},
				CheckDNS:         {Warn, "proxy-public's address to compare with is unknown"},
			},
		},
		{
			name: "stale Ready: spec changed, not reconciled",
			setup: func(s *setup) {
				healthyLB(s)
				hr, err := s.k.dyn.Resource(helmReleaseGVR).Namespace(s.k.ns).Get(s.k.ctx, "daskhub", metav1.GetOptions{})
				s.k.must(err, "get HelmRelease")
				s.k.must(unstructured.SetNestedField(hr.Object, "2024.1.2", "spec", "chart", "spec", "version"), "set version")
				_, err = s.k.dyn.Resource(helmReleaseGVR).Namespace(s.k.ns).Update(s.k.ctx, hr, metav1.UpdateOptions{})
				s.k.must(err, "update HelmRelease spec")
				s.site.Releases[0].ChartVersion = "2024.1.2"
			},
			want: map[string]want{CheckHelmRelease + "/daskhub": {Fail, "Ready=True is stale, it describes generation 1 but the spec is at generation 2"}},
		},
		{
			name: "stale Ready: values changed, same chart version",
			setup: func(s *setup) {
				healthyLB(s)
				hr, err := s.k.dyn.Resource(helmReleaseGVR).Namespace(s.k.ns).Get(s.k.ctx, "daskhub", metav1.GetOptions{})
				s.k.must(err, "get HelmRelease")
				s.k.must(unstructured.SetNestedField(hr.Object, map[string]any{"jupyterhub": map[string]any{"singleuser": map[string]any{"memory": map[string]any{"limit": "4G"}}}}, "spec", "values"), "set values")
				_, err = s.k.dyn.Resource(helmReleaseGVR).Namespace(s.k.ns).Update(s.k.ctx, hr, metav1.UpdateOptions{})
				s.k.must(err, "update HelmRelease spec")
			},
			want: map[string]want{CheckHelmRelease + "/daskhub": {Fail, "Ready=True is stale, it describes generation 1 but the spec is at generation 2"}},
		},
		{
			name: "stale Ready: old chart version",
			setup: func(s *setup) {
				healthyLB(s)
				s.site.Releases[0].ChartVersion = "2024.1.2"
			},
			want: map[string]want{CheckHelmRelease + "/daskhub": {Fail, "the last attempted chart version is 2024.1.1 but 2024.1.2 was just rendered"}},
		},
		{
			name: "HelmRelease upgrade failed",
			setup: func(s *setup) {
				healthyLB(s)
				hr, err := s.k.dyn.Resource(helmReleaseGVR).Namespace(s.k.ns).Get(s.k.ctx, "daskhub", metav1.GetOptions{})
				s.k.must(err, "get HelmRelease")
				s.k.setHelmReleaseStatus(hr, helmStatus{ready: "False", reason: "UpgradeFailed",
					message: "Helm upgrade failed: timed out waiting for the condition", revision: "2024.1.1"})
			},
			want: map[string]want{CheckHelmRelease + "/daskhub": {Fail, "is not Ready (UpgradeFailed): Helm upgrade failed: timed out"}},
		},
		{
			name: "HelmRelease missing",
			setup: func(s *setup) {
				healthyLB(s)
				s.site.Releases = []Release{{Name: "jupyterhub", ChartVersion: "4.0.0"}}
			},
			want: map[string]want{CheckHelmRelease + "/jupyterhub": {Fail, "HelmRelease " + "%NS%/jupyterhub does not exist"}},
		},
		{
			name: "hub Deployment unavailable",
			setup: func(s *setup) {
				s.k.createHelmRelease("daskhub", "2024.1.1")
				s.k.createService(corev1.ServiceTypeLoadBalancer, lb)
				s.k.createDeployment("hub", false)
				s.k.createDeployment("proxy", true)
				s.k.createDeployment("autohttps", true)
			},
			want: map[string]want{CheckDeployment + "/hub": {Fail, "0/1 replicas available (Available=False MinimumReplicasUnavailable"}},
		},
		{
			name: "proxy-public is ClusterIP but a LoadBalancer is expected",
			setup: func(s *setup) {
				lbSite(s, corev1.ServiceTypeClusterIP)
			},
			want: map[string]want{
				CheckProxyPublic: {Fail, "is type ClusterIP but the site expects a LoadBalancer"},
				CheckDNS:         {Warn, "proxy-public's address to compare with is unknown"},
			},
		},
		{
			name: "Ingress routes the host elsewhere",
			setup: func(s *setup) {
				s.site.TLS, s.site.Exposure = TLSCertManager, ExposureIngress
				s.k.createHelmRelease("daskhub", "2024.1.1")
				s.k.createService(corev1.ServiceTypeClusterIP)
				s.k.createIngress(s.site.Host, "default-backend", lbIP)
				s.k.createDeployment("hub", true)
				s.k.createDeployment("proxy", true)
				s.k.createCertificate(s.site.Host, "True", "Ready")
			},
			want: map[string]want{
				CheckProxyPublic: {Fail, "routes to jupyterhub -> default-backend, not proxy-public"},
				CheckDNS:         {Warn, "proxy-public's address to compare with is unknown"},
			},
		},
		{
			name: "cert-manager Certificate not Ready",
			setup: func(s *setup) {
				s.site.TLS, s.site.Exposure = TLSCertManager, ExposureIngress
				s.k.createHelmRelease("daskhub", "2024.1.1")
				s.k.createService(corev1.ServiceTypeClusterIP)
				s.k.createIngress(s.site.Host, "proxy-public", lbIP)
				s.k.createDeployment("hub", true)
				s.k.createDeployment("proxy", true)
				s.k.createCertificate(s.site.Host, "False", "DoesNotExist")
			},
			want: map[string]want{CheckCertificate: {Fail, "is not Ready (DoesNotExist)"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ns := fmt.Sprintf("site-%02d", i)
			if err := c.CreateNamespace(ctx, ns); err != nil {
				t.Fatal(err)
			}
			w := newWorld(t)
			site := egiSite("alpha")
			site.Namespace, site.Kube, site.KubeContext = ns, kube, "hubfleet-test"
			site.ExpectedAddresses = nil
			site.Releases = []Release{{Name: "daskhub", ChartVersion: "2024.1.1"}}
			w.addSite(site, lbIP)
			s := &setup{k: &kubeEnv{t: t, ctx: ctx, cs: cs, dyn: c.Dynamic(), ns: ns}, w: w, site: &site}
			tc.setup(s)
			opts := w.options()
			opts.Clock = &fixedClock{now: time.Now().Add(s.clock)}
			v := New(opts)
			defer v.Close()
			rs := v.VerifySite(ctx, site)
			for _, r := range rs {
				wt, listed := tc.want[r.Check]
				if !listed {
					if r.Status != Pass {
						t.Errorf("%s: %s: %s (%v)", r.Check, r.Status, r.Detail, r.Err)
					}
					continue
				}
				if r.Status != wt.status || !strings.Contains(r.Detail, strings.ReplaceAll(wt.detail, "%NS%", ns)) {
					t.Errorf("%s = %s %q, want %s containing %q", r.Check, r.Status, r.Detail, wt.status, wt.detail)
				}
				delete(tc.want, r.Check)
			}
			for check := range tc.want {
				t.Errorf("no %s result", check)
			}
		})
	}
}

// TestConnectionLost tells a connection the API server dropped from other
// errors: client-go 0.36 reuses one HTTP/2 connection per server, so a
// server that stops after the first request shows as a closed connection,
// not a refused one (TestKubeChecks sees it on a real API server).
func TestConnectionLost(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want bool
	}{
		{errors.New(`Get "https://127.0.0.1:1/api": http2: client connection force closed via ClientConn.Close`), true},
		{&url.Error{Op: "Get", URL: "https://127.0.0.1:1/api", Err: syscall.EPIPE}, true},
		{&url.Error{Op: "Get", URL: "https://127.0.0.1:1/api", Err: io.EOF}, true},
		{fmt.Errorf("read: %w", syscall.ECONNRESET), true},
		{errors.New("the server could not find the requested resource"), false},
		{fmt.Errorf("dial: %w", syscall.ECONNREFUSED), false},
	} {
		if got := connectionLost(tt.err); got != tt.want {
			t.Errorf("connectionLost(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
