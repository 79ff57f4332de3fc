package release

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"debug/buildinfo"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"time"
)

// Target is one GOOS/GOARCH pair.
type Target struct {
	OS, Arch string
}

func (t Target) String() string { return t.OS + "/" + t.Arch }

// DefaultTargets are the platforms a release ships.
var DefaultTargets = []Target{{"linux", "amd64"}, {"linux", "arm64"}, {"darwin", "amd64"}, {"darwin", "arm64"}}

// ParseTargets parses "linux/amd64,darwin/arm64".
func ParseTargets(s string) ([]Target, error) {
	var out []Target
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		os, arch, ok := strings.Cut(f, "/")
		if !ok || os == "" || arch == "" {
			return nil, fmt.Errorf("target %q: write GOOS/GOARCH, e.g. linux/amd64", f)
		}
		out = append(out, Target{os, arch})
	}
	if len(out) == 0 {
		return nil, errors.New("no targets")
	}
	return out, nil
}

// Options configures a release build.
type Options struct {
	// Tag is the version the binaries report, a semver tag (v1.2.3) or a
	// snapshot version (v0.0.0-snapshot.<commit>).
	Tag string
	// Commit is the full commit the tag points at.
	Commit string
	// SourceDateEpoch is the time written into archives and the SBOM
	// (the commit time, as SOURCE_DATE_EPOCH).
	SourceDateEpoch int64
	// Dir is the module root; Package the main package in it.
	Dir, Package string
	// OutDir receives the assets; it must be empty or absent.
	OutDir string
	// Targets to build; DefaultTargets when empty.
	Targets []Target
	// Go is the go command ("go" when empty).
	Go string
	// Repository is the source repository URL named in the SBOM and the
	// provenance (https://github.com/hubfleet/hubfleet).
	Repository string
	// BuilderID and InvocationID identify who ran the build in the
	// provenance: the workflow and its run in CI; "local" otherwise.
	BuilderID, InvocationID string
	// Log receives progress lines.
	Log func(format string, args ...any)
}

// Asset is one file of a release.
type Asset struct {
	Name   string
	SHA256 string
}

// Result lists what Build wrote.
type Result struct {
	Version string
	// Assets are the archives and SBOMs, sorted by name; the checksums
	// file covers exactly these.
	Assets     []Asset
	Checksums  string
	Provenance string
}

// Version is the tag without its leading v, as asset names use it.
func Version(tag string) string { return strings.TrimPrefix(tag, "v") }

// ArchiveName is the archive of one target: hubfleet_1.2.3_linux_amd64.tar.gz.
func ArchiveName(tag string, t Target) string {
	return fmt.Sprintf("hubfleet_%s_%s_%s.tar.gz", Version(tag), t.OS, t.Arch)
}

// SBOMName is the SPDX SBOM of one target's binary.
func SBOMName(tag string, t Target) string {
	return fmt.Sprintf("hubfleet_%s_%s_%s.spdx.json", Version(tag), t.OS, t.Arch)
}

// ChecksumsName is the checksums file: hubfleet_1.2.3_checksums.txt.
func ChecksumsName(tag string) string {
	return fmt.Sprintf("hubfleet_%s_checksums.txt", Version(tag))
}

// ProvenanceName is the in-toto provenance statement.
func ProvenanceName(tag string) string {
	return fmt.Sprintf("hubfleet_%s_provenance.intoto.json", Version(tag))
}

var tagPattern = regexp.MustCompile(`^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$`)
var commitPattern = regexp.MustCompile(`^[0-9a-f]{7,64}$`)

// LdflagsPackage is where -X stamps the version and commit.
const LdflagsPackage = "github.com/hubfleet/hubfleet/internal/buildinfo"

// Ldflags returns the linker flags of a release build.
func Ldflags(tag, commit string) string {
	return fmt.Sprintf("-s -w -X %s.version=%s -X %s.commit=%s", LdflagsPackage, tag, LdflagsPackage, commit)
}

// Build builds every target and writes the assets into OutDir.
func Build(ctx context.Context, o Options) (*Result, error) {
	if !tagPattern.MatchString(o.Tag) {
		return nil, fmt.Errorf("tag %q is not a version like v1.2.3", o.Tag)
	}
	if !commitPattern.MatchString(o.Commit) {
		return nil, fmt.Errorf("commit %q is not a hex commit id", o.Commit)
	}
	if o.SourceDateEpoch <= 0 {
		return nil, errors.New("SOURCE_DATE_EPOCH is not set: pass the commit time")
	}
	if o.Go == "" {
		o.Go = "go"
	}
	if o.Package == "" {
		o.Package = "./cmd/hubfleet"
	}
	if len(o.Targets) == 0 {
		o.Targets = DefaultTargets
	}
	if o.BuilderID == "" {
		o.BuilderID = "local"
	}
	if o.Log == nil {
		o.Log = func(string, ...any) {}
	}
	if entries, err := os.ReadDir(o.OutDir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("output directory %s is not empty", o.OutDir)
	}
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return nil, err
	}
	goVersion, err := output(ctx, o.Dir, nil, o.Go, "env", "GOVERSION")
	if err != nil {
		return nil, fmt.Errorf("go env GOVERSION: %w", err)
	}
	mtime := time.Unix(o.SourceDateEpoch, 0).UTC()
	res := &Result{Version: Version(o.Tag)}
	tmp, err := os.MkdirTemp("", "hubfleet-release-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	for _, t := range o.Targets {
		start := time.Now()
		bin := filepath.Join(tmp, t.OS+"_"+t.Arch, "hubfleet")
		if err := buildTarget(ctx, o, t, bin); err != nil {
			return nil, err
		}
		data, err := os.ReadFile(bin)
		if err != nil {
			return nil, err
		}
		archive, err := tarGz("hubfleet", data, mtime)
		if err != nil {
			return nil, err
		}
		name := ArchiveName(o.Tag, t)
		if err := os.WriteFile(filepath.Join(o.OutDir, name), archive, 0o644); err != nil {
			return nil, err
		}
		res.Assets = append(res.Assets, Asset{Name: name, SHA256: sha256Hex(archive)})

		bi, err := buildinfo.ReadFile(bin)
		if err != nil {
			return nil, fmt.Errorf("read build information of %s: %w", t, err)
		}
		sbom, err := SBOM(bi, SBOMOptions{Tag: o.Tag, Target: t, BinarySHA256: sha256Hex(data), Repository: o.Repository, Created: mtime})
		if err != nil {
			return nil, err
		}
		sname := SBOMName(o.Tag, t)
		if err := os.WriteFile(filepath.Join(o.OutDir, sname), sbom, 0o644); err != nil {
			return nil, err
		}
		res.Assets = append(res.Assets, Asset{Name: sname, SHA256: sha256Hex(sbom)})
		o.Log("built %s: %s (%.1f MB binary) in %s", t, name, float64(len(data))/1e6, time.Since(start).Round(100*time.Millisecond))
	}
	sort.Slice(res.Assets, func(i, j int) bool { return res.Assets[i].Name < res.Assets[j].Name })

	var sums bytes.Buffer
	for _, a := range res.Assets {
		fmt.Fprintf(&sums, "%s  %s\n", a.SHA256, a.Name)
	}
	res.Checksums = ChecksumsName(o.Tag)
	if err := os.WriteFile(filepath.Join(o.OutDir, res.Checksums), sums.Bytes(), 0o644); err != nil {
		return nil, err
	}

	prov, err := Provenance(ProvenanceOptions{
		Tag: o.Tag, Commit: o.Commit, Repository: o.Repository, BuilderID: o.BuilderID, InvocationID: o.InvocationID,
		GoVersion: goVersion, Targets: o.Targets, Subjects: res.Assets, Package: o.Package,
		Ldflags: Ldflags(o.Tag, o.Commit), SourceDateEpoch: o.SourceDateEpoch,
	})
	if err != nil {
		return nil, err
	}
	res.Provenance = ProvenanceName(o.Tag)
	if err := os.WriteFile(filepath.Join(o.OutDir, res.Provenance), prov, 0o644); err != nil {
		return nil, err
	}
	return res, nil
}

func buildTarget(ctx context.Context, o Options, t Target, out string) error {
	env := append(cleanEnv(os.Environ()),
		"CGO_ENABLED=0", "GOOS="+t.OS, "GOARCH="+t.Arch,
		// Fixed microarchitecture levels: the defaults, whatever the
		// builder's environment says.
		"GOAMD64=v1", "GOARM64=v8.0",
		"GOFLAGS=-mod=readonly",
		"SOURCE_DATE_EPOCH="+fmt.Sprint(o.SourceDateEpoch),
	)
	args := []string{"build", "-trimpath", "-buildvcs=false", "-ldflags=" + Ldflags(o.Tag, o.Commit), "-o", out, o.Package}
	cmd := exec.CommandContext(ctx, o.Go, args...)
	cmd.Dir, cmd.Env = o.Dir, env
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build for %s: %w\n%s", t, err, stderr.String())
	}
	return nil
}

// cleanEnv drops the variables that would make a build depend on the
// builder rather than on the source.
func cleanEnv(env []string) []string {
	drop := map[string]bool{"GOFLAGS": true, "CGO_ENABLED": true, "GOOS": true, "GOARCH": true, "GOAMD64": true, "GOARM64": true,
		"GOARM": true, "GO386": true, "GOEXPERIMENT": true, "CGO_CFLAGS": true, "CGO_LDFLAGS": true, "GOWORK": true}
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if !drop[k] {
			out = append(out, kv)
		}
	}
	return append(out, "GOWORK=off")
}

func output(ctx context.Context, dir string, env []string, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	if env != nil {
		cmd.Env = env
	}
	out, err := cmd.Output()
	return strings.TrimSpace(string(out)), err
}

// tarGz packs one executable into a gzip'd tar whose bytes depend only on
// the name, the content and mtime.
func tarGz(name string, data []byte, mtime time.Time) ([]byte, error) {
	var buf bytes.Buffer
	gz, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	gz.ModTime = mtime
	tw := tar.NewWriter(gz)
	hdr := &tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o755, Size: int64(len(data)), ModTime: mtime, Format: tar.FormatUSTAR}
	if err := tw.WriteHeader(hdr); err != nil {
		return nil, err
	}
	if _, err := tw.Write(data); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// HostTarget is the platform the tool runs on.
func HostTarget() Target { return Target{runtime.GOOS, runtime.GOARCH} }
