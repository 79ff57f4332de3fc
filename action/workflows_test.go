package action_test

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubfleet/hubfleet/action"
	"github.com/rhysd/actionlint"
)

const workflowDir = "../.github/workflows"

func workflowFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, pat := range []string{"*.yaml", "*.yml"} {
		m, err := filepath.Glob(filepath.Join(workflowDir, pat))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	sort.Strings(files)
	if len(files) == 0 {
		t.Fatalf("no workflows in %s", workflowDir)
	}
	return files
}

func TestActionlint(t *testing.T) {
	t.Parallel()
	opts := &actionlint.LinterOptions{LogWriter: io.Discard}
	// shellcheck checks the run: scripts when it is installed (it is on
	// GitHub's runners).
	if sc, err := exec.LookPath("shellcheck"); err == nil {
		opts.Shellcheck = sc
	} else {
		t.Log("shellcheck not installed: run: scripts are not shellchecked")
	}
	l, err := actionlint.NewLinter(io.Discard, opts)
	if err != nil {
		t.Fatal(err)
	}
	files := workflowFiles(t)
	errs, err := l.LintFiles(files, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range errs {
		t.Errorf("actionlint: %s", e)
	}
}

func TestActionlintCatchesErrors(t *testing.T) {
	t.Parallel()
	// The linter must be able to fail: an unknown job key and a bad
	// expression are errors.
	l, err := actionlint.NewLinter(io.Discard, &actionlint.LinterOptions{LogWriter: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	bad := []byte("on: push\npermissions:\n  contents: read\njobs:\n  x:\n    runs-on: ubuntu-latest\n    stepz: []\n    steps:\n      - run: echo ${{ github.nope( }}\n")
	errs, err := l.Lint("bad.yaml", bad, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) == 0 {
		t.Errorf("actionlint found nothing wrong in a broken workflow")
	}
}

// The rules live in rules.go, where hubfleet init's tests use them too.
var (
	workflowProblems = action.WorkflowProblems
	stepProblems     = action.StepProblems
	mapValue         = action.MapValue
	parse            = action.Parse
)

func TestWorkflowRules(t *testing.T) {
	t.Parallel()
	for _, f := range workflowFiles(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range workflowProblems(data) {
				t.Errorf("%s: %s", f, p)
			}
		})
	}
}

func TestWorkflowRulesCatchViolations(t *testing.T) {
	t.Parallel()
	const good = `on: push
permissions:
  contents: read
concurrency: x
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0
      - uses: ./action
      - run: echo "$X"
        env:
          X: ${{ github.ref }}
`
	tests := []struct {
		name     string
		workflow string
		want     []string
	}{
		{name: "good", workflow: good},
		{
			name:     "no permissions",
			workflow: strings.Replace(good, "permissions:\n  contents: read\n", "", 1),
			want:     []string{"no top-level permissions:"},
		},
		{
			name:     "write-all at the top",
			workflow: strings.Replace(good, "permissions:\n  contents: read\n", "permissions: write-all\n", 1),
			want:     []string{"top-level permissions: write-all, want a mapping with contents: read"},
		},
		{
			name:     "write at the top",
			workflow: strings.Replace(good, "contents: read", "contents: write", 1),
			want:     []string{"top-level permission contents: write (grant writes per job)"},
		},
		{
			name:     "tag instead of SHA",
			workflow: strings.Replace(good, "actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0", "actions/checkout@v5", 1),
			want:     []string{"job a step 1 (line 9): action actions/checkout@v5 not pinned by a full commit SHA"},
		},
		{
			name:     "SHA without version comment",
			workflow: strings.Replace(good, " # v5.0.0", "", 1),
			want:     []string{`job a step 1 (line 9): action actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 has no "# vX.Y.Z" comment`},
		},
		{
			name:     "expression in run",
			workflow: strings.Replace(good, `echo "$X"`, `echo "${{ github.head_ref }}"`, 1),
			want:     []string{"job a step 3 (line 11): ${{ }} inside run: (pass it through env:)"},
		},
		{
			name:     "pull_request_target",
			workflow: strings.Replace(good, "on: push", "on:\n  pull_request_target:\n", 1),
			want:     []string{"pull_request_target trigger"},
		},
		{
			name:     "pull_request_target in a list",
			workflow: strings.Replace(good, "on: push", "on: [push, pull_request_target]", 1),
			want:     []string{"pull_request_target trigger"},
		},
		{
			name:     "no concurrency",
			workflow: strings.Replace(good, "concurrency: x\n", "", 1),
			want:     []string{"no concurrency group"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, workflowProblems([]byte(tt.workflow))); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

// TestBotWorkflowsUseAppToken checks that the workflows that push or open
// pull requests do so with a GitHub App token, so the resulting checks run.
func TestBotWorkflowsUseAppToken(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"render.yaml", "upgrade.yaml", "rollback.yaml"} {
		data, err := os.ReadFile(filepath.Join(workflowDir, name))
		if err != nil {
			t.Fatal(err)
		}
		s := string(data)
		if !strings.Contains(s, "actions/create-github-app-token@") {
			t.Errorf("%s does not mint a GitHub App token", name)
		}
		if !strings.Contains(s, "github-token: ${{ steps.app-token.outputs.token }}") {
			t.Errorf("%s does not pass the App token to the action", name)
		}
		if strings.Contains(s, "secrets.GITHUB_TOKEN") {
			t.Errorf("%s uses GITHUB_TOKEN, whose pushes and pull requests trigger no workflows", name)
		}
	}
}

var inputRef = regexp.MustCompile(`^\$\{\{ inputs\.([a-z0-9-]+) \}\}$`)

func TestCompositeActionMapsEveryInput(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("action.yml")
	if err != nil {
		t.Fatal(err)
	}
	root, err := parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if using := mapValue(mapValue(root, "runs"), "using"); using == nil || using.Value != "composite" {
		t.Fatalf("runs.using is not composite")
	}
	steps := mapValue(mapValue(root, "runs"), "steps")
	for _, p := range stepProblems("action.yml", steps) {
		t.Error(p)
	}

	var declared []string
	inputs := mapValue(root, "inputs")
	for i := 0; i < len(inputs.Content); i += 2 {
		declared = append(declared, inputs.Content[i].Value)
	}
	sort.Strings(declared)

	mapped := map[string]bool{}
	for _, step := range steps.Content {
		if wd := mapValue(step, "working-directory"); wd != nil {
			if m := inputRef.FindStringSubmatch(wd.Value); m != nil {
				mapped[m[1]] = true
			}
		}
		env := mapValue(step, "env")
		if env == nil {
			continue
		}
		for i := 0; i+1 < len(env.Content); i += 2 {
			k, v := env.Content[i].Value, env.Content[i+1].Value
			if strings.HasPrefix(k, "INPUT_") {
				t.Errorf("env %s: composite actions get no INPUT_* variables; use HUBFLEET_*", k)
			}
			if m := inputRef.FindStringSubmatch(v); m != nil {
				mapped[m[1]] = true
				if want := "HUBFLEET_" + strings.ToUpper(strings.ReplaceAll(m[1], "-", "_")); k != want {
					t.Errorf("input %s is mapped to %s, want %s", m[1], k, want)
				}
			}
		}
	}
	var unmapped []string
	for _, in := range declared {
		if !mapped[in] {
			unmapped = append(unmapped, in)
		}
	}
	if len(unmapped) > 0 {
		t.Errorf("inputs not mapped explicitly through env: %v", unmapped)
	}
}
