package secretscan

import (
	"archive/tar"
	"compress/gzip"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
	"gopkg.in/yaml.v3"
)

// lookalikes are non-secret values that resemble secrets: image digests,
// UUIDs, public age recipients, commit ids as image tags, long host names
// and URLs.
func lookalikes(t *testing.T, n int) map[string]any {
	t.Helper()
	out := map[string]any{}
	for i := range n {
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			t.Fatal(err)
		}
		uuid := fmt.Sprintf("%x-%x-4%x-a%x-%x", b[0:4], b[4:6], b[6:8][1:], b[8:10][1:], b[10:16])
		sum := sha256.Sum256(b)
		id, err := age.GenerateX25519Identity()
		if err != nil {
			t.Fatal(err)
		}
		out[fmt.Sprintf("v%d", i)] = map[string]any{
			"tenantID":  uuid,
			"image":     "quay.io/pangeo/pangeo-notebook@sha256:" + hex.EncodeToString(sum[:]),
			"tag":       "quay.io/pangeo/ml-notebook:" + hex.EncodeToString(sum[:20]),
			"digest":    hex.EncodeToString(sum[:]),
			"recipient": id.Recipient().String(),
			"host":      fmt.Sprintf("hub-%s-production.%s.cloudapp.azure.com", hex.EncodeToString(b[:3]), []string{"westeurope", "eastus2", "australiaeast"}[i%3]),
			"url":       fmt.Sprintf("https://login.microsoftonline.com/%s/v2.0", uuid),
			"group":     fmt.Sprintf("urn:mace:egi.eu:group:vo.%s.eu:role=member#aai.egi.eu", hex.EncodeToString(b[:4])),
		}
	}
	return out
}

// chartValues are the values.yaml files of the real charts, every string
// in them a look-alike (Python config, templates, URLs, descriptions).
func chartValues(t *testing.T) []any {
	dir := filepath.Join("..", "..", "..", "shared", "charts")
	files, _ := filepath.Glob(filepath.Join(dir, "*.tgz"))
	var out []any
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(fh)
		if err != nil {
			t.Fatal(err)
		}
		tr := tar.NewReader(zr)
		for {
			h, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasSuffix(h.Name, "/values.yaml") {
				continue
			}
			b, _ := io.ReadAll(tr)
			var v any
			if err := yaml.Unmarshal(b, &v); err == nil {
				out = append(out, v)
			}
		}
		fh.Close()
	}
	return out
}

func countStrings(v any) int {
	switch x := v.(type) {
	case string:
		return 1
	case map[string]any:
		n := 0
		for _, e := range x {
			n += countStrings(e)
		}
		return n
	case []any:
		n := 0
		for _, e := range x {
			n += countStrings(e)
		}
		return n
	}
	return 0
}

// TestFalsePositiveRate measures the guard on generated look-alikes and on
// every value of the real charts' values.yaml files (when ../shared/charts
// is there). It fails above 1% and logs the rate the README reports.
func TestFalsePositiveRate(t *testing.T) {
	t.Parallel()
	tree := lookalikes(t, 500)
	var findings []Finding
	findings = append(findings, Tree("", tree, Options{})...)
	total := countStrings(tree)
	gen := len(findings)
	for i, v := range chartValues(t) {
		f := Tree(fmt.Sprintf("chart%d", i), v, Options{})
		for _, x := range f {
			t.Logf("chart value flagged: %s", x)
		}
		findings = append(findings, f...)
		total += countStrings(v)
	}
	rate := float64(len(findings)) / float64(total)
	t.Logf("false positives: %d of %d values (%.3f%%); %d among the generated look-alikes", len(findings), total, 100*rate, gen)
	if gen > 0 {
		for _, f := range findings[:min(gen, 5)] {
			t.Logf("look-alike flagged: %s", f)
		}
	}
	if rate > 0.01 {
		t.Errorf("false-positive rate %.3f%% is above 1%%", 100*rate)
	}
}
