package testcluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"
)

// Resources the harness and its users address through the dynamic client.
var (
	NamespaceGVR      = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
	SecretGVR         = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}
	CRDGVR            = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	HelmReleaseGVR    = schema.GroupVersionResource{Group: "helm.toolkit.fluxcd.io", Version: "v2", Resource: "helmreleases"}
	HelmRepositoryGVR = schema.GroupVersionResource{Group: "source.toolkit.fluxcd.io", Version: "v1", Resource: "helmrepositories"}
	GitRepositoryGVR  = schema.GroupVersionResource{Group: "source.toolkit.fluxcd.io", Version: "v1", Resource: "gitrepositories"}
	KustomizationGVR  = schema.GroupVersionResource{Group: "kustomize.toolkit.fluxcd.io", Version: "v1", Resource: "kustomizations"}
)

// bootstrap waits for the default namespace, creates FluxNamespace and
// installs every CRD in crdDirs, waiting until each is Established.
func (c *Cluster) bootstrap(ctx context.Context, crdDirs ...string) error {
	if err := c.WaitFor(ctx, "namespace default", func(ctx context.Context) error {
		_, err := c.dyn.Resource(NamespaceGVR).Get(ctx, "default", metav1.GetOptions{})
		return err
	}); err != nil {
		return err
	}
	if err := c.CreateNamespace(ctx, FluxNamespace); err != nil {
		return err
	}
	var crds []*unstructured.Unstructured
	for _, dir := range crdDirs {
		got, err := readCRDs(dir)
		if err != nil {
			return err
		}
		crds = append(crds, got...)
	}
	for _, crd := range crds {
		if _, err := c.dyn.Resource(CRDGVR).Create(ctx, crd, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("install CRD %s: %w", crd.GetName(), err)
		}
	}
	for _, crd := range crds {
		name := crd.GetName()
		if err := c.WaitFor(ctx, "CRD "+name+" established", func(ctx context.Context) error {
			got, err := c.dyn.Resource(CRDGVR).Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return err
			}
			if status, _ := conditionStatus(got, "Established"); status != "True" {
				return fmt.Errorf("CRD %s is not Established yet", name)
			}
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}

// CreateNamespace creates a namespace; one that exists already is fine.
func (c *Cluster) CreateNamespace(ctx context.Context, name string) error {
	ns := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1",
		"kind":       "Namespace",
		"metadata":   map[string]any{"name": name},
	}}
	if _, err := c.dyn.Resource(NamespaceGVR).Create(ctx, ns, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create namespace %s: %w", name, err)
	}
	return nil
}

// readCRDs reads every *.yaml in dir (one CRD per file, as controller-gen
// writes them), sorted by file name.
func readCRDs(dir string) ([]*unstructured.Unstructured, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no CRDs in %s", dir)
	}
	sort.Strings(paths)
	var crds []*unstructured.Unstructured
	var errs []error
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, doc := range strings.Split(string(data), "\n---") {
			if strings.TrimSpace(strings.Trim(doc, "-")) == "" {
				continue
			}
			obj := map[string]any{}
			if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
				errs = append(errs, fmt.Errorf("parse %s: %w", p, err))
				continue
			}
			crds = append(crds, &unstructured.Unstructured{Object: obj})
		}
	}
	return crds, errors.Join(errs...)
}

// conditionStatus returns the status and message of the condition of type
// typ in obj's status.conditions.
func conditionStatus(obj *unstructured.Unstructured, typ string) (status, message string) {
	conds, _, _ := unstructured.NestedSlice(obj.Object, "status", "conditions")
	for _, c := range conds {
		m, ok := c.(map[string]any)
		if !ok || m["type"] != typ {
			continue
		}
		status, _ = m["status"].(string)
		message, _ = m["message"].(string)
		return status, message
	}
	return "", ""
}
