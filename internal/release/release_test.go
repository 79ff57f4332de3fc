package release

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	testTag    = "v1.4.2"
	testCommit = "0123456789abcdef0123456789abcdef01234567"
	testEpoch  = 1796573798
)

// copyFixture copies testdata/fixture (a module named like hubfleet, with
// a replaced dependency) to a fresh directory, so two builds run from two
// different paths.
func copyFixture(t *testing.T) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "src")
	err := filepath.Walk(filepath.Join("testdata", "fixture"), func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(filepath.Join("testdata", "fixture"), p)
		if info.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func buildFixture(t *testing.T, targets []Target) (string, *Result) {
	t.Helper()
	src := copyFixture(t)
	out := filepath.Join(t.TempDir(), "dist")
	res, err := Build(context.Background(), Options{
		Tag: testTag, Commit: testCommit, SourceDateEpoch: testEpoch,
		Dir: src, Package: "./cmd/hubfleet", OutDir: out, Targets: targets,
		Repository: "https://github.com/hubfleet/hubfleet",
	})
	if err != nil {
		t.Fatal(err)
	}
	return out, res
}

// TestBuildIsReproducible builds the same tag twice, from two source
// paths, and compares every asset byte for byte; then checks the
// checksums file against the files, the stamped version in the binary,
// the SBOM and the provenance subjects.
func TestBuildIsReproducible(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the fixture four times")
	}
	targets := []Target{HostTarget(), {"darwin", "arm64"}}
	if HostTarget() == (Target{"darwin", "arm64"}) {
		targets[1] = Target{"linux", "amd64"}
	}
	out1, res1 := buildFixture(t, targets)
	out2, res2 := buildFixture(t, targets)
	if diff := cmp.Diff(res1, res2); diff != "" {
		t.Errorf("two builds of the same tag differ (-first +second):\n%s", diff)
	}
	names := []string{res1.Checksums, res1.Provenance}
	for _, a := range res1.Assets {
		names = append(names, a.Name)
	}
	for _, n := range names {
		a, _ := os.ReadFile(filepath.Join(out1, n))
		b, _ := os.ReadFile(filepath.Join(out2, n))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s differs between the two builds (or is empty)", n)
		}
	}
	wantNames := []string{
		"hubfleet_1.4.2_" + targets[1].OS + "_" + targets[1].Arch + ".spdx.json",
		"hubfleet_1.4.2_" + targets[1].OS + "_" + targets[1].Arch + ".tar.gz",
		"hubfleet_1.4.2_" + targets[0].OS + "_" + targets[0].Arch + ".spdx.json",
		"hubfleet_1.4.2_" + targets[0].OS + "_" + targets[0].Arch + ".tar.gz",
	}
	verifyChecksums(t, out1, res1.Checksums, wantNames)

	// The host binary reports the stamped tag and commit.
	bin := extract(t, filepath.Join(out1, ArchiveName(testTag, targets[0])))
	got, err := exec.Command(bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	if want := testTag + " " + testCommit + " hello from the release fixture\n"; string(got) != want {
		t.Errorf("the release binary prints %q, want %q", got, want)
	}

	var sbom spdxDoc
	b, _ := os.ReadFile(filepath.Join(out1, SBOMName(testTag, targets[0])))
	if err := json.Unmarshal(b, &sbom); err != nil {
		t.Fatal(err)
	}
	var pkgs []string
	for _, p := range sbom.Packages {
		pkgs = append(pkgs, p.Name+"@"+p.VersionInfo)
	}
	if sbom.SPDXVersion != "SPDX-2.3" || !strings.Contains(strings.Join(pkgs, " "), "hubfleet@v1.4.2") || !strings.Contains(strings.Join(pkgs, " "), "example.com/dep@v0.1.0") {
		t.Errorf("SBOM %s packages %v", sbom.SPDXVersion, pkgs)
	}
	if sbom.CreationInfo.Created != "2026-12-06T16:16:38Z" {
		t.Errorf("SBOM created %s, want SOURCE_DATE_EPOCH", sbom.CreationInfo.Created)
	}

	var prov statement
	b, _ = os.ReadFile(filepath.Join(out1, res1.Provenance))
	if err := json.Unmarshal(b, &prov); err != nil {
		t.Fatal(err)
	}
	var subjects []Asset
	for _, s := range prov.Subject {
		subjects = append(subjects, Asset{Name: s.Name, SHA256: s.Digest["sha256"]})
	}
	if diff := cmp.Diff(res1.Assets, subjects); diff != "" {
		t.Errorf("provenance subjects are not the checksummed assets (-assets +subjects):\n%s", diff)
	}
	if prov.Predicate.BuildDefinition.ResolvedDependencies[0].Digest["gitCommit"] != testCommit {
		t.Errorf("provenance names commit %v", prov.Predicate.BuildDefinition.ResolvedDependencies)
	}
}

// verifyChecksums checks every line of the checksums file against the
// file it names, as `sha256sum -c` does, and that it lists exactly want.
func verifyChecksums(t *testing.T, dir, checksums string, want []string) {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, checksums))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var listed []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Fatalf("malformed checksums line %q", sc.Text())
		}
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if sha256Hex(b) != sum {
			t.Errorf("%s: checksum mismatch", name)
		}
		listed = append(listed, name)
	}
	if diff := cmp.Diff(want, listed); diff != "" {
		t.Errorf("checksummed files (-want +got):\n%s", diff)
	}
}

func extract(t *testing.T, archive string) string {
	t.Helper()
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	hdr, err := tr.Next()
	if err != nil {
		t.Fatal(err)
	}
	if hdr.Name != "hubfleet" || hdr.Mode != 0o755 || hdr.Uid != 0 || hdr.ModTime.Unix() != testEpoch {
		t.Errorf("archive entry %s mode %o uid %d mtime %s", hdr.Name, hdr.Mode, hdr.Uid, hdr.ModTime)
	}
	out := filepath.Join(t.TempDir(), "hubfleet")
	w, err := os.OpenFile(out, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(w, tr); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if _, err := tr.Next(); err != io.EOF {
		t.Errorf("the archive holds more than the binary: %v", err)
	}
	return out
}

func TestBuildRefusesBadInput(t *testing.T) {
	t.Parallel()
	nonEmpty := t.TempDir()
	os.WriteFile(filepath.Join(nonEmpty, "old"), []byte("x"), 0o644)
	for name, o := range map[string]Options{
		"tag":       {Tag: "1.2", Commit: testCommit, SourceDateEpoch: 1, OutDir: t.TempDir()},
		"commit":    {Tag: testTag, Commit: "HEAD", SourceDateEpoch: 1, OutDir: t.TempDir()},
		"epoch":     {Tag: testTag, Commit: testCommit, OutDir: t.TempDir()},
		"not empty": {Tag: testTag, Commit: testCommit, SourceDateEpoch: 1, OutDir: nonEmpty},
	} {
		if _, err := Build(context.Background(), o); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := ParseTargets("linux"); err == nil {
		t.Error("ParseTargets accepted a target without an architecture")
	}
}
