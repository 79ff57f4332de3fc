package action

import (
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/rhysd/actionlint"
	"gopkg.in/yaml.v3"
)

var (
	pinnedUses    = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$`)
	versionRemark = regexp.MustCompile(`^#\s*v\d+(\.\d+){0,2}$`)
)

// MapValue returns the value of key in a YAML mapping node.
func MapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// Parse returns the root node of a YAML document.
func Parse(data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, fmt.Errorf("empty document")
	}
	return doc.Content[0], nil
}

// StepProblems checks the steps of a job or composite action.
func StepProblems(where string, steps *yaml.Node) []string {
	var probs []string
	if steps == nil {
		return nil
	}
	for i, step := range steps.Content {
		at := fmt.Sprintf("%s step %d (line %d)", where, i+1, step.Line)
		if uses := MapValue(step, "uses"); uses != nil {
			v := uses.Value
			switch {
			case strings.HasPrefix(v, "./"):
			case strings.HasPrefix(v, "docker://"):
				if !strings.Contains(v, "@sha256:") {
					probs = append(probs, fmt.Sprintf("%s: docker action %s not pinned by digest", at, v))
				}
			case !pinnedUses.MatchString(v):
				probs = append(probs, fmt.Sprintf("%s: action %s not pinned by a full commit SHA", at, v))
			case !versionRemark.MatchString(strings.TrimSpace(uses.LineComment)):
				probs = append(probs, fmt.Sprintf("%s: action %s has no \"# vX.Y.Z\" comment", at, v))
			}
		}
		if run := MapValue(step, "run"); run != nil && strings.Contains(run.Value, "${{") {
			probs = append(probs, fmt.Sprintf("%s: ${{ }} inside run: (pass it through env:)", at))
		}
	}
	return probs
}

// WorkflowProblems checks a workflow against the repository's rules.
func WorkflowProblems(data []byte) []string {
	root, err := Parse(data)
	if err != nil {
		return []string{err.Error()}
	}
	var probs []string
	perms := MapValue(root, "permissions")
	switch {
	case perms == nil:
		probs = append(probs, "no top-level permissions:")
	case perms.Kind == yaml.ScalarNode:
		probs = append(probs, fmt.Sprintf("top-level permissions: %s, want a mapping with contents: read", perms.Value))
	default:
		for i := 0; i+1 < len(perms.Content); i += 2 {
			if v := perms.Content[i+1].Value; v != "read" && v != "none" {
				probs = append(probs, fmt.Sprintf("top-level permission %s: %s (grant writes per job)", perms.Content[i].Value, v))
			}
		}
	}
	if MapValue(root, "concurrency") == nil {
		probs = append(probs, "no concurrency group")
	}
	on := MapValue(root, "on")
	if on == nil {
		probs = append(probs, "no on:")
	}
	triggers := []*yaml.Node{on}
	if on != nil && on.Kind != yaml.MappingNode {
		triggers = append(triggers, on.Content...)
	}
	for _, t := range triggers {
		if t == nil {
			continue
		}
		if t.Value == "pull_request_target" || MapValue(t, "pull_request_target") != nil {
			probs = append(probs, "pull_request_target trigger")
		}
	}
	jobs := MapValue(root, "jobs")
	if jobs == nil {
		return append(probs, "no jobs")
	}
	for i := 0; i+1 < len(jobs.Content); i += 2 {
		name, job := jobs.Content[i].Value, jobs.Content[i+1]
		if jp := MapValue(job, "permissions"); jp != nil && jp.Kind == yaml.ScalarNode {
			probs = append(probs, fmt.Sprintf("job %s: permissions: %s (list them)", name, jp.Value))
		}
		probs = append(probs, StepProblems("job "+name, MapValue(job, "steps"))...)
	}
	return probs
}

// Lint runs actionlint (linked as a library) on workflow files, by name;
// shellcheck checks run: scripts when its path is given.
func Lint(files map[string][]byte, shellcheck string) ([]string, error) {
	l, err := actionlint.NewLinter(io.Discard, &actionlint.LinterOptions{LogWriter: io.Discard, Shellcheck: shellcheck})
	if err != nil {
		return nil, err
	}
	var probs []string
	for name, data := range files {
		errs, err := l.Lint(name, data, nil)
		if err != nil {
			return nil, err
		}
		for _, e := range errs {
			probs = append(probs, e.Error())
		}
	}
	return probs, nil
}
