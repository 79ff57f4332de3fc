package verify

import (
	"context"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
)

// typedClient reads the few built-in objects verify needs through the
// dynamic client into their k8s.io/api types. client-go's typed clientset
// would do the same but links a client for every API group (about a sixth
// of hubfleet's build).
type typedClient struct{ dyn dynamic.Interface }

var (
	servicesGVR    = schema.GroupVersionResource{Version: "v1", Resource: "services"}
	eventsGVR      = schema.GroupVersionResource{Version: "v1", Resource: "events"}
	podsGVR        = schema.GroupVersionResource{Version: "v1", Resource: "pods"}
	ingressesGVR   = schema.GroupVersionResource{Group: "networking.k8s.io", Version: "v1", Resource: "ingresses"}
	deploymentsGVR = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
)

func getInto[T any](ctx context.Context, c typedClient, gvr schema.GroupVersionResource, ns, name string) (*T, error) {
	u, err := c.dyn.Resource(gvr).Namespace(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	out := new(T)
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.UnstructuredContent(), out); err != nil {
		return nil, err
	}
	return out, nil
}

func listInto[T any](ctx context.Context, c typedClient, gvr schema.GroupVersionResource, ns string, opts metav1.ListOptions) (*T, error) {
	u, err := c.dyn.Resource(gvr).Namespace(ns).List(ctx, opts)
	if err != nil {
		return nil, err
	}
	out := new(T)
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.UnstructuredContent(), out); err != nil {
		return nil, err
	}
	return out, nil
}

func (c typedClient) service(ctx context.Context, ns, name string) (*corev1.Service, error) {
	return getInto[corev1.Service](ctx, c, servicesGVR, ns, name)
}

func (c typedClient) deployment(ctx context.Context, ns, name string) (*appsv1.Deployment, error) {
	return getInto[appsv1.Deployment](ctx, c, deploymentsGVR, ns, name)
}

func (c typedClient) ingresses(ctx context.Context, ns string) (*networkingv1.IngressList, error) {
	return listInto[networkingv1.IngressList](ctx, c, ingressesGVR, ns, metav1.ListOptions{})
}

func (c typedClient) events(ctx context.Context, ns, fieldSelector string) (*corev1.EventList, error) {
	return listInto[corev1.EventList](ctx, c, eventsGVR, ns, metav1.ListOptions{FieldSelector: fieldSelector})
}

func (c typedClient) pods(ctx context.Context, ns string) (*corev1.PodList, error) {
	return listInto[corev1.PodList](ctx, c, podsGVR, ns, metav1.ListOptions{})
}
