package testcluster

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// LoadBalancerAddress is the address the harness's LoadBalancer controller
// writes into status.loadBalancer of every Service of type LoadBalancer.
const LoadBalancerAddress = "127.0.0.1"

// backgroundInterval is how often the in-process volume provisioner and
// LoadBalancer controller look for work.
const backgroundInterval = time.Second

// startWorkloads starts what makes pods Ready without a container runtime:
// kube-controller-manager (Deployments, ReplicaSets, StatefulSets,
// DaemonSets, Jobs, PV binding, garbage collection), kube-scheduler, KWOK
// playing the kubelet for the fake nodes, and, in process, a volume
// provisioner and a LoadBalancer controller.
func (c *Cluster) startWorkloads(ctx context.Context, bins binaries, keys *pki) error {
	ports, err := freePorts(3)
	if err != nil {
		return err
	}
	addr := func(i int) string { return "127.0.0.1:" + strconv.Itoa(ports[i]) }
	// Their serving certificates are self-signed (--cert-dir): the probe
	// checks health, not identity.
	selfSigned := &http.Client{Timeout: probeTimeout, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12}, //nolint:gosec // loopback health probe of a self-signed test server
	}}
	plain := &http.Client{Timeout: probeTimeout}
	env := []string{"KUBECONFIG=" + c.kubeconfig}

	if err := c.run(ctx, KubeControllerManager, bins.kubeControllerManager, []string{
		"--kubeconfig=" + c.kubeconfig,
		"--authentication-kubeconfig=" + c.kubeconfig,
		"--authorization-kubeconfig=" + c.kubeconfig,
		"--leader-elect=false",
		"--bind-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(ports[0]),
		"--cert-dir=" + filepath.Join(c.dir, "kcm-certs"),
		"--root-ca-file=" + keys.caFile,
		"--service-account-private-key-file=" + keys.saKeyFile,
		"--use-service-account-credentials=false",
		// The node lifecycle controller lifts the not-ready taint the
		// API server puts on every new node once KWOK reports it Ready.
		// A late KWOK heartbeat on a loaded 2-core machine must not
		// taint a node unreachable and evict its pods in the middle of
		// a test: a node is only presumed dead after 5 minutes of
		// silence (the default is 50 s).
		"--node-monitor-grace-period=5m",
		"--concurrent-deployment-syncs=10",
		"--concurrent-replicaset-syncs=10",
		"--profiling=false",
	}, env, httpProbe(selfSigned, "https://"+addr(0)+"/healthz")); err != nil {
		return err
	}
	if err := c.run(ctx, KubeScheduler, bins.kubeScheduler, []string{
		"--kubeconfig=" + c.kubeconfig,
		"--authentication-kubeconfig=" + c.kubeconfig,
		"--authorization-kubeconfig=" + c.kubeconfig,
		"--leader-elect=false",
		"--bind-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(ports[1]),
		"--cert-dir=" + filepath.Join(c.dir, "scheduler-certs"),
		"--profiling=false",
	}, env, httpProbe(selfSigned, "https://"+addr(1)+"/healthz")); err != nil {
		return err
	}
	if err := c.run(ctx, KWOK, bins.kwok, []string{
		"--kubeconfig=" + c.kubeconfig,
		"--config=" + bins.kwokStages,
		"--manage-all-nodes=false",
		"--manage-nodes-with-annotation-selector=" + KWOKNodeAnnotation + "=fake",
		"--server-address=" + addr(2),
		"--cidr=10.244.0.1/16",
		"--node-ip=127.0.0.1",
	}, env, httpProbe(plain, "http://"+addr(2)+"/healthz")); err != nil {
		return err
	}

	cs, err := kubernetes.NewForConfig(c.restConfig)
	if err != nil {
		return fmt.Errorf("clientset: %w", err)
	}
	c.clientset = cs
	nodes := c.opts.Nodes
	if nodes == nil {
		nodes = DefaultNodes()
	}
	for _, n := range nodes {
		if _, err := cs.CoreV1().Nodes().Create(ctx, n.object(), metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("create node %s: %w", n.Name, err)
		}
	}
	for _, n := range nodes {
		name := n.Name
		if err := c.WaitFor(ctx, "node "+name+" Ready", func(ctx context.Context) error {
			got, err := cs.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return err
			}
			for _, cond := range got.Status.Conditions {
				if cond.Type == corev1.NodeReady && cond.Status == corev1.ConditionTrue {
					return nil
				}
			}
			return fmt.Errorf("node %s is not Ready (KWOK has not initialised it)", name)
		}); err != nil {
			return err
		}
	}

	bg, cancel := context.WithCancel(context.Background())
	c.mu.Lock()
	c.stopBackground = append(c.stopBackground, cancel)
	c.mu.Unlock()
	go loop(bg, func(ctx context.Context) { c.provisionVolumes(ctx, cs) })
	go loop(bg, func(ctx context.Context) { c.assignLoadBalancers(ctx, cs) })
	return nil
}

// Clientset is a typed client for the admin user; nil unless
// Options.Workloads is set.
func (c *Cluster) Clientset() kubernetes.Interface { return c.clientset }

// loop runs step every backgroundInterval until ctx ends.
func loop(ctx context.Context, step func(context.Context)) {
	tick := time.NewTicker(backgroundInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		step(sctx)
		cancel()
	}
}

// provisionVolumes plays a dynamic volume provisioner: for every pending
// PVC without a volume it creates a PersistentVolume pre-bound to it (a
// hostPath under the test directory, of the class and size the claim asks
// for); kube-controller-manager's PV binder completes the binding.
// Errors are left to the next round.
func (c *Cluster) provisionVolumes(ctx context.Context, cs kubernetes.Interface) {
	pvcs, err := cs.CoreV1().PersistentVolumeClaims(metav1.NamespaceAll).List(ctx, metav1.ListOptions{})
	if err != nil {
		return
	}
	for _, pvc := range pvcs.Items {
		if pvc.Status.Phase != corev1.ClaimPending || pvc.Spec.VolumeName != "" || pvc.DeletionTimestamp != nil {
			continue
		}
		size, ok := pvc.Spec.Resources.Requests[corev1.ResourceStorage]
		if !ok {
			size = resource.MustParse("1Gi")
		}
		class := ""
		if pvc.Spec.StorageClassName != nil {
			class = *pvc.Spec.StorageClassName
		}
		modes := pvc.Spec.AccessModes
		if len(modes) == 0 {
			modes = []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}
		}
		name := "pvc-" + string(pvc.UID)
		pv := &corev1.PersistentVolume{
			ObjectMeta: metav1.ObjectMeta{Name: name, Annotations: map[string]string{
				"pv.kubernetes.io/provisioned-by": "hubfleet-testcluster",
			}},
			Spec: corev1.PersistentVolumeSpec{
				Capacity:                      corev1.ResourceList{corev1.ResourceStorage: size},
				AccessModes:                   modes,
				StorageClassName:              class,
				VolumeMode:                    pvc.Spec.VolumeMode,
				PersistentVolumeReclaimPolicy: corev1.PersistentVolumeReclaimDelete,
				ClaimRef: &corev1.ObjectReference{
					Kind: "PersistentVolumeClaim", APIVersion: "v1",
					Namespace: pvc.Namespace, Name: pvc.Name, UID: pvc.UID,
				},
				PersistentVolumeSource: corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{
					Path: filepath.Join(c.dir, "volumes", name),
				}},
			},
		}
		_, _ = cs.CoreV1().PersistentVolumes().Create(ctx, pv, metav1.CreateOptions{}) // exists: provisioned in an earlier round
	}
}

// assignLoadBalancers plays a cloud's LoadBalancer controller: every
// Service of type LoadBalancer without an ingress address gets
// LoadBalancerAddress.
func (c *Cluster) assignLoadBalancers(ctx context.Context, cs kubernetes.Interface) {
	svcs, err := cs.CoreV1().Services(metav1.NamespaceAll).List(ctx, metav1.ListOptions{})
	if err != nil {
		return
	}
	for _, svc := range svcs.Items {
		if svc.Spec.Type != corev1.ServiceTypeLoadBalancer || len(svc.Status.LoadBalancer.Ingress) > 0 {
			continue
		}
		svc.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: LoadBalancerAddress}}
		_, _ = cs.CoreV1().Services(svc.Namespace).UpdateStatus(ctx, &svc, metav1.UpdateOptions{}) // a conflict is retried next round
	}
}
