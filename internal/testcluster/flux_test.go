package testcluster_test

import (
	"context"
	"encoding/base64"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/google/go-cmp/cmp"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/hubfleet/hubfleet/internal/gitserver"
	"github.com/hubfleet/hubfleet/internal/testcluster"
)

// gitCmd runs git in dir with a fixed identity and no user configuration.
func gitCmd(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=test", "GIT_AUTHOR_EMAIL=test@example.invalid",
		"GIT_COMMITTER_NAME=test", "GIT_COMMITTER_EMAIL=test@example.invalid",
	)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func writeFiles(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestFluxAppliesSOPSSecretFromGit runs the GitOps loop on real components:
// source-controller fetches a commit from the git smart HTTP server,
// kustomize-controller applies its path, decrypting a SOPS Secret with an age
// key from a Secret. Then it stops the git server and a controller and checks
// that waits fail at once, naming them.
func TestFluxAppliesSOPSSecretFromGit(t *testing.T) {
	t.Parallel()
	opts := testcluster.DefaultOptions()
	opts.Controllers = true
	c := testcluster.Start(t, opts)
	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
	defer cancel()

	identity, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	const clientSecret = "not-a-real-oauth-client-secret"
	plainSecret := []byte(`apiVersion: v1
kind: Secret
metadata:
  name: hub-oauth
  namespace: site-a
type: Opaque
stringData:
  client_secret: ` + clientSecret + `
`)
	encrypted := sopsEncrypt(t, plainSecret, identity.Recipient().String())
	if strings.Contains(string(encrypted), clientSecret) {
		t.Fatal("the SOPS-encrypted file holds the secret in plain text")
	}

	root := t.TempDir()
	repo := filepath.Join(root, "fleet")
	gitCmd(t, root, "init", "-q", "-b", "main", repo)
	writeFiles(t, repo, map[string][]byte{
		"overlays/site-a/kustomization.yaml":      []byte("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- namespace.yaml\n- values.yaml\n- client-secret.sops.yaml\n"),
		"overlays/site-a/namespace.yaml":          []byte("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: site-a\n"),
		"overlays/site-a/values.yaml":             []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hub-values\n  namespace: site-a\ndata:\n  size: small\n"),
		"overlays/site-a/client-secret.sops.yaml": encrypted,
	})
	gitCmd(t, repo, "add", ".")
	gitCmd(t, repo, "commit", "-q", "-m", "add site-a")
	commit := gitCmd(t, repo, "rev-parse", "HEAD")

	srv := gitserver.Start(t, root)
	c.AddCheck("git server", func(ctx context.Context) error { return srv.Check(ctx, "fleet") })

	dyn := c.Dynamic()
	ns := testcluster.FluxNamespace
	create := func(obj map[string]any) {
		t.Helper()
		u := &unstructured.Unstructured{Object: obj}
		gvr := map[string]struct{ g, v, r string }{
			"Secret":        {"", "v1", "secrets"},
			"GitRepository": {"source.toolkit.fluxcd.io", "v1", "gitrepositories"},
			"Kustomization": {"kustomize.toolkit.fluxcd.io", "v1", "kustomizations"},
		}[u.GetKind()]
		res := dyn.Resource(schemaGVR(gvr.g, gvr.v, gvr.r)).Namespace(ns)
		if _, err := res.Create(ctx, u, metav1.CreateOptions{}); err != nil {
			t.Fatalf("create %s: %v", u.GetKind(), err)
		}
	}
	create(map[string]any{
		"apiVersion": "v1", "kind": "Secret",
		"metadata":   map[string]any{"name": "sops-age", "namespace": ns},
		"stringData": map[string]any{"site-a.agekey": identity.String()},
	})
	create(map[string]any{
		"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
		"metadata": map[string]any{"name": "fleet", "namespace": ns},
		"spec": map[string]any{
			"url": srv.RepoURL("fleet"), "interval": "1m", "timeout": "30s",
			"ref": map[string]any{"branch": "main"},
		},
	})
	create(map[string]any{
		"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
		"metadata": map[string]any{"name": "site-a", "namespace": ns},
		"spec": map[string]any{
			"interval": "1m", "timeout": "1m", "prune": true, "wait": false,
			"path":       "./overlays/site-a",
			"sourceRef":  map[string]any{"kind": "GitRepository", "name": "fleet"},
			"decryption": map[string]any{"provider": "sops", "secretRef": map[string]any{"name": "sops-age"}},
		},
	})

	rev := testcluster.GitRevision("main", commit)
	if _, err := c.WaitReady(ctx, testcluster.GitRepositoryGVR, ns, "fleet", testcluster.GitRepositoryRevision(rev)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitReady(ctx, testcluster.KustomizationGVR, ns, "site-a", testcluster.KustomizationRevision(rev)); err != nil {
		t.Fatal(err)
	}
	secret, err := dyn.Resource(testcluster.SecretGVR).Namespace("site-a").Get(ctx, "hub-oauth", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get the decrypted Secret: %v", err)
	}
	b64, _, _ := unstructured.NestedString(secret.Object, "data", "client_secret")
	got, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(clientSecret, string(got)); diff != "" {
		t.Errorf("decrypted client_secret (-want +got):\n%s", diff)
	}

	// A commit that removes the ConfigMap is pruned.
	gitCmd(t, repo, "rm", "-q", "overlays/site-a/values.yaml")
	writeFiles(t, repo, map[string][]byte{
		"overlays/site-a/kustomization.yaml": []byte("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- namespace.yaml\n- client-secret.sops.yaml\n"),
	})
	gitCmd(t, repo, "commit", "-q", "-am", "drop values")
	rev = testcluster.GitRevision("main", gitCmd(t, repo, "rev-parse", "HEAD"))
	if err := c.RequestReconcile(ctx, testcluster.GitRepositoryGVR, ns, "fleet"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitReady(ctx, testcluster.KustomizationGVR, ns, "site-a", testcluster.KustomizationRevision(rev)); err != nil {
		t.Fatal(err)
	}
	cmGVR := schemaGVR("", "v1", "configmaps")
	if err := c.WaitFor(ctx, "ConfigMap hub-values pruned", func(ctx context.Context) error {
		_, err := dyn.Resource(cmGVR).Namespace("site-a").Get(ctx, "hub-values", metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		return errors.Join(errors.New("still present"), err)
	}); err != nil {
		t.Fatal(err)
	}

	// Stopped components fail a wait at once, by name: first the git
	// server, then a controller.
	for _, stop := range []struct {
		name string
		stop func() error
	}{
		{name: "git server", stop: srv.Close},
		{name: testcluster.KustomizeController, stop: func() error { return c.StopComponent(testcluster.KustomizeController) }},
		{name: testcluster.SourceController, stop: func() error { return c.StopComponent(testcluster.SourceController) }},
	} {
		if err := stop.stop(); err != nil {
			t.Fatal(err)
		}
		wctx, wcancel := context.WithTimeout(ctx, time.Minute)
		err := c.WaitFor(wctx, "a commit that never comes", func(context.Context) error { return errors.New("not yet") })
		wcancel()
		if !slices.Contains(componentNames(err), stop.name) {
			t.Errorf("after stopping %s: WaitFor error = %v, want a ComponentError naming it", stop.name, err)
		}
		if errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("after stopping %s: WaitFor returned only at its deadline: %v", stop.name, err)
		}
	}
}

// componentNames lists the components named by the ComponentErrors in err's
// tree (errors.Join included).
func componentNames(err error) []string {
	if err == nil {
		return nil
	}
	var names []string
	if ce, ok := err.(*testcluster.ComponentError); ok {
		names = append(names, ce.Component)
	}
	switch u := err.(type) {
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			names = append(names, componentNames(e)...)
		}
	case interface{ Unwrap() error }:
		names = append(names, componentNames(u.Unwrap())...)
	}
	return names
}
