package verify

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"syscall"
	"time"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilnet "k8s.io/apimachinery/pkg/util/net"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
)

var (
	helmReleaseGVR = helmv2.GroupVersion.WithResource("helmreleases")
	certificateGVR = schema.GroupVersionResource{Group: "cert-manager.io", Version: "v1", Resource: "certificates"}
)

type kubeClients struct {
	dyn  dynamic.Interface
	core typedClient
}

func newKubeClients(cfg *rest.Config) (*kubeClients, error) {
	c := rest.CopyConfig(cfg)
	if c.QPS == 0 {
		c.QPS, c.Burst = 50, 100
	}
	dyn, err := dynamic.NewForConfig(c)
	if err != nil {
		return nil, fmt.Errorf("build dynamic client: %w", err)
	}
	return &kubeClients{dyn: dyn, core: typedClient{dyn}}, nil
}

// kubeFailure explains an API error in the operator's terms.
func (s *siteRun) kubeFailure(ctx context.Context, what string, err error) Result {
	switch {
	case timedOut(ctx, err):
		return fail(fmt.Sprintf("the Kubernetes API server did not answer within %s reading %s", s.v.opts.CheckTimeout, what),
			"check the kube context "+s.contextName()+" points at a reachable API server", err)
	case errors.Is(err, syscall.ECONNREFUSED):
		return fail(fmt.Sprintf("the Kubernetes API server of kube context %s refused the connection reading %s", s.contextName(), what),
			"check the cluster's API server is up and the kube context points at it", err)
	case connectionLost(err):
		return fail(fmt.Sprintf("the Kubernetes API server of kube context %s dropped the connection reading %s", s.contextName(), what),
			"check the cluster's API server is up (it may be restarting) and the kube context points at it", err)
	case apierrors.IsForbidden(err) || apierrors.IsUnauthorized(err):
		return fail(fmt.Sprintf("kube context %s may not read %s", s.contextName(), what),
			"grant get/list on it to the verifier's identity (RBAC)", err)
	default:
		return fail(fmt.Sprintf("cannot read %s: %s", what, clip(err.Error(), 160)),
			"check the kube context "+s.contextName()+" and that the API server is reachable", err)
	}
}

// connectionLost recognises a connection to the API server that went away
// under a request: a server that stopped or restarted after the client
// connected (client-go reuses one HTTP/2 connection per server).
func connectionLost(err error) bool {
	if utilnet.IsProbableEOF(err) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "http2: client connection force closed") || strings.Contains(msg, "http2: client connection lost")
}

func (s *siteRun) contextName() string {
	if s.t.KubeContext != "" {
		return s.t.KubeContext
	}
	return "of site " + s.t.Site
}

func (s *siteRun) noKube() Result {
	return fail("cannot build a Kubernetes client for kube context "+s.contextName(),
		"fix the kubeconfig context", s.kubeErr)
}

func (s *siteRun) checkHelmRelease(ctx context.Context, want Release) Result {
	if s.kube == nil {
		return s.noKube()
	}
	ns := s.t.releaseNamespace()
	u, err := s.kube.dyn.Resource(helmReleaseGVR).Namespace(ns).Get(ctx, want.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return fail(fmt.Sprintf("HelmRelease %s/%s does not exist", ns, want.Name),
			"check the Flux Kustomization that applies overlays/"+s.t.Site+": flux get kustomizations -A", err)
	}
	if err != nil {
		return s.kubeFailure(ctx, "HelmRelease "+ns+"/"+want.Name, err)
	}
	var hr helmv2.HelmRelease
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &hr); err != nil {
		return fail(fmt.Sprintf("HelmRelease %s/%s has an unexpected shape", ns, want.Name),
			"", fmt.Errorf("decode HelmRelease %s/%s: %w", ns, want.Name, err))
	}
	return s.withPendingPods(ctx, judgeHelmRelease(&hr, want))
}

// judgeHelmRelease trusts Ready only together with observedGeneration ==
// generation and the last attempted chart version == the rendered one.
func judgeHelmRelease(hr *helmv2.HelmRelease, want Release) Result {
	id := hr.Namespace + "/" + hr.Name
	reconcile := fmt.Sprintf("flux reconcile helmrelease %s -n %s, then flux logs --kind=HelmRelease --name=%s -n %s", hr.Name, hr.Namespace, hr.Name, hr.Namespace)
	ready := apimeta.FindStatusCondition(hr.Status.Conditions, "Ready")
	if ready == nil {
		r := fail(fmt.Sprintf("HelmRelease %s has no Ready condition: helm-controller has not reconciled it", id),
			"check helm-controller is running: flux check; "+reconcile, nil)
		r.transient = true
		return r
	}
	if ready.Status == metav1.ConditionUnknown {
		detail := fmt.Sprintf("HelmRelease %s is being reconciled (%s): %s", id, ready.Reason, clip(ready.Message, 200))
		// A retry after a failed install or upgrade: helm-controller keeps
		// the failed attempt in Released until the retry ends.
		if rel := apimeta.FindStatusCondition(hr.Status.Conditions, "Released"); rel != nil && rel.Status == metav1.ConditionFalse {
			detail += fmt.Sprintf("; the previous attempt failed (%s, %d failure(s) so far): %s", rel.Reason, hr.Status.Failures, clip(releaseFailure(rel.Message), 300))
		}
		r := fail(detail, "wait for helm-controller (hubfleet verify --wait), or "+reconcile, nil)
		r.transient = true
		return r
	}
	if ready.Status != metav1.ConditionTrue {
		fix := reconcile
		if hookTimedOut(ready.Message) {
			fix = "z2jh's image pre-puller hook outlived the release timeout: set the HelmRelease spec.timeout to 15m (or disable prePuller.hook), then " + reconcile
		}
		if race, ok := findCRDRace(hr); ok {
			return race.notReady(hr, id, ready, reconcile)
		}
		return fail(fmt.Sprintf("HelmRelease %s is not Ready (%s): %s", id, ready.Reason, clip(releaseFailure(ready.Message), 300)), fix, nil)
	}
	if hr.Status.ObservedGeneration != hr.Generation ||
		(ready.ObservedGeneration != 0 && ready.ObservedGeneration != hr.Generation) {
		obs := hr.Status.ObservedGeneration
		if ready.ObservedGeneration != 0 && ready.ObservedGeneration != hr.Generation {
			obs = ready.ObservedGeneration
		}
		return fail(fmt.Sprintf("HelmRelease %s: Ready=True is stale, it describes generation %d but the spec is at generation %d (the latest commit is not applied yet)", id, obs, hr.Generation),
			staleFix(reconcile), nil)
	}
	revision := hr.Status.LastAttemptedRevision
	if revision == "" {
		if latest := hr.Status.History.Latest(); latest != nil {
			revision = latest.ChartVersion
		}
	}
	if want.ChartVersion != "" && !sameRevision(revision, want.ChartVersion) {
		if revision == "" {
			revision = "unknown"
		}
		return fail(fmt.Sprintf("HelmRelease %s: Ready=True is stale, the last attempted chart version is %s but %s was just rendered", id, revision, want.ChartVersion),
			"check the commit reached the cluster (flux get sources git -A) and "+reconcile, nil)
	}
	if race, ok := findCRDRace(hr); ok {
		return pass(fmt.Sprintf("HelmRelease %s Ready at chart version %s (generation %d); %s", id, revision, hr.Generation, race.note()))
	}
	return pass(fmt.Sprintf("HelmRelease %s Ready at chart version %s (generation %d)", id, revision, hr.Generation))
}

// hookTimedOut recognises a Helm hook (z2jh's hook-image-awaiter) that did
// not finish within the release timeout.
func hookTimedOut(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "hook-image-awaiter") ||
		(strings.Contains(m, "hook") && (strings.Contains(m, "timed out") || strings.Contains(m, "deadline exceeded")))
}

// sameRevision compares a last attempted revision with a rendered chart
// version. For OCIRepository sources helm-controller appends "+" and 12
// characters of the digest ("1.2.3+1234567890ab").
func sameRevision(revision, want string) bool {
	if revision == want {
		return true
	}
	v, _, hasDigest := strings.Cut(revision, "+")
	return hasDigest && !strings.Contains(want, "+") && v == want
}

func (s *siteRun) checkProxyPublic(ctx context.Context) Result {
	if s.kube == nil {
		return s.noKube()
	}
	ns := s.t.Namespace
	svc, err := s.kube.core.service(ctx, ns, "proxy-public")
	if apierrors.IsNotFound(err) {
		return fail(fmt.Sprintf("Service %s/proxy-public does not exist: the chart is not installed there", ns),
			"see the HelmRelease check; kubectl -n "+ns+" get svc", err)
	}
	if err != nil {
		return s.kubeFailure(ctx, "Service "+ns+"/proxy-public", err)
	}
	now, grace := s.v.opts.Clock.Now(), s.v.opts.LoadBalancerGrace
	var r Result
	var addrs []string
	if s.t.Exposure == ExposureLoadBalancer {
		r, addrs = judgeLoadBalancer(svc, s.lbWarning(ctx, svc), now, grace)
	} else {
		ings, err := s.kube.core.ingresses(ctx, ns)
		if err != nil {
			return s.kubeFailure(ctx, "Ingresses in "+ns, err)
		}
		r, addrs = judgeIngress(ings.Items, s.t.Host, now, grace)
	}
	s.addrs.set(addrs, len(addrs) > 0, "proxy-public: "+r.Detail)
	return r
}

func lbAddresses(ings []corev1.LoadBalancerIngress) []string {
	var out []string
	for _, in := range ings {
		if in.IP != "" {
			out = append(out, in.IP)
		}
		if in.Hostname != "" {
			out = append(out, in.Hostname)
		}
	}
	return out
}

func pending(kind, id, controller, fix string, created, now time.Time, grace time.Duration) Result {
	age := now.Sub(created).Round(time.Second)
	if age < grace {
		r := warn(fmt.Sprintf("%s address of %s pending for %s (grace %s)", kind, id, age, grace),
			"wait; if it stays pending, "+fix)
		r.transient = true
		return r
	}
	return fail(fmt.Sprintf("%s address of %s still pending after %s: no %s is allocating addresses in this cluster", kind, id, age, controller),
		fix, nil)
}

// judgeLoadBalancer wants a LoadBalancer proxy-public with an IP (AKS,
// OpenStack) or a hostname (EKS).
// lbWarning returns the newest Warning event about a Service whose
// LoadBalancer address is pending (a controller that exists but fails says
// why there), or nil. Events are a best-effort hint: when they cannot be
// read, the check judges without them.
func (s *siteRun) lbWarning(ctx context.Context, svc *corev1.Service) *corev1.Event {
	if svc.Spec.Type != corev1.ServiceTypeLoadBalancer || len(svc.Status.LoadBalancer.Ingress) > 0 {
		return nil
	}
	evs, err := s.kube.core.events(ctx, svc.Namespace, "involvedObject.kind=Service,involvedObject.name="+svc.Name)
	if err != nil {
		return nil
	}
	var newest *corev1.Event
	for i := range evs.Items {
		e := &evs.Items[i]
		if e.Type == corev1.EventTypeWarning && (newest == nil || eventTime(e).After(eventTime(newest))) {
			newest = e
		}
	}
	return newest
}

func eventTime(e *corev1.Event) time.Time {
	switch {
	case !e.EventTime.IsZero():
		return e.EventTime.Time
	case !e.LastTimestamp.IsZero():
		return e.LastTimestamp.Time
	}
	return e.CreationTimestamp.Time
}

func judgeLoadBalancer(svc *corev1.Service, warning *corev1.Event, now time.Time, grace time.Duration) (Result, []string) {
	id := svc.Namespace + "/proxy-public"
	if svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
		return fail(fmt.Sprintf("Service %s is type %s but the site expects a LoadBalancer", id, svc.Spec.Type),
			"set proxy.service.type: LoadBalancer, or declare the site as exposed through an Ingress", nil), nil
	}
	addrs := lbAddresses(svc.Status.LoadBalancer.Ingress)
	if len(addrs) == 0 && warning != nil {
		age := now.Sub(svc.CreationTimestamp.Time).Round(time.Second)
		r := fail(fmt.Sprintf("LoadBalancer address of Service %s pending for %s: the load-balancer controller reports %s: %s", id, age, warning.Reason, clip(warning.Message, 200)),
			"fix what the controller reports (quota, subnet, service annotations); kubectl -n "+svc.Namespace+" describe svc proxy-public", nil)
		if age < grace {
			r.Status, r.transient = Warn, true
		}
		return r, nil
	}
	if len(addrs) == 0 {
		return pending("LoadBalancer", "Service "+id, "LoadBalancer controller",
			"install or fix the cloud's load-balancer controller (OpenStack Octavia/CCM, MetalLB on bare metal) or expose proxy-public through an Ingress; kubectl -n "+svc.Namespace+" describe svc proxy-public",
			svc.CreationTimestamp.Time, now, grace), nil
	}
	return pass(fmt.Sprintf("LoadBalancer %s", strings.Join(addrs, ", "))), addrs
}

// judgeIngress wants an Ingress routing host to proxy-public, with an address.
func judgeIngress(ings []networkingv1.Ingress, host string, now time.Time, grace time.Duration) (Result, []string) {
	var other []string
	for _, ing := range ings {
		for _, rule := range ing.Spec.Rules {
			if rule.Host != host || rule.HTTP == nil {
				continue
			}
			for _, p := range rule.HTTP.Paths {
				if p.Backend.Service == nil {
					continue
				}
				if p.Backend.Service.Name != "proxy-public" {
					other = append(other, fmt.Sprintf("%s -> %s", ing.Name, p.Backend.Service.Name))
					continue
				}
				id := "Ingress " + ing.Namespace + "/" + ing.Name
				var addrs []string
				for _, in := range ing.Status.LoadBalancer.Ingress {
					if in.IP != "" {
						addrs = append(addrs, in.IP)
					}
					if in.Hostname != "" {
						addrs = append(addrs, in.Hostname)
					}
				}
				if len(addrs) == 0 {
					return pending("Ingress", id, "ingress controller",
						"check the ingress controller runs and serves this Ingress's class (kubectl get ingressclass)",
						ing.CreationTimestamp.Time, now, grace), nil
				}
				return pass(fmt.Sprintf("%s routes %s to proxy-public at %s", id, host, strings.Join(addrs, ", "))), addrs
			}
		}
	}
	if len(other) > 0 {
		return fail(fmt.Sprintf("the Ingress for %s routes to %s, not proxy-public", host, strings.Join(other, ", ")),
			"route the Ingress backend to service proxy-public port http", nil), nil
	}
	return fail(fmt.Sprintf("no Ingress routes %s to proxy-public", host),
		"set ingress.enabled: true and ingress.hosts: ["+host+"] in the site's values", nil), nil
}

func (s *siteRun) checkDeployment(ctx context.Context, name string) Result {
	if s.kube == nil {
		return s.noKube()
	}
	ns := s.t.Namespace
	d, err := s.kube.core.deployment(ctx, ns, name)
	if apierrors.IsNotFound(err) {
		return fail(fmt.Sprintf("Deployment %s/%s does not exist", ns, name),
			"see the HelmRelease check; kubectl -n "+ns+" get deploy", err)
	}
	if err != nil {
		return s.kubeFailure(ctx, "Deployment "+ns+"/"+name, err)
	}
	return s.withPendingPods(ctx, judgeDeployment(d))
}

func judgeDeployment(d *appsv1.Deployment) Result {
	id := d.Namespace + "/" + d.Name
	want := int32(1)
	if d.Spec.Replicas != nil {
		want = *d.Spec.Replicas
	}
	var avail *appsv1.DeploymentCondition
	for i := range d.Status.Conditions {
		if d.Status.Conditions[i].Type == appsv1.DeploymentAvailable {
			avail = &d.Status.Conditions[i]
		}
	}
	if avail != nil && avail.Status == corev1.ConditionTrue && d.Status.AvailableReplicas >= 1 {
		return pass(fmt.Sprintf("Deployment %s: %d/%d replicas available", id, d.Status.AvailableReplicas, want))
	}
	why := "no Available condition yet"
	if avail != nil {
		why = fmt.Sprintf("Available=%s %s: %s", avail.Status, avail.Reason, clip(avail.Message, 120))
	}
	fix := fmt.Sprintf("kubectl -n %s describe deploy/%s; kubectl -n %s logs deploy/%s", d.Namespace, d.Name, d.Namespace, d.Name)
	if d.Name == "hub" {
		fix += " (after a revert across a JupyterHub major version the hub stops with DatabaseSchemaMismatch)"
	}
	return fail(fmt.Sprintf("Deployment %s: %d/%d replicas available (%s)", id, d.Status.AvailableReplicas, want, why), fix, nil)
}

func (s *siteRun) checkCertificate(ctx context.Context) Result {
	if s.kube == nil {
		return s.noKube()
	}
	ns := s.t.Namespace
	list, err := s.kube.dyn.Resource(certificateGVR).Namespace(ns).List(ctx, metav1.ListOptions{})
	if apierrors.IsNotFound(err) {
		return fail("the cluster does not serve cert-manager.io/v1 Certificates: cert-manager is not installed",
			"install cert-manager, or change the site's TLS mode", err)
	}
	if err != nil {
		return s.kubeFailure(ctx, "Certificates in "+ns, err)
	}
	return judgeCertificates(list.Items, ns, s.t.Host)
}

func judgeCertificates(items []unstructured.Unstructured, ns, host string) Result {
	for _, c := range items {
		names, _, _ := unstructured.NestedStringSlice(c.Object, "spec", "dnsNames")
		if !slices.Contains(names, host) {
			continue
		}
		id := ns + "/" + c.GetName()
		conds, _, _ := unstructured.NestedSlice(c.Object, "status", "conditions")
		for _, raw := range conds {
			m, ok := raw.(map[string]any)
			if !ok || m["type"] != "Ready" {
				continue
			}
			if m["status"] == "True" {
				detail := fmt.Sprintf("Certificate %s Ready", id)
				if rt, ok, _ := unstructured.NestedString(c.Object, "status", "renewalTime"); ok {
					detail += ", renewal at " + rt
				}
				return pass(detail)
			}
			reason, _ := m["reason"].(string)
			msg, _ := m["message"].(string)
			fix := fmt.Sprintf("kubectl -n %s describe certificate %s, then its CertificateRequest, Order and Challenge (ACME needs %s to resolve publicly)", ns, c.GetName(), host)
			if lm := strings.ToLower(msg); strings.Contains(lm, "ratelimited") || strings.Contains(lm, "too many certificates") {
				fix = "Let's Encrypt rate-limits this name (a redeploy loop re-requesting certificates?): stop deleting the TLS Secret, keep it across redeploys and wait for the limit to reset"
			}
			return fail(fmt.Sprintf("Certificate %s is not Ready (%s): %s", id, reason, clip(msg, 200)), fix, nil)
		}
		return fail(fmt.Sprintf("Certificate %s has no Ready condition: cert-manager has not processed it", id),
			"check cert-manager runs: kubectl -n cert-manager get pods", nil)
	}
	return fail(fmt.Sprintf("no cert-manager Certificate in %s covers %s", ns, host),
		"annotate the Ingress with cert-manager.io/cluster-issuer and list "+host+" under its tls hosts", errors.New("certificate not found"))
}
