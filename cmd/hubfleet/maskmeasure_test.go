package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubfleet/hubfleet/internal/chart/chartrepotest"
	"github.com/hubfleet/hubfleet/internal/gittest"
)

// TestPlanMasksNoPublicValue plans the removal of every site of the
// example fleet, with the real charts: every overlay file (the SOPS
// secrets included) and every chart object is in the diff. The only
// values masked are the SOPS payloads (the encrypted values, the data
// keys and the MACs); everything else, the booleans and the names of
// Secrets among it, is shown. The count is the measure of over-redaction.
func TestPlanMasksNoPublicValue(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	srv := chartrepotest.StartReal(t)
	root := planFleet(t, srv.URL)
	gittest.Run(t, root, "rm", "-q", "-r", "clusters")
	if err := os.RemoveAll(filepath.Join(root, "overlays")); err != nil {
		t.Fatal(err)
	}
	r := hubfleet(t, "", "plan", "--root", root, "-o", "json", "--confirm-removal", strings.Join(exampleSites, ","))
	if r.code != exitOK {
		t.Fatalf("plan: exit %d\n%s", r.code, r.stderr)
	}
	var doc struct {
		Sites []struct {
			Files   []struct{ Name, Unified string }
			Objects []struct{ Name, Unified string }
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("plan -o json does not parse: %v", err)
	}
	masked, wrong := 0, 0
	for _, s := range doc.Sites {
		for _, d := range append(s.Files, s.Objects...) {
			for _, l := range strings.Split(d.Unified, "\n") {
				if !strings.Contains(l, "[redacted") {
					continue
				}
				masked++
				key := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "-"))
				key = strings.TrimSpace(strings.TrimPrefix(key, "- "))
				k, _, _ := strings.Cut(key, ":")
				sops := strings.HasSuffix(d.Name, ".sops.yaml") && (k == "mac" || k == "enc" || k == "client_secret" || strings.Contains(d.Name, "secret"))
				if !sops {
					wrong++
					t.Errorf("%s: a non-secret value is masked: %s", d.Name, l)
				}
			}
		}
	}
	objects := 0
	for _, s := range doc.Sites {
		objects += len(s.Objects)
	}
	t.Logf("chart objects diffed: %d; masked values: %d, of which non-secret: %d", objects, masked, wrong)
	if objects == 0 {
		t.Errorf("no chart object in the plan of the removals")
	}
	if masked == 0 {
		t.Errorf("nothing masked: the SOPS payloads of the removed sites are in the diff")
	}
}
