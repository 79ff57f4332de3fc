package docgen

import (
	"fmt"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Action renders the reference of the GitHub Action: its inputs and
// outputs from action.yml, and each workflow's triggers and permissions.
func Action(actionYML []byte, workflows map[string][]byte) ([]byte, error) {
	var action struct {
		Inputs  yaml.Node `yaml:"inputs"`
		Outputs yaml.Node `yaml:"outputs"`
	}
	if err := yaml.Unmarshal(actionYML, &action); err != nil {
		return nil, fmt.Errorf("action.yml: %w", err)
	}
	var b strings.Builder
	b.WriteString("# The GitHub Action: inputs, outputs and workflows\n\n<!-- Generated from action/action.yml and .github/workflows by go generate ./cmd/hubfleet; do not edit. -->\n\n")
	b.WriteString("How to use them: [The GitHub Action and workflows](../github-action.md).\n\n## Inputs\n\n")
	b.WriteString("Each input reaches `hubfleet action <mode>` as the variable `HUBFLEET_<INPUT>` (upper case, `-` as `_`).\n\n")
	b.WriteString("| input | required | default | description |\n|---|---|---|---|\n")
	for i := 0; i+1 < len(action.Inputs.Content); i += 2 {
		name := action.Inputs.Content[i].Value
		var in struct {
			Description string  `yaml:"description"`
			Required    bool    `yaml:"required"`
			Default     *string `yaml:"default"`
		}
		if err := action.Inputs.Content[i+1].Decode(&in); err != nil {
			return nil, fmt.Errorf("action.yml: input %s: %w", name, err)
		}
		def := "—"
		if in.Default != nil {
			def = "`" + cell(*in.Default, true) + "`"
			if *in.Default == "" {
				def = "(empty)"
			}
		}
		req := "no"
		if in.Required {
			req = "yes"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", name, req, def, cell(oneLine(in.Description), false))
	}
	b.WriteString("\n## Outputs\n\n| output | description |\n|---|---|\n")
	for i := 0; i+1 < len(action.Outputs.Content); i += 2 {
		name := action.Outputs.Content[i].Value
		var out struct {
			Description string `yaml:"description"`
		}
		if err := action.Outputs.Content[i+1].Decode(&out); err != nil {
			return nil, fmt.Errorf("action.yml: output %s: %w", name, err)
		}
		fmt.Fprintf(&b, "| `%s` | %s |\n", name, cell(oneLine(out.Description), false))
	}
	b.WriteString("\n## Workflows\n\nThe workflows of this repository (`hubfleet init` writes the same five into a fleet).\n\n")
	b.WriteString("| workflow | name | triggers | permissions (workflow) | permissions (jobs) |\n|---|---|---|---|---|\n")
	names := make([]string, 0, len(workflows))
	for n := range workflows {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		var wf struct {
			Name        string               `yaml:"name"`
			On          yaml.Node            `yaml:"on"`
			Permissions yaml.Node            `yaml:"permissions"`
			Jobs        map[string]yaml.Node `yaml:"jobs"`
		}
		if err := yaml.Unmarshal(workflows[n], &wf); err != nil {
			return nil, fmt.Errorf("%s: %w", n, err)
		}
		var jobs []string
		jobNames := make([]string, 0, len(wf.Jobs))
		for j := range wf.Jobs {
			jobNames = append(jobNames, j)
		}
		sort.Strings(jobNames)
		for _, j := range jobNames {
			var job struct {
				Permissions yaml.Node `yaml:"permissions"`
			}
			node := wf.Jobs[j]
			if err := node.Decode(&job); err != nil {
				return nil, fmt.Errorf("%s: job %s: %w", n, j, err)
			}
			if p := flow(&job.Permissions); p != "" {
				jobs = append(jobs, j+": "+p)
			}
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", n, cell(wf.Name, false), cell(triggers(&wf.On), false), cell(flow(&wf.Permissions), false), cell(strings.Join(jobs, "; "), false))
	}
	return []byte(b.String()), nil
}

// triggers lists a workflow's events, with a schedule's cron lines.
func triggers(n *yaml.Node) string {
	switch n.Kind {
	case yaml.ScalarNode:
		return n.Value
	case yaml.SequenceNode:
		var l []string
		for _, c := range n.Content {
			l = append(l, c.Value)
		}
		return strings.Join(l, ", ")
	case yaml.MappingNode:
		var l []string
		for i := 0; i+1 < len(n.Content); i += 2 {
			ev := n.Content[i].Value
			if ev == "schedule" {
				var crons []struct {
					Cron string `yaml:"cron"`
				}
				_ = n.Content[i+1].Decode(&crons)
				for _, c := range crons {
					ev += " `" + c.Cron + "`"
				}
			}
			l = append(l, ev)
		}
		return strings.Join(l, ", ")
	}
	return ""
}

// flow writes a permissions block on one line.
func flow(n *yaml.Node) string {
	switch n.Kind {
	case yaml.ScalarNode:
		return n.Value
	case yaml.MappingNode:
		var l []string
		for i := 0; i+1 < len(n.Content); i += 2 {
			l = append(l, n.Content[i].Value+": "+n.Content[i+1].Value)
		}
		return strings.Join(l, ", ")
	}
	return ""
}
