package engine

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	helmchart "helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
	helmengine "helm.sh/helm/v3/pkg/engine"
)

// TestFilesMatchHelm renders the .Files methods through Helm's engine and
// this one and requires the same output. The chart is synthetic: none of
// the real charts reads an empty file or one that is only a newline, which
// is where Helm v3.21 changed Files.Lines (v3.19 panicked on an empty
// file).
func TestFilesMatchHelm(t *testing.T) {
	files := []*helmchart.File{
		{Name: "files/empty.txt", Data: []byte{}},
		{Name: "files/newline.txt", Data: []byte("\n")},
		{Name: "files/two.txt", Data: []byte("a\nb\n")},
		{Name: "files/noeol.txt", Data: []byte("a\n\nc")},
		{Name: "conf/x.yaml", Data: []byte("k: v\n")},
	}
	tpls := map[string]string{
		"lines": `{{ range $f := list "files/empty.txt" "files/newline.txt" "files/two.txt" "files/noeol.txt" "missing.txt" }}` +
			`{{ $f }}: {{ $.Files.Lines $f | len }} {{ $.Files.Lines $f | toJson }}
{{ end }}`,
		"get":    `{{ .Files.Get "files/two.txt" | quote }} {{ .Files.Get "files/empty.txt" | quote }} {{ .Files.Get "missing.txt" | quote }} {{ .Files.GetBytes "files/noeol.txt" | len }}`,
		"glob":   `{{ range $p, $_ := .Files.Glob "files/*" }}{{ $p }} {{ end }}`,
		"config": `{{ (.Files.Glob "conf/*").AsConfig }}`,
		"secret": `{{ (.Files.Glob "files/t*").AsSecrets }}`,
	}
	c := &helmchart.Chart{Metadata: &helmchart.Metadata{Name: "files", Version: "0.1.0", APIVersion: "v2"}, Files: files}
	for name, text := range tpls {
		c.Templates = append(c.Templates, &helmchart.File{Name: "templates/" + name, Data: []byte(text)})
	}
	top, err := chartutil.ToRenderValues(c, map[string]any{}, chartutil.ReleaseOptions{Name: "r", Namespace: "ns"}, chartutil.DefaultCapabilities)
	if err != nil {
		t.Fatal(err)
	}
	want, wantErr := helmengine.Render(c, top)
	if wantErr != nil {
		t.Fatalf("Helm's engine: %v", wantErr)
	}
	got, err := (&Engine{}).Render("", c, top)
	if err != nil {
		t.Fatalf("this engine: %v (Helm's rendered)", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("output differs (-helm +ours):\n%s", diff)
	}
	// The case the test exists for: an empty file has no lines.
	if l := want["files/templates/lines"]; !strings.Contains(l, "files/empty.txt: 0 []") {
		t.Errorf("Helm's Files.Lines of an empty file is not empty any more; got:\n%s", l)
	}
}
