package main

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/hubfleet/hubfleet/internal/fleettest"
)

// fleetCopy copies the repository's example fleet into a temp dir.
func fleetCopy(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	fleettest.CopyExample(t, dst)
	return dst
}

type result struct {
	code           int
	stdout, stderr string
}

func hubfleet(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

func TestRenderCheckExitCodes(t *testing.T) {
	t.Parallel()
	root := fleetCopy(t)
	if r := hubfleet(t, "", "render", "--check", "--root", root); r.code != exitOK {
		t.Fatalf("render --check on the committed fleet: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	site := filepath.Join(root, "clusters/egi-dev/site.yaml")
	b, _ := os.ReadFile(site)
	if err := os.WriteFile(site, bytes.Replace(b, []byte("max: 32"), []byte("max: 64"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	r := hubfleet(t, "", "render", "--check", "--root", root)
	if r.code != exitProblems {
		t.Fatalf("stale overlay: exit %d, want 1\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "--- a/overlays/egi-dev/helmrelease-daskhub.yaml") || !strings.Contains(r.stdout, "+") || !strings.Contains(r.stdout, "max=64") {
		t.Errorf("render --check did not print a unified diff of the stale file:\n%s", r.stdout)
	}
	before := snapshot(t, root)
	if r := hubfleet(t, "", "render", "--check", "--root", root); r.code != exitProblems {
		t.Fatal("render --check must not write")
	}
	if after := snapshot(t, root); after != before {
		t.Fatal("render --check changed files")
	}
	if r := hubfleet(t, "", "render", "--root", root); r.code != exitOK || !strings.Contains(r.stdout, "updated overlays/egi-dev/helmrelease-daskhub.yaml") {
		t.Fatalf("render: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := hubfleet(t, "", "render", "--check", "--root", root); r.code != exitOK {
		t.Fatalf("render --check after render: exit %d\n%s", r.code, r.stdout)
	}
}

func snapshot(t *testing.T, root string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		b.WriteString(p + "\n" + string(data))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestInvalidSiteExitsOneWithEveryProblem(t *testing.T) {
	t.Parallel()
	root := fleetCopy(t)
	p := filepath.Join(root, "clusters/egi-pangeo/site.yaml")
	b, _ := os.ReadFile(p)
	b = bytes.Replace(b, []byte("limit: 4G"), []byte(`limit: "4 G"`), 1)
	b = bytes.Replace(b, []byte("pangeo/pangeo-notebook:2024.11.11"), []byte("pangeo/pangeo-notebook"), 1)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"validate", "render"} {
		r := hubfleet(t, "", cmd, "--root", root)
		if r.code != exitProblems {
			t.Fatalf("%s: exit %d, want 1", cmd, r.code)
		}
		for _, want := range []string{"clusters/egi-pangeo/site.yaml:", "spec.singleuser.memory.limit", "spec.singleuser.image", "2 problem(s) found", "fix:"} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("%s output lacks %q:\n%s", cmd, want, r.stderr)
			}
		}
	}
}

func TestErrorsExitTwo(t *testing.T) {
	t.Parallel()
	if r := hubfleet(t, "", "render", "--root", t.TempDir()); r.code != exitError || !strings.Contains(r.stderr, "bases/daskhub/fleet.yaml not found") {
		t.Errorf("render outside a fleet: exit %d: %s", r.code, r.stderr)
	}
	if r := hubfleet(t, "", "frobnicate"); r.code != exitError {
		t.Errorf("unknown command: exit %d", r.code)
	}
	if r := hubfleet(t, "", "render", "--site", "nope", "--root", fleetCopy(t)); r.code != exitError || !strings.Contains(r.stderr, `no site named "nope"`) {
		t.Errorf("unknown site: exit %d: %s", r.code, r.stderr)
	}
}

func TestHelpExplainsEveryCommand(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"--help"}, {"render", "--help"}, {"validate", "--help"}, {"secret", "set", "--help"}, {"import", "--help"}} {
		r := hubfleet(t, "", args...)
		if r.code != exitOK || !strings.Contains(r.stdout, "Usage:") || len(r.stdout) < 300 {
			t.Errorf("hubfleet %v: exit %d, help too thin:\n%s", args, r.code, r.stdout)
		}
	}
}

func TestSecretSetEncryptsAndRenders(t *testing.T) {
	t.Parallel()
	root := fleetCopy(t)
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(root, "clusters/egi-pangeo/site.yaml")
	b, _ := os.ReadFile(p)
	b = bytes.Replace(b, []byte("age18gfdmg5g8kg2a3g2w6applf38u0xshm3dk306g8l4zz3ll9klfgsglxjlp"), []byte(id.Recipient().String()), 1)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	const value = "the-real-client-secret-4242"
	r := hubfleet(t, value+"\n", "secret", "set", "--site", "egi-pangeo", "--root", root)
	if r.code != exitOK {
		t.Fatalf("secret set: exit %d\n%s", r.code, r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, value) || strings.Contains(snapshot(t, root), value) {
		t.Fatal("the secret value appears in plain text in the output or the tree")
	}
	enc, err := os.ReadFile(filepath.Join(root, "overlays/egi-pangeo/oauth-client-secret.sops.yaml"))
	if err != nil || !bytes.Contains(enc, []byte(id.Recipient().String())) {
		t.Fatalf("encrypted file missing or not for the site's recipient: %v", err)
	}
	if r := hubfleet(t, "", "render", "--check", "--root", root); r.code != exitOK {
		t.Errorf("render --check after secret set: exit %d\n%s", r.code, r.stdout)
	}
	if r := hubfleet(t, "", "secret", "set", "--site", "egi-dev", "--root", root); r.code != exitError || !strings.Contains(r.stderr, "native auth") {
		t.Errorf("secret set on a native site: exit %d: %s", r.code, r.stderr)
	}
}

func TestImportWritesAValidSite(t *testing.T) {
	t.Parallel()
	root := fleetCopy(t)
	seed := filepath.Join("..", "..", "internal/importer/testdata/seeds/seed000-checkin.yaml")
	// A site whose client secret is kept in SOPS needs its cluster's age key.
	r := hubfleet(t, "", "import", seed, "--site", "egi-new", "--host", "pangeo-new.vm.fedcloud.eu", "--write", "--root", root,
		"--age-recipient", "age19yjrrnrlvaylhkrxyewmespaj9mnzlk9ukux8zn9hlkwasjsmu9sje8d6l", "--chart-cache", t.TempDir())
	if r.code != exitOK {
		t.Fatalf("import: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "dropped") || !strings.Contains(r.stderr, "migrated") {
		t.Errorf("import printed no report:\n%s", r.stderr)
	}
	if r := hubfleet(t, "", "import", seed, "--site", "egi-new", "--write", "--root", root); r.code != exitError || !strings.Contains(r.stderr, "already exists") {
		t.Errorf("second import must refuse to overwrite: exit %d %s", r.code, r.stderr)
	}
	// The new site needs its client secret before it renders: a
	// problem the user fixes (exit 1), which validate reports too.
	r = hubfleet(t, "", "render", "--root", root)
	if r.code != exitProblems || !strings.Contains(r.stderr, "hubfleet secret set --site egi-new") {
		t.Errorf("render of a site without its secret: exit %d: %s", r.code, r.stderr)
	}
}
