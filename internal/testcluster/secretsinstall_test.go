package testcluster_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/google/go-cmp/cmp"
	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/release"
	"helm.sh/helm/v3/pkg/strvals"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/hubfleet/hubfleet/internal/chart/chartrepotest"
	"github.com/hubfleet/hubfleet/internal/fleettest"
	"github.com/hubfleet/hubfleet/internal/secrets"
	"github.com/hubfleet/hubfleet/internal/testcluster"
)

// The site and the values the operator stores with `secret set --key`.
const (
	secretsSite   = "pangeo-azure"
	dbPasswordKey = "hub-db-password"
	// A comma and braces: Helm's --set parser would cut the value at
	// the comma, so it reaches the chart whole only as a literal.
	dbPasswordVal  = "Db-pw,7Hq2{xW9}=kLm4Rt8Zp"
	s3KeyKey       = "s3-secret-access-key"
	s3KeyVal       = "s3-k3y-Vn5bQ8wE1rT6yU0iO3pA"
	s3EnvName      = "AWS_SECRET_ACCESS_KEY"
	secretsHubDBTo = "jupyterhub.hub.db.password"
)

// TestSecretValuesReachChart takes the composed example site pangeo-azure
// through `hubfleet secret set --key` for an external hub database password
// (a chart value, spec.secrets.values targetPath jupyterhub.hub.db.password)
// and users' S3 secret key (an environment variable of the single-user
// servers), runs `render`, decrypts the SOPS file with the test age key and
// checks the HelmRelease wiring. It then does what Flux would: applies the
// decrypted Secret (kustomize-controller's SOPS step), composes the release
// values from spec.values and spec.valuesFrom as helm-controller v1.6.2 does
// (fluxcd/pkg/chartutil ChartValuesFromReferences, ported below), and
// installs the REAL jupyterhub chart the HelmRelease pins with the Helm SDK.
// The password must then be in the chart's hub Secret (key hub.db.password,
// which jupyterhub_config.py turns into PGPASSWORD), the S3 key only in
// hubfleet-secrets, referenced from singleuser.extraEnv, and neither value
// anywhere in the git history, the working tree or the CLI's output.
//
// The env path reaches users' pods (read in the upstream sources, not run
// here, since no hub process runs in the harness): z2jh 4.4.0's
// jupyterhub_config.py sets c.KubeSpawner.environment from
// singleuser.extraEnv (the ("environment", "extraEnv") pair of its
// KubeSpawner trait loop), and KubeSpawner's make_pod turns a dict value into
// a V1EnvVar (get_k8s_model(V1EnvVar, v), the name filled from the key), so
// {valueFrom: {secretKeyRef}} becomes the pod's env entry and the value is
// read by the kubelet from the Secret, never through the hub.
func TestSecretValuesReachChart(t *testing.T) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	// The CLI (a child process) and secrets.Decrypt both read the key here.
	t.Setenv("SOPS_AGE_KEY", id.String())

	root := t.TempDir()
	repo := filepath.Join(root, "fleet")
	gitCmd(t, root, "init", "-q", "-b", "main", repo)
	fleettest.CopyExample(t, repo)
	siteFile := filepath.Join(repo, "clusters", secretsSite, "site.yaml")
	editFile(t, siteFile, []edit{{`(?m)^(\s+ageRecipient:) .*$`, "${1} " + id.Recipient().String() + `
    values:
      ` + dbPasswordKey + `: {targetPath: ` + secretsHubDBTo + `}
      ` + s3KeyKey + `: {env: {component: singleuser, name: ` + s3EnvName + `}}`}})
	// An external PostgreSQL: the password alone would be ignored by the
	// chart's config for the default sqlite-pvc database.
	siteValues(t, repo, secretsSite, map[string]any{"jupyterhub": map[string]any{"hub": map[string]any{"db": map[string]any{
		"type": "postgres", "url": "postgresql://jupyterhub@db.pangeo.example.org:5432/jupyterhub",
	}}}})

	var printed strings.Builder
	// The example's client secret is encrypted for keys this test does not
	// hold: store a fresh one for the test key.
	// Each `secret set` re-renders the site, which fails (exit 2) until
	// every declared key is stored; the file is written before that.
	for _, set := range []struct {
		stdin, file string
		args        []string
	}{
		{dbPasswordVal + "\n", "hubfleet-secrets.sops.yaml", []string{"--key", dbPasswordKey}},
		{s3KeyVal, "hubfleet-secrets.sops.yaml", []string{"--key", s3KeyKey}},
		{clientSecretVal, "oauth-client-secret.sops.yaml", nil},
	} {
		out, _ := runCLIStdin(t, repo, set.stdin, append([]string{"secret", "set", "--site", secretsSite}, set.args...)...)
		printed.WriteString(out)
		if !strings.Contains(out, "wrote overlays/"+secretsSite+"/"+set.file) {
			t.Fatalf("hubfleet secret set %v wrote nothing:\n%s", set.args, out)
		}
	}
	printed.WriteString(runCLI(t, repo, "", "render"))
	printed.WriteString(runCLI(t, repo, "", "validate"))
	printed.WriteString(runCLI(t, repo, "", "check-secrets"))
	gitCmd(t, repo, "add", "-A")
	gitCmd(t, repo, "commit", "-q", "-m", "pangeo-azure: external hub database and users' S3 credentials")

	overlay := filepath.Join(repo, "overlays", secretsSite)
	enc, err := os.ReadFile(filepath.Join(overlay, "hubfleet-secrets.sops.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	stored, err := secrets.Decrypt(enc)
	if err != nil {
		t.Fatalf("decrypting hubfleet-secrets.sops.yaml with the test age key: %v", err)
	}
	if diff := cmp.Diff(map[string]string{dbPasswordKey: dbPasswordVal, s3KeyKey: s3KeyVal}, stored); diff != "" {
		t.Errorf("decrypted hubfleet-secrets (-want +got):\n%s", diff)
	}
	kust := string(mustRead(t, filepath.Join(overlay, "kustomization.yaml")))
	if !strings.Contains(kust, "hubfleet-secrets.sops.yaml") {
		t.Errorf("overlays/%s/kustomization.yaml does not include hubfleet-secrets.sops.yaml:\n%s", secretsSite, kust)
	}

	// Composed mode: the daskhub-layout targetPath lands on the jupyterhub
	// release without its "jupyterhub." prefix.
	hr := readObject(t, filepath.Join(overlay, "helmrelease-jupyterhub.yaml"))
	refs, _, _ := unstructured.NestedSlice(hr.Object, "spec", "valuesFrom")
	wantRef := map[string]any{"kind": "Secret", "name": "hubfleet-secrets", "valuesKey": dbPasswordKey, "targetPath": "hub.db.password", "literal": true}
	found := false
	for _, r := range refs {
		if cmp.Equal(r, wantRef) {
			found = true
		}
	}
	if !found {
		t.Errorf("helmrelease-jupyterhub valuesFrom has no %v:\n%v", wantRef, refs)
	}
	env, _, _ := unstructured.NestedMap(hr.Object, "spec", "values", "singleuser", "extraEnv", s3EnvName)
	wantEnv := map[string]any{"valueFrom": map[string]any{"secretKeyRef": map[string]any{"name": "hubfleet-secrets", "key": s3KeyKey}}}
	if diff := cmp.Diff(wantEnv, env); diff != "" {
		t.Errorf("spec.values.singleuser.extraEnv.%s (-want +got):\n%s", s3EnvName, diff)
	}
	gw := string(mustRead(t, filepath.Join(overlay, "helmrelease-dask-gateway.yaml")))
	if strings.Contains(gw, dbPasswordKey) || strings.Contains(gw, s3KeyKey) {
		t.Errorf("the dask-gateway release references a jupyterhub secret:\n%s", gw)
	}

	// Never in git: every object of the repository (all history,
	// uncompressed), the working tree, and what the CLI printed.
	objects := gitAllObjects(t, repo)
	tree := snapshot(t, repo)
	for name, v := range map[string]string{dbPasswordKey: dbPasswordVal, s3KeyKey: s3KeyVal, "client secret": clientSecretVal} {
		if bytes.Contains(objects, []byte(v)) {
			t.Errorf("the value of %s is in the git object database", name)
		}
		for f, text := range tree {
			if strings.Contains(text, v) {
				t.Errorf("the value of %s is in plain text in %s", name, f)
			}
		}
		if strings.Contains(printed.String(), v) {
			t.Errorf("the CLI printed the value of %s", name)
		}
	}

	// The cluster side, as Flux would do it.
	c := testcluster.Start(t, testcluster.DefaultOptions())
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	ns := hr.GetNamespace()
	if err := c.CreateNamespace(ctx, ns); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"hubfleet-secrets.sops.yaml", "oauth-client-secret.sops.yaml"} {
		applyDecryptedSecret(ctx, t, c, filepath.Join(overlay, f))
	}
	vals, err := helmControllerValues(ctx, c, hr)
	if err != nil {
		t.Fatalf("composing values as helm-controller does: %v", err)
	}
	if got, _, _ := unstructured.NestedString(vals, "hub", "db", "password"); got != dbPasswordVal {
		t.Fatalf("composed hub.db.password is %q, want the stored value", got)
	}

	name, _, _ := unstructured.NestedString(hr.Object, "spec", "chart", "spec", "chart")
	version, _, _ := unstructured.NestedString(hr.Object, "spec", "chart", "spec", "version")
	ch, err := chartrepotest.LoadReal(name + "-" + version + ".tgz")
	if err != nil {
		t.Fatalf("the real chart the HelmRelease pins: %v", err)
	}
	cfg := helmConfig(t, c, ns)
	inst := action.NewInstall(cfg)
	inst.Namespace, inst.ReleaseName = ns, releaseName(hr)
	inst.Timeout = 3 * time.Minute
	inst.DisableHooks, _, _ = unstructured.NestedBool(hr.Object, "spec", "install", "disableHooks")
	// No kubelet runs: nothing would become ready.
	inst.Wait = false
	rel, err := inst.RunWithContext(ctx, ch, vals)
	if err != nil {
		t.Fatalf("helm install of the real %s %s with the composed values: %v", name, version, err)
	}
	defer func() {
		if _, err := action.NewUninstall(cfg).Run(rel.Name); err != nil {
			t.Errorf("uninstall: %v", err)
		}
	}()
	if rel.Info.Status != release.StatusDeployed {
		t.Fatalf("release %s is %s, want deployed", rel.Name, rel.Info.Status)
	}

	hub := getSecretData(ctx, t, c, ns, "hub")
	if got := hub["hub.db.password"]; got != dbPasswordVal {
		t.Errorf("the chart's hub Secret has hub.db.password %q, want the stored password", got)
	}
	var hubValues map[string]any
	if err := yaml.Unmarshal([]byte(hub["values.yaml"]), &hubValues); err != nil {
		t.Fatalf("the hub Secret's values.yaml: %v", err)
	}
	gotEnv, _, _ := unstructured.NestedMap(hubValues, "singleuser", "extraEnv", s3EnvName)
	if diff := cmp.Diff(wantEnv, gotEnv); diff != "" {
		t.Errorf("singleuser.extraEnv.%s in the hub's values.yaml, which jupyterhub_config.py gives KubeSpawner.environment (-want +got):\n%s", s3EnvName, diff)
	}
	if got, _, _ := unstructured.NestedString(hubValues, "hub", "db", "url"); !strings.HasPrefix(got, "postgresql://") {
		t.Errorf("hub.db.url in the hub's values.yaml is %q", got)
	}
	if got := getSecretData(ctx, t, c, ns, "hubfleet-secrets")[s3KeyKey]; got != s3KeyVal {
		t.Errorf("hubfleet-secrets/%s in the cluster is %q, want the stored key", s3KeyKey, got)
	}
	// The S3 key is only in hubfleet-secrets: not in any object of the
	// release, nor in Helm's release record.
	if strings.Contains(rel.Manifest, s3KeyVal) {
		t.Error("the S3 key is in the release manifest")
	}
	list, err := c.Dynamic().Resource(testcluster.SecretGVR).Namespace(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range list.Items {
		if s.GetName() == "hubfleet-secrets" {
			continue
		}
		data, _, _ := unstructured.NestedStringMap(s.Object, "data")
		for k, v := range data {
			raw, _ := base64.StdEncoding.DecodeString(v)
			if bytes.Contains(raw, []byte(s3KeyVal)) || strings.Contains(helmReleaseText(raw), s3KeyVal) {
				t.Errorf("Secret %s key %s holds the S3 key", s.GetName(), k)
			}
		}
	}
}

// mustRead reads a file or fails the test.
func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// gitAllObjects is the content of every object in repo's object database,
// uncompressed.
func gitAllObjects(t *testing.T, repo string) []byte {
	t.Helper()
	cmd := exec.Command("git", "cat-file", "--batch-all-objects", "--batch")
	cmd.Dir = repo
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git cat-file: %v", err)
	}
	if len(out) == 0 {
		t.Fatal("git cat-file printed no objects: the history check would prove nothing")
	}
	return out
}

// applyDecryptedSecret decrypts a SOPS-encrypted Secret of the overlay with
// the test key and creates it, as kustomize-controller's decryption does.
func applyDecryptedSecret(ctx context.Context, t *testing.T, c *testcluster.Cluster, path string) {
	t.Helper()
	enc := mustRead(t, path)
	data, err := secrets.Decrypt(enc)
	if err != nil {
		t.Fatalf("decrypt %s: %v", filepath.Base(path), err)
	}
	var meta struct {
		Metadata struct{ Name, Namespace string } `json:"metadata"`
	}
	if err := yaml.Unmarshal(enc, &meta); err != nil {
		t.Fatal(err)
	}
	sd := map[string]any{}
	for k, v := range data {
		sd[k] = v
	}
	obj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Secret",
		"metadata":   map[string]any{"name": meta.Metadata.Name, "namespace": meta.Metadata.Namespace},
		"stringData": sd,
	}}
	if _, err := c.Dynamic().Resource(testcluster.SecretGVR).Namespace(meta.Metadata.Namespace).Create(ctx, obj, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create Secret %s: %v", meta.Metadata.Name, err)
	}
}

// getSecretData reads a Secret's data, decoded.
func getSecretData(ctx context.Context, t *testing.T, c *testcluster.Cluster, ns, name string) map[string]string {
	t.Helper()
	s, err := c.Dynamic().Resource(testcluster.SecretGVR).Namespace(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("Secret %s/%s: %v", ns, name, err)
	}
	data, _, _ := unstructured.NestedStringMap(s.Object, "data")
	out := map[string]string{}
	for k, v := range data {
		raw, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			t.Fatalf("Secret %s key %s: %v", name, k, err)
		}
		out[k] = string(raw)
	}
	return out
}

// helmReleaseText decodes Helm's release record (base64 of gzip of JSON, in
// the Secret's release key) when raw is one; otherwise it returns "".
func helmReleaseText(raw []byte) string {
	b, err := base64.StdEncoding.DecodeString(string(raw))
	if err != nil || len(b) < 3 || b[0] != 0x1f || b[1] != 0x8b {
		return ""
	}
	return gunzip(b)
}

// helmControllerValues composes hr's values as helm-controller v1.6.2 does
// (fluxcd/pkg/chartutil v1.27.1 ChartValuesFromReferences and MergeMaps):
// for each valuesFrom reference in order, read the key of the Secret from
// the API server; with a targetPath, merge spec.values into the result and
// set the path with Helm's --set parser (strvals.ParseInto, or
// ParseIntoString for a quoted value); without one, merge the YAML document.
// spec.values is merged last, on top.
func helmControllerValues(ctx context.Context, c *testcluster.Cluster, hr *unstructured.Unstructured) (map[string]any, error) {
	values, _, _ := unstructured.NestedMap(hr.Object, "spec", "values")
	refs, _, _ := unstructured.NestedSlice(hr.Object, "spec", "valuesFrom")
	result := map[string]any{}
	for _, r := range refs {
		ref, _ := r.(map[string]any)
		kind, _ := ref["kind"].(string)
		name, _ := ref["name"].(string)
		key, _ := ref["valuesKey"].(string)
		target, _ := ref["targetPath"].(string)
		if key == "" {
			key = "values.yaml"
		}
		if kind != "Secret" {
			return nil, fmt.Errorf("valuesFrom kind %s: only Secrets are rendered by hubfleet", kind)
		}
		s, err := c.Dynamic().Resource(testcluster.SecretGVR).Namespace(hr.GetNamespace()).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return nil, fmt.Errorf("valuesFrom Secret %s: %w", name, err)
		}
		enc, ok, _ := unstructured.NestedString(s.Object, "data", key)
		if !ok {
			return nil, fmt.Errorf("valuesFrom Secret %s has no key %s", name, key)
		}
		data, err := base64.StdEncoding.DecodeString(enc)
		if err != nil {
			return nil, err
		}
		if target != "" {
			result = mergeMapsHC(result, values)
			v := string(data)
			quoted := (strings.HasPrefix(v, "'") && strings.HasSuffix(v, "'")) || (strings.HasPrefix(v, `"`) && strings.HasSuffix(v, `"`))
			if literal, _ := ref["literal"].(bool); literal {
				// ReplacePathLiteralValue: the value verbatim, \. in the path.
				esc := strings.NewReplacer(`\`, `\\`, `,`, `\,`, `[`, `\[`, `]`, `\]`, `{`, `\{`, `}`, `\}`)
				err = strvals.ParseIntoString(target+"="+esc.Replace(v), result)
			} else if quoted {
				err = strvals.ParseIntoString(target+"="+strings.Trim(v, `'"`), result)
			} else {
				err = strvals.ParseInto(target+"="+v, result)
			}
			if err != nil {
				return nil, fmt.Errorf("valuesFrom Secret %s key %s at %s: %w", name, key, target, err)
			}
			continue
		}
		doc := map[string]any{}
		if err := yaml.Unmarshal(data, &doc); err != nil {
			return nil, err
		}
		result = mergeMapsHC(result, doc)
	}
	return mergeMapsHC(result, values), nil
}

// mergeMapsHC is fluxcd/pkg/chartutil's MergeMaps: b over a, maps merged
// recursively, into a new map.
func mergeMapsHC(a, b map[string]any) map[string]any {
	out := make(map[string]any, len(a))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if v, ok := v.(map[string]any); ok {
			if bv, ok := out[k].(map[string]any); ok {
				out[k] = mergeMapsHC(bv, v)
				continue
			}
		}
		out[k] = v
	}
	return out
}

// gunzip decompresses b; an error yields "".
func gunzip(b []byte) string {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return ""
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		return ""
	}
	return string(out)
}

// runCLIStdin runs the hubfleet CLI on the fleet at root with stdin and
// returns its output and exit code, whatever the code.
func runCLIStdin(t *testing.T, root, stdin string, args ...string) (string, int) {
	t.Helper()
	return runCLIEnv(t, root, stdin, nil, args...)
}

// runCLIEnv is runCLIStdin with env added to the test's environment (a
// parallel test cannot use t.Setenv).
func runCLIEnv(t *testing.T, root, stdin string, env []string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(fleettest.CLI(t), append([]string{"--root", root}, args...)...)
	cmd.Dir = root
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	cmd.Stdin = strings.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("hubfleet %s: %v", strings.Join(args, " "), err)
	}
	return out.String(), cmd.ProcessState.ExitCode()
}
