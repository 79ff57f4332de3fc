package testcluster_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"

	"github.com/hubfleet/hubfleet/internal/testcluster"
)

// TestWorkloadsBecomeReady checks the pieces that make pods Ready without a
// container runtime: kube-controller-manager and kube-scheduler roll out a
// Deployment, a StatefulSet with a volume claim and a DaemonSet onto the fake
// nodes KWOK plays the kubelet for, the harness binds the claim and gives the
// LoadBalancer Service a loopback address, a DaemonSet skips tainted nodes,
// and a pod whose node selector matches no node stays Pending.
func TestWorkloadsBecomeReady(t *testing.T) {
	t.Parallel()
	opts := testcluster.DefaultOptions()
	opts.Workloads = true
	c := testcluster.Start(t, opts)
	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
	defer cancel()
	cs := c.Clientset()
	const ns = "workloads"
	if err := c.CreateNamespace(ctx, ns); err != nil {
		t.Fatal(err)
	}
	labels := func(app string) map[string]string { return map[string]string{"app": app} }
	podSpec := func(app string, sel map[string]string) corev1.PodTemplateSpec {
		return corev1.PodTemplateSpec{
			ObjectMeta: metav1.ObjectMeta{Labels: labels(app)},
			Spec: corev1.PodSpec{
				NodeSelector: sel,
				Containers:   []corev1.Container{{Name: "c", Image: "registry.invalid/none:1"}},
			},
		}
	}
	two := int32(2)
	core := map[string]string{testcluster.NodePurposeLabel: "core"}
	mustCreate := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := cs.AppsV1().Deployments(ns).Create(ctx, &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "hub"},
		Spec: appsv1.DeploymentSpec{Replicas: &two, Selector: &metav1.LabelSelector{MatchLabels: labels("hub")},
			Template: podSpec("hub", core)},
	}, metav1.CreateOptions{})
	mustCreate(err)
	sts := podSpec("db", nil)
	_, err = cs.AppsV1().StatefulSets(ns).Create(ctx, &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: "db"},
		Spec: appsv1.StatefulSetSpec{Replicas: &two, Selector: &metav1.LabelSelector{MatchLabels: labels("db")},
			Template: sts,
			VolumeClaimTemplates: []corev1.PersistentVolumeClaim{{
				ObjectMeta: metav1.ObjectMeta{Name: "data"},
				Spec: corev1.PersistentVolumeClaimSpec{
					AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
					Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}},
				},
			}}},
	}, metav1.CreateOptions{})
	mustCreate(err)
	_, err = cs.AppsV1().DaemonSets(ns).Create(ctx, &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: "puller"},
		Spec: appsv1.DaemonSetSpec{Selector: &metav1.LabelSelector{MatchLabels: labels("puller")},
			Template: podSpec("puller", nil)},
	}, metav1.CreateOptions{})
	mustCreate(err)
	_, err = cs.CoreV1().Services(ns).Create(ctx, &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "proxy-public"},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, Selector: labels("hub"),
			Ports: []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromInt32(8000)}}},
	}, metav1.CreateOptions{})
	mustCreate(err)
	_, err = cs.CoreV1().Pods(ns).Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "misplaced"},
		Spec:       podSpec("misplaced", map[string]string{testcluster.NodePurposeLabel: "nowhere"}).Spec,
	}, metav1.CreateOptions{})
	mustCreate(err)

	wait := func(what string, cond func(ctx context.Context) error) {
		t.Helper()
		if err := c.WaitFor(ctx, what, cond); err != nil {
			t.Fatal(err)
		}
	}
	wait("Deployment hub rolled out", func(ctx context.Context) error {
		d, err := cs.AppsV1().Deployments(ns).Get(ctx, "hub", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if d.Status.ReadyReplicas != 2 || d.Status.UpdatedReplicas != 2 {
			return fmt.Errorf("%d/2 ready, %d updated", d.Status.ReadyReplicas, d.Status.UpdatedReplicas)
		}
		return nil
	})
	wait("StatefulSet db rolled out", func(ctx context.Context) error {
		s, err := cs.AppsV1().StatefulSets(ns).Get(ctx, "db", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if s.Status.ReadyReplicas != 2 {
			return fmt.Errorf("%d/2 ready", s.Status.ReadyReplicas)
		}
		return nil
	})
	wait("DaemonSet puller rolled out", func(ctx context.Context) error {
		d, err := cs.AppsV1().DaemonSets(ns).Get(ctx, "puller", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if d.Status.DesiredNumberScheduled == 0 || d.Status.NumberReady != d.Status.DesiredNumberScheduled {
			return fmt.Errorf("%d/%d ready", d.Status.NumberReady, d.Status.DesiredNumberScheduled)
		}
		return nil
	})
	wait("LoadBalancer address", func(ctx context.Context) error {
		s, err := cs.CoreV1().Services(ns).Get(ctx, "proxy-public", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if len(s.Status.LoadBalancer.Ingress) == 0 || s.Status.LoadBalancer.Ingress[0].IP != testcluster.LoadBalancerAddress {
			return fmt.Errorf("status.loadBalancer = %+v", s.Status.LoadBalancer)
		}
		return nil
	})
	wait("misplaced pod unschedulable", func(ctx context.Context) error {
		p, err := cs.CoreV1().Pods(ns).Get(ctx, "misplaced", metav1.GetOptions{})
		if err != nil {
			return err
		}
		for _, cond := range p.Status.Conditions {
			if cond.Type == corev1.PodScheduled && cond.Status == corev1.ConditionFalse && cond.Reason == corev1.PodReasonUnschedulable {
				return nil
			}
		}
		return fmt.Errorf("phase %s, conditions %+v", p.Status.Phase, p.Status.Conditions)
	})

	// Placement: the hub replicas on the core node; the claims bound;
	// the DaemonSet on every untainted node and on no tainted one.
	if diff := cmp.Diff([]string{"core-0", "core-0"}, podNodes(ctx, t, cs, ns, "hub")); diff != "" {
		t.Errorf("hub pods' nodes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"burst-spot-0", "core-0", "user-0"}, podNodes(ctx, t, cs, ns, "puller")); diff != "" {
		t.Errorf("DaemonSet pods' nodes (-want +got):\n%s", diff)
	}
	pvcs, err := cs.CoreV1().PersistentVolumeClaims(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(pvcs.Items) != 2 {
		t.Errorf("%d claims, want 2", len(pvcs.Items))
	}
	for _, p := range pvcs.Items {
		if p.Status.Phase != corev1.ClaimBound {
			t.Errorf("claim %s is %s, want Bound", p.Name, p.Status.Phase)
		}
	}
	p, err := cs.CoreV1().Pods(ns).Get(ctx, "misplaced", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Status.Phase != corev1.PodPending || p.Spec.NodeName != "" {
		t.Errorf("misplaced pod: phase %s on node %q, want Pending on none", p.Status.Phase, p.Spec.NodeName)
	}
}

// podNodes lists the nodes the pods of app run on, sorted.
func podNodes(ctx context.Context, t *testing.T, cs kubernetes.Interface, ns, app string) []string {
	t.Helper()
	pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=" + app})
	if err != nil {
		t.Fatal(err)
	}
	var nodes []string
	for _, p := range pods.Items {
		nodes = append(nodes, p.Spec.NodeName)
	}
	sort.Strings(nodes)
	return nodes
}
