package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestValidateChecksKubernetesVersionsOfTheProvider runs `hubfleet
// validate` on the example fleet with egi-pangeo's provider and Kubernetes
// version changed: a minor the provider's managed service has retired (and
// upgraded its clusters from) is an error, one newer than the service is
// known to offer a warning, and providers without a table (OpenStack,
// other) accept any existing version.
func TestValidateChecksKubernetesVersionsOfTheProvider(t *testing.T) {
	t.Parallel()
	type want struct {
		Code     int
		Severity string // of the provider problem; "" for none
		Message  string // a part of it
	}
	for _, tc := range []struct {
		provider, version string
		want              want
	}{
		{"aws", "1.27.16", want{exitProblems, "error", "Amazon EKS stopped running Kubernetes 1.27 by 2025-11-26"}},
		{"aws", "1.28.15", want{exitProblems, "error", "Amazon EKS stopped running Kubernetes 1.28 on 2025-11-26"}},
		{"aws", "1.29.0", want{exitOK, "", ""}},
		{"aws", "1.35.0", want{exitOK, "", ""}},
		{"aws", "1.36.1", want{exitOK, "warning", "Amazon EKS offered Kubernetes up to 1.35 as of 2026-04, not 1.36.1"}},
		{"gcp", "1.31.14", want{exitProblems, "error", "Google GKE stopped running Kubernetes 1.31 on 2026-01-16"}},
		{"gcp", "1.32.3", want{exitOK, "", ""}},
		{"azure", "1.27.0", want{exitOK, "", ""}},
		{"azure", "1.37.0", want{exitOK, "warning", "Azure AKS offered Kubernetes up to 1.35"}},
		{"openstack", "1.37.0", want{exitOK, "", ""}},
		{"other", "1.24.0", want{exitOK, "", ""}},
	} {
		t.Run(tc.provider+"-"+tc.version, func(t *testing.T) {
			t.Parallel()
			root := fleetCopy(t)
			editSite(t, root, "egi-pangeo", "version: 1.30.4\n    provider: openstack", "version: "+tc.version+"\n    provider: "+tc.provider)
			r := hubfleet(t, "", "validate", "-o", "json", "--root", root, "--chart-cache", t.TempDir())
			var rep validateReport
			if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
				t.Fatalf("stdout is not JSON: %v\n%s%s", err, r.stdout, r.stderr)
			}
			got := want{Code: r.code}
			for _, p := range rep.Problems {
				if !strings.Contains(p.Message, "Amazon EKS") && !strings.Contains(p.Message, "Google GKE") && !strings.Contains(p.Message, "Azure AKS") {
					continue
				}
				if p.File != "clusters/egi-pangeo/site.yaml" || p.Line == 0 || p.Field != "spec.kubernetes.version" || !strings.Contains(p.Fix, "kubectl version") || !strings.Contains(p.Fix, "provider: other") {
					t.Errorf("the problem lacks file, line, field or fix: %+v", p)
				}
				got.Severity = p.Severity
				got.Message = tc.want.Message
				if !strings.Contains(p.Message, tc.want.Message) {
					got.Message = p.Message
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("validate (-want +got):\n%s\n%s", diff, r.stderr)
			}
		})
	}
}

// TestValidateChecksFleetValuesAndTypes runs `hubfleet validate` with the
// real charts cached: a typo and a quoted number in the fleet's common
// values (bases/daskhub/fleet.yaml) and a string where a site's values need
// a map are each reported at their file and line, all in one run, for
// every chart that refuses them; the unchanged example fleet passes.
func TestValidateChecksFleetValuesAndTypes(t *testing.T) {
	t.Parallel()
	root, url := fleetOnRealCharts(t)
	fleetFile := filepath.Join(root, "bases/daskhub/fleet.yaml")
	cache := cacheRealCharts(t, url)
	if r := hubfleet(t, "", "validate", "--root", root, "--chart-cache", cache); r.code != exitOK {
		t.Fatalf("the example fleet with its charts cached: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	b, _ := os.ReadFile(fleetFile)
	b = bytes.Replace(b, []byte("        timeout: 3600\n"), []byte("        timeout: \"3600\"\n      singelser: {}\n"), 1)
	writeFile(t, fleetFile, b)
	editSite(t, root, "pangeo-azure", "  secrets:\n", "  values:\n    jupyterhub:\n      hub:\n        extraEnv: FOO=bar\n  secrets:\n")
	r := hubfleet(t, "", "validate", "-o", "json", "--root", root, "--chart-cache", cache)
	if r.code != exitProblems {
		t.Fatalf("exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
	var rep validateReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range rep.Problems {
		if p.Line == 0 || p.Fix == "" {
			t.Errorf("no line or fix: %+v", p)
		}
		chartName := p.Message[:strings.Index(p.Message, " ")+6]
		got = append(got, fmt.Sprintf("%s %s %s %s", p.File, p.Kind, p.Field, chartName))
	}
	want := []string{
		"bases/daskhub/fleet.yaml values-schema spec.values.jupyterhub.singelser jupyterhub 3.2.1",
		"bases/daskhub/fleet.yaml values-schema spec.values.jupyterhub.singelser jupyterhub 4.4.0",
		"bases/daskhub/fleet.yaml values-type spec.values.jupyterhub.cull.timeout jupyterhub 3.2.1",
		"bases/daskhub/fleet.yaml values-type spec.values.jupyterhub.cull.timeout jupyterhub 4.4.0",
		"clusters/pangeo-azure/site.yaml values-type spec.values.jupyterhub.hub.extraEnv jupyterhub 4.4.0",
	}
	sort.Strings(got)
	sort.Strings(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s\n%s", diff, r.stderr)
	}
}
