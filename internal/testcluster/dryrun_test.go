package testcluster_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/hubfleet/hubfleet/internal/fleettest"
	"github.com/hubfleet/hubfleet/internal/testcluster"
)

// TestExampleFleetServerSideDryRun builds every overlay of the example fleet
// as kustomize-controller would and server-side dry-run applies each object,
// with strict field validation, on a real API server with the Flux CRDs: the
// CRD schemas (HelmRelease, HelmRepository, Kustomization) and the core API
// accept everything hubfleet renders. SOPS-encrypted Secrets are checked
// without their sops metadata, which kustomize-controller removes when it
// decrypts them. The clusters/<site>/hubfleet.yaml entry points are checked
// too.
func TestExampleFleetServerSideDryRun(t *testing.T) {
	t.Parallel()
	root := fleettest.Root(t)
	sites, err := filepath.Glob(filepath.Join(root, "overlays", "*", "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(sites) == 0 {
		t.Fatal("no overlays/*/kustomization.yaml in the example fleet")
	}
	c := testcluster.Start(t, testcluster.DefaultOptions())
	a := newApplier(t, c)
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()

	// The check can fail: an unknown field in a HelmRelease is refused.
	bad := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease",
		"metadata": map[string]any{"name": "bad", "namespace": "default"},
		"spec": map[string]any{
			"interval": "10m",
			"chart":    map[string]any{"spec": map[string]any{"chart": "daskhub", "sourceRef": map[string]any{"kind": "HelmRepository", "name": "x"}}},
			"timeOut":  "15m",
		},
	}}
	if _, err := a.apply(ctx, bad, true); err == nil {
		t.Fatal("server-side dry-run accepted a HelmRelease with the unknown field spec.timeOut")
	}

	for _, k := range sites {
		dir := filepath.Dir(k)
		site := filepath.Base(dir)
		t.Run(site, func(t *testing.T) {
			objs, err := kustomizeBuild(dir)
			if err != nil {
				t.Fatal(err)
			}
			entry := filepath.Join(root, "clusters", site, "hubfleet.yaml")
			if _, err := os.Stat(entry); err == nil {
				objs = append(objs, readObject(t, entry))
			} else {
				t.Errorf("site %s has no entry point %s", site, entry)
			}
			// Namespaces first, created for real, so that the
			// namespaced objects can be dry-run into them.
			sort.SliceStable(objs, func(i, j int) bool {
				return objs[i].GetKind() == "Namespace" && objs[j].GetKind() != "Namespace"
			})
			kinds := map[string]int{}
			for _, obj := range objs {
				unstructured.RemoveNestedField(obj.Object, "sops")
				kinds[obj.GetKind()]++
				if _, err := a.apply(ctx, obj, true); err != nil {
					t.Errorf("server-side dry-run: %v", err)
					continue
				}
				if obj.GetKind() == "Namespace" {
					if _, err := a.apply(ctx, obj, false); err != nil {
						t.Errorf("create: %v", err)
					}
				}
			}
			if kinds["HelmRelease"] == 0 || kinds["Namespace"] == 0 || kinds["HelmRepository"] == 0 {
				t.Errorf("overlay of %s has kinds %v, want at least a Namespace, a HelmRepository and a HelmRelease", site, kinds)
			}
			t.Logf("%s: %d objects passed server-side dry-run: %v", site, len(objs), kinds)
		})
	}
}
