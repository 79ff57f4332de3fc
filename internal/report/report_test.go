package report_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubfleet/hubfleet/internal/report"
	"github.com/hubfleet/hubfleet/internal/report/reporttest"
)

// actionsEnv returns a fake environment for a GitHub Actions step whose
// environment files live in a temp dir.
func actionsEnv(t *testing.T) (getenv func(string) string, outputFile, summaryFile string) {
	t.Helper()
	dir := t.TempDir()
	outputFile = filepath.Join(dir, "output")
	summaryFile = filepath.Join(dir, "summary")
	env := map[string]string{
		"GITHUB_ACTIONS":      "true",
		"GITHUB_OUTPUT":       outputFile,
		"GITHUB_STEP_SUMMARY": summaryFile,
	}
	return func(k string) string { return env[k] }, outputFile, summaryFile
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestActionsCommands(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		do   func(r report.Reporter)
		want string
	}{
		{
			name: "group per site",
			do:   func(r report.Reporter) { r.Group("site egi-prod"); r.Logf("rendered %d objects", 3); r.EndGroup() },
			want: "::group::site egi-prod\nrendered 3 objects\n::endgroup::\n",
		},
		{
			name: "error annotation with file, line and title",
			do: func(r report.Reporter) {
				r.Annotate(report.Annotation{Level: report.LevelError, File: "clusters/egi/site.yaml", Line: 12, Col: 5, Title: "invalid host", Message: "host \"hub\" is not a public DNS name"})
			},
			want: "::error col=5,file=clusters/egi/site.yaml,line=12,title=invalid host::host \"hub\" is not a public DNS name\n",
		},
		{
			name: "warning escapes newlines and property separators",
			do: func(r report.Reporter) {
				r.Annotate(report.Annotation{Level: report.LevelWarning, File: "overlays/a/hr.yaml", Title: "stale: a,b", Message: "line1\nline2 100%"})
			},
			want: "::warning file=overlays/a/hr.yaml,title=stale%3A a%2Cb::line1%0Aline2 100%25\n",
		},
		{
			name: "logged text cannot forge workflow commands",
			do:   func(r report.Reporter) { r.Logf("diff:\n::error file=x::forged\n::add-mask::x") },
			want: "diff:\n ::error file=x::forged\n ::add-mask::x\n",
		},
		{
			name: "notice without location",
			do:   func(r report.Reporter) { r.Annotate(report.Annotation{Message: "nothing to do"}) },
			want: "::notice::nothing to do\n",
		},
		{
			name: "multi-line secret masked line by line",
			do:   func(r report.Reporter) { r.AddMask("-----BEGIN-----\nabc123\n\n-----END-----\n") },
			want: "::add-mask::-----BEGIN-----\n::add-mask::abc123\n::add-mask::-----END-----\n",
		},
		{
			name: "empty secret is not masked",
			do:   func(r report.Reporter) { r.AddMask("  ") },
			want: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			getenv, _, _ := actionsEnv(t)
			var out bytes.Buffer
			r := report.New(getenv, &out)
			if _, ok := r.(*report.Actions); !ok {
				t.Fatalf("New with GITHUB_ACTIONS=true returned %T, want *report.Actions", r)
			}
			tt.do(r)
			if diff := cmp.Diff(tt.want, out.String()); diff != "" {
				t.Errorf("workflow commands (-want +got):\n%s", diff)
			}
		})
	}
}

func TestActionsFiles(t *testing.T) {
	t.Parallel()
	getenv, outputFile, summaryFile := actionsEnv(t)
	var out bytes.Buffer
	r := report.NewActions(getenv, &out)

	for _, kv := range [][2]string{{"changed", "true"}, {"sites", "a\nb"}} {
		if err := r.SetOutput(kv[0], kv[1]); err != nil {
			t.Fatalf("SetOutput(%q): %v", kv[0], err)
		}
	}
	if err := r.AddSummary("## Plan\n"); err != nil {
		t.Fatal(err)
	}
	if err := r.AddSummary("| site | change |\n"); err != nil {
		t.Fatal(err)
	}

	outputs, err := reporttest.ParseOutputs(readFile(t, outputFile))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"changed": "true", "sites": "a\nb"}, outputs); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff("## Plan\n\n| site | change |\n\n", readFile(t, summaryFile)); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
	if out.Len() != 0 {
		t.Errorf("file commands wrote to the log: %q", out.String())
	}
}

func TestActionsFileErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		env     map[string]string
		do      func(r report.Reporter) error
		wantErr string
	}{
		{
			name:    "output file not set",
			env:     map[string]string{"GITHUB_ACTIONS": "true"},
			do:      func(r report.Reporter) error { return r.SetOutput("x", "y") },
			wantErr: "GITHUB_OUTPUT is not set",
		},
		{
			name:    "summary file not set",
			env:     map[string]string{"GITHUB_ACTIONS": "true"},
			do:      func(r report.Reporter) error { return r.AddSummary("x") },
			wantErr: "GITHUB_STEP_SUMMARY is not set",
		},
		{
			name:    "summary file unwritable",
			env:     map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": "/nonexistent/dir/summary"},
			do:      func(r report.Reporter) error { return r.AddSummary("x") },
			wantErr: "write GITHUB_STEP_SUMMARY",
		},
		{
			name: "value forging the delimiter",
			env:  map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": "/dev/null"},
			do: func(r report.Reporter) error {
				return r.SetOutput("x", "a\n_GitHubActionsFileCommandDelimeter_\nevil<<E")
			},
			wantErr: "delimiter",
		},
		{
			name:    "empty output name",
			env:     map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": "/dev/null"},
			do:      func(r report.Reporter) error { return r.SetOutput("", "v") },
			wantErr: "empty name",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := report.New(func(k string) string { return tt.env[k] }, &bytes.Buffer{})
			err := tt.do(r)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestTerminal(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	r := report.New(func(string) string { return "" }, &out)
	term, ok := r.(*report.Terminal)
	if !ok {
		t.Fatalf("New outside Actions returned %T, want *report.Terminal", r)
	}
	r.AddMask("s3cr3t-value")
	r.AddMask("s3cr3t")
	r.Group("site egi")
	r.Logf("client_secret=%s", "s3cr3t-value")
	r.Annotate(report.Annotation{Level: report.LevelError, File: "clusters/egi/site.yaml", Line: 4, Col: 2, Title: "bad", Message: "uses s3cr3t"})
	r.Annotate(report.Annotation{Level: report.LevelWarning, File: "overlays/egi", Message: "stale"})
	r.EndGroup()
	if err := r.SetOutput("changed", "true"); err != nil {
		t.Fatal(err)
	}
	if err := r.AddSummary("## Plan\n"); err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"== site egi ==",
		"client_secret=***",
		"clusters/egi/site.yaml:4:2: error: bad: uses ***",
		"overlays/egi: warning: stale",
		"",
		"output changed=true",
		"## Plan",
		"",
	}, "\n")
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("terminal output (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"changed": "true"}, term.Outputs()); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
}

func TestParseAnnotationsRoundTrip(t *testing.T) {
	t.Parallel()
	getenv, _, _ := actionsEnv(t)
	var out bytes.Buffer
	r := report.NewActions(getenv, &out)
	want := []report.Annotation{
		{Level: report.LevelError, File: "clusters/a b/site.yaml", Line: 3, EndLine: 4, Col: 1, Title: "t: 1, 2", Message: "m\n100%"},
		{Level: report.LevelNotice, Message: "plain"},
	}
	r.Group("g")
	for _, a := range want {
		r.Annotate(a)
	}
	r.AddMask("tok")
	got, err := reporttest.ParseAnnotations(out.String())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("annotations (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"tok"}, reporttest.Masks(out.String())); diff != "" {
		t.Errorf("masks (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"g"}, reporttest.Groups(out.String())); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
}
