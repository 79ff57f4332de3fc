package chart

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"helm.sh/helm/v3/pkg/repo"

	"github.com/hubfleet/hubfleet/internal/chart/chartrepotest"
)

// Helm's repo package is used here only as the reference the index reader
// is checked against; it is not in the hubfleet binary.

func TestParseIndexAgreesWithHelm(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	real := chartrepotest.StartReal(t)
	idxBytes, err := os.ReadFile(filepath.Join(real.Dir, "index.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		"real charts": string(idxBytes),
		"json":        `{"apiVersion":"v1","entries":{"a":[{"name":"a","version":"1.0.0","urls":["a-1.0.0.tgz"],"digest":"abc"},{"name":"a","version":"1.2.0","urls":["a-1.2.0.tgz"]}]}}`,
		"invalid and empty entries dropped, order newest first": `apiVersion: v1
entries:
  a:
    - name: a
      version: 0.9.0
      urls: [a-0.9.0.tgz]
    -
    - name: a
      version: not-semver
      urls: [x.tgz]
    - name: ""
      version: 1.0.0
    - name: a
      version: 2.0.0-rc.1
      urls: [a-2.0.0-rc.1.tgz]
    - name: a
      version: 1.10.0
      urls: [a-1.10.0.tgz]
      checksum: deprecated
      engine: gotpl
      tillerVersion: ">=2"
      url: old
`,
		"no apiVersion": "entries: {}\n",
		"unknown field": "apiVersion: v1\nentries: {}\nsurprise: 1\n",
		"empty":         "",
		"not an index":  "- a\n- b\n",
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, name+".yaml")
			if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
			want, wantErr := repo.LoadIndexFile(p)
			got, gotErr := parseIndex([]byte(data))
			if (wantErr != nil) != (gotErr != nil) {
				t.Fatalf("Helm err = %v, ours = %v", wantErr, gotErr)
			}
			if wantErr != nil {
				return
			}
			type entry struct {
				Name, Version, Digest string
				URLs                  []string
			}
			wantE := map[string][]entry{}
			for n, cvs := range want.Entries {
				for _, cv := range cvs {
					wantE[n] = append(wantE[n], entry{cv.Name, cv.Version, cv.Digest, cv.URLs})
				}
			}
			gotE := map[string][]entry{}
			for n, cvs := range got.Entries {
				for _, cv := range cvs {
					gotE[n] = append(gotE[n], entry{cv.Name, cv.Version, cv.Digest, cv.URLs})
				}
			}
			if diff := cmp.Diff(wantE, gotE); diff != "" {
				t.Errorf("entries (-helm +ours):\n%s", diff)
			}
		})
	}
}

func TestResolveReferenceURLAgreesWithHelm(t *testing.T) {
	t.Parallel()
	for _, tc := range [][2]string{
		{"https://charts.example.org", "index.yaml"},
		{"https://charts.example.org/", "index.yaml"},
		{"https://charts.example.org/sub/dir", "charts/a-1.0.0.tgz"},
		{"https://charts.example.org/sub/dir/", "/abs/a-1.0.0.tgz"},
		{"https://charts.example.org/repo?token=x", "a-1.0.0.tgz"},
		{"https://user:pw@charts.example.org/repo", "a-1.0.0.tgz"},
		{"https://charts.example.org/repo", "https://cdn.example.org/a-1.0.0.tgz"},
		{"https://charts.example.org/a%2Fb", "c.tgz"},
	} {
		want, wantErr := repo.ResolveReferenceURL(tc[0], tc[1])
		got, gotErr := resolveReferenceURL(tc[0], tc[1])
		if want != got || (wantErr != nil) != (gotErr != nil) {
			t.Errorf("resolve(%q, %q) = %q, %v; Helm: %q, %v", tc[0], tc[1], got, gotErr, want, wantErr)
		}
	}
}
