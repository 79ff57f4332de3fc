package testcluster

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// KWOKNodeAnnotation marks the nodes KWOK manages (it runs with
// --manage-nodes-with-annotation-selector on it).
const KWOKNodeAnnotation = "kwok.x-k8s.io/node"

// Node is a fake node KWOK plays the kubelet for: pods the scheduler binds to
// it become Ready without running a container.
type Node struct {
	Name   string
	Labels map[string]string
	Taints []corev1.Taint
	// Extra is allocatable capacity beyond the default CPU, memory and pods
	// (e.g. nvidia.com/gpu).
	Extra corev1.ResourceList
}

// Node labels and taints the example sites place their pods with
// (clusters/*/site.yaml placement and profiles).
const (
	NodePurposeLabel   = "hub.jupyter.org/node-purpose"
	EKSNodeGroupLabel  = "alpha.eksctl.io/nodegroup-name"
	DaskDedicatedLabel = "k8s.dask.org/dedicated"
	AzureSpotKey       = "kubernetes.azure.com/scalesetpriority"
	GPUResource        = "nvidia.com/gpu"
)

// DefaultNodes are the node groups the example sites place pods on: a core
// pool (pangeo-azure's node-purpose=core, heliocloud-aws's
// ng-daskhub-services), a user pool, an Azure spot worker pool tainted
// spot:NoSchedule, an EKS burst spot pool and a GPU pool tainted
// nvidia.com/gpu:NoSchedule. Sites without placement land on any untainted
// node.
func DefaultNodes() []Node {
	return []Node{
		{Name: "core-0", Labels: map[string]string{
			NodePurposeLabel: "core", EKSNodeGroupLabel: "ng-daskhub-services",
		}},
		{Name: "user-0", Labels: map[string]string{
			NodePurposeLabel: "user", EKSNodeGroupLabel: "ng-user-compute-spot",
		}},
		{Name: "worker-spot-0", Labels: map[string]string{
			DaskDedicatedLabel: "worker", AzureSpotKey: "spot",
		}, Taints: []corev1.Taint{{Key: AzureSpotKey, Value: "spot", Effect: corev1.TaintEffectNoSchedule}}},
		{Name: "burst-spot-0", Labels: map[string]string{
			EKSNodeGroupLabel: "ng-burst-compute-spot",
		}},
		{Name: "gpu-0", Labels: map[string]string{
			EKSNodeGroupLabel: "ng-user-gpu-spot",
		}, Taints: []corev1.Taint{{Key: GPUResource, Value: "present", Effect: corev1.TaintEffectNoSchedule}},
			Extra: corev1.ResourceList{GPUResource: resource.MustParse("1")}},
	}
}

// object is the Node as the harness creates it: status included (the API
// server keeps a node's status on create), as kwokctl creates its nodes, so
// that KWOK's node-initialize stage only has to mark it Ready.
func (n Node) object() *corev1.Node {
	labels := map[string]string{
		"kubernetes.io/arch":     "amd64",
		"kubernetes.io/os":       "linux",
		"kubernetes.io/hostname": n.Name,
		"type":                   "kwok",
	}
	for k, v := range n.Labels {
		labels[k] = v
	}
	alloc := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("32"),
		corev1.ResourceMemory: resource.MustParse("256Gi"),
		corev1.ResourcePods:   resource.MustParse("110"),
	}
	for k, v := range n.Extra {
		alloc[k] = v
	}
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name:        n.Name,
			Labels:      labels,
			Annotations: map[string]string{KWOKNodeAnnotation: "fake", "node.alpha.kubernetes.io/ttl": "0"},
		},
		Spec: corev1.NodeSpec{Taints: n.Taints},
		Status: corev1.NodeStatus{
			Allocatable: alloc,
			Capacity:    alloc,
			Addresses:   []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "127.0.0.1"}},
			NodeInfo: corev1.NodeSystemInfo{
				Architecture: "amd64", OperatingSystem: "linux",
				KubeletVersion: KubernetesVersion,
			},
		},
	}
}
