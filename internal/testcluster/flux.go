package testcluster

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/retry"
)

// ReconcileRequestAnnotation is the annotation `flux reconcile` sets to make a
// controller reconcile an object now instead of at its next interval.
const ReconcileRequestAnnotation = "reconcile.fluxcd.io/requestedAt"

// RequestReconcile asks the controller owning the object to reconcile it now,
// as `flux reconcile` does.
func (c *Cluster) RequestReconcile(ctx context.Context, gvr schema.GroupVersionResource, namespace, name string) error {
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": map[string]string{
		ReconcileRequestAnnotation: time.Now().UTC().Format(time.RFC3339Nano),
	}}})
	if err != nil {
		return err
	}
	if _, err := c.dyn.Resource(gvr).Namespace(namespace).Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
		return fmt.Errorf("request reconcile of %s %s/%s: %w", gvr.Resource, namespace, name, err)
	}
	return nil
}

// ReadyRevision is what WaitReady waits for: Ready=True for the object's
// current generation and, if Revision is set, the revision at RevisionField.
type ReadyRevision struct {
	// RevisionField is the status field holding the revision, e.g.
	// {"status", "artifact", "revision"} for a GitRepository or
	// {"status", "lastAppliedRevision"} for a Kustomization.
	RevisionField []string
	// Revision is the wanted value, e.g. "main@sha1:<commit>". Empty means
	// any.
	Revision string
}

// GitRepositoryRevision waits for a GitRepository artifact of revision.
func GitRepositoryRevision(revision string) ReadyRevision {
	return ReadyRevision{RevisionField: []string{"status", "artifact", "revision"}, Revision: revision}
}

// KustomizationRevision waits for a Kustomization to have applied revision.
func KustomizationRevision(revision string) ReadyRevision {
	return ReadyRevision{RevisionField: []string{"status", "lastAppliedRevision"}, Revision: revision}
}

// GitRevision is the revision string Flux records for a commit on a branch.
func GitRevision(branch, commit string) string { return branch + "@sha1:" + commit }

// WaitReady waits until the Flux object is Ready=True with
// status.observedGeneration equal to its generation (a stale Ready does not
// count) and the wanted revision, and returns it. On timeout the error holds
// the object's last Ready condition.
func (c *Cluster) WaitReady(ctx context.Context, gvr schema.GroupVersionResource, namespace, name string, want ReadyRevision) (*unstructured.Unstructured, error) {
	var obj *unstructured.Unstructured
	what := fmt.Sprintf("%s %s/%s ready", gvr.Resource, namespace, name)
	if want.Revision != "" {
		what += " at " + want.Revision
	}
	err := c.WaitFor(ctx, what, func(ctx context.Context) error {
		got, err := c.dyn.Resource(gvr).Namespace(namespace).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if err := readyAt(got, want); err != nil {
			return err
		}
		obj = got
		return nil
	})
	return obj, err
}

func readyAt(obj *unstructured.Unstructured, want ReadyRevision) error {
	observed, _, _ := unstructured.NestedInt64(obj.Object, "status", "observedGeneration")
	status, message := conditionStatus(obj, "Ready")
	if status != "True" {
		return fmt.Errorf("Ready=%q: %s", status, message)
	}
	if observed != obj.GetGeneration() {
		return fmt.Errorf("observedGeneration %d, generation %d", observed, obj.GetGeneration())
	}
	if want.Revision == "" {
		return nil
	}
	got, _, _ := unstructured.NestedString(obj.Object, want.RevisionField...)
	if got != want.Revision {
		return fmt.Errorf("%s = %q, want %q (Ready: %s)", strings.Join(want.RevisionField, "."), got, want.Revision, message)
	}
	return nil
}

// Condition returns the status and message of the condition of type typ in
// obj.status.conditions, or "" when there is none.
func Condition(obj *unstructured.Unstructured, typ string) (status, message string) {
	return conditionStatus(obj, typ)
}

// UpdateStatus replaces the status of an object through its status
// subresource, as a controller does; tests use it to play helm-controller,
// which does not run here. It retries on update conflicts.
func (c *Cluster) UpdateStatus(ctx context.Context, gvr schema.GroupVersionResource, namespace, name string, status map[string]any) (*unstructured.Unstructured, error) {
	res := c.dyn.Resource(gvr).Namespace(namespace)
	var updated *unstructured.Unstructured
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		obj, err := res.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		obj.Object["status"] = status
		updated, err = res.UpdateStatus(ctx, obj, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("update status of %s %s/%s: %w", gvr.Resource, namespace, name, err)
	}
	return updated, nil
}
