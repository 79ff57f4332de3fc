package testcluster_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/hubfleet/hubfleet/internal/testcluster"
)

func TestHelmReleaseStatusSubresource(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t, testcluster.DefaultOptions())
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()

	const ns = "site-a"
	if err := c.CreateNamespace(ctx, ns); err != nil {
		t.Fatal(err)
	}
	hr := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "helm.toolkit.fluxcd.io/v2",
		"kind":       "HelmRelease",
		"metadata":   map[string]any{"name": "daskhub", "namespace": ns},
		"spec": map[string]any{
			"interval": "10m",
			"timeout":  "15m",
			"chart": map[string]any{"spec": map[string]any{
				"chart":     "daskhub",
				"version":   "2024.1.1",
				"sourceRef": map[string]any{"kind": "HelmRepository", "name": "dask", "namespace": ns},
			}},
		},
	}}
	res := c.Dynamic().Resource(testcluster.HelmReleaseGVR).Namespace(ns)
	created, err := res.Create(ctx, hr, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create HelmRelease: %v", err)
	}
	// The CRD's defaults apply on create (chart.spec.reconcileStrategy).
	wantSpec := created.DeepCopy().Object["spec"]

	// A status written through the main resource is dropped; through the
	// status subresource it sticks and the spec is untouched.
	status := map[string]any{
		"observedGeneration":    created.GetGeneration(),
		"lastAttemptedRevision": "2024.1.1",
		"conditions": []any{map[string]any{
			"type": "Ready", "status": "True", "reason": "InstallSucceeded", "message": "installed",
			"lastTransitionTime": "2026-01-01T00:00:00Z", "observedGeneration": created.GetGeneration(),
		}},
	}
	created.Object["status"] = status
	if _, err := res.Update(ctx, created, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("update HelmRelease: %v", err)
	}
	got, err := res.Get(ctx, "daskhub", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := got.Object["status"]; ok && s != nil {
		if diff := cmp.Diff(status, s); diff == "" {
			t.Fatalf("status written through the main resource was kept; want it dropped")
		}
	}
	updated, err := c.UpdateStatus(ctx, testcluster.HelmReleaseGVR, ns, "daskhub", status)
	if err != nil {
		t.Fatalf("update HelmRelease status: %v", err)
	}
	if diff := cmp.Diff(status["lastAttemptedRevision"], updated.Object["status"].(map[string]any)["lastAttemptedRevision"]); diff != "" {
		t.Errorf("status.lastAttemptedRevision (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantSpec, updated.Object["spec"]); diff != "" {
		t.Errorf("spec changed by status update (-want +got):\n%s", diff)
	}
	if updated.GetGeneration() != created.GetGeneration() {
		t.Errorf("generation = %d after a status update, want %d", updated.GetGeneration(), created.GetGeneration())
	}

	// The API server reports the version tools/build.sh stamped.
	info, err := discoveryVersion(c)
	if err != nil {
		t.Fatal(err)
	}
	if info != testcluster.KubernetesVersion {
		t.Errorf("server version = %q, want %q", info, testcluster.KubernetesVersion)
	}
}

func TestStoppedComponentIsNamed(t *testing.T) {
	t.Parallel()
	for _, name := range []string{testcluster.KubeAPIServer, testcluster.Etcd} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := testcluster.Start(t, testcluster.DefaultOptions())
			if err := c.StopComponent(name); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			err := c.WaitFor(ctx, "something that never happens", func(context.Context) error {
				return errors.New("not yet")
			})
			var ce *testcluster.ComponentError
			if !errors.As(err, &ce) {
				t.Fatalf("WaitFor error = %v, want a ComponentError", err)
			}
			if ce.Component != name {
				t.Errorf("ComponentError names %q, want %q (error: %v)", ce.Component, name, err)
			}
			if ctx.Err() != nil {
				t.Errorf("WaitFor returned only after its deadline: %v", err)
			}
		})
	}
}
