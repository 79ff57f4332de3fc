package chart

import (
	"regexp"
	"strings"

	helmchart "helm.sh/helm/v3/pkg/chart"
)

// checksumLine matches a template line that sets a checksum/* annotation
// from one template action, such as z2jh's
//
//	checksum/config-map: {{ include (print .Template.BasePath "/hub/configmap.yaml") . | sha256sum }}
var checksumLine = regexp.MustCompile(`^(\s*)("?checksum/[^":\s]+"?):\s*\{\{([^{}]*)\}\}\s*$`)

// mutating matches template functions that change their arguments. A
// checksum action using one is kept: skipping it could change what later
// templates render (z2jh's autohttps checksum merges into
// .Values.proxy.traefik.extraStaticConfig).
var mutating = regexp.MustCompile(`\b(merge|mergeOverwrite|mustMerge|mustMergeOverwrite|set|unset|append|mustAppend|prepend|mustPrepend|push|mustPush)\b`)

// checksumPlaceholder is what skipped checksum annotations render as; the
// normalisation strips them like any other checksum/* annotation.
const checksumPlaceholder = `"skipped-by-hubfleet"`

// withoutChecksums returns a copy of the chart tree whose templates set
// checksum/* annotations to a constant instead of rendering other
// templates again to hash them. Those annotations exist to restart pods
// when config changes, they are stripped from every render for diffing
// (z2jh's hash secrets minted with lookup), and computing them re-executes
// the chart's heaviest templates. Templates that need no change are
// shared with the original.
func withoutChecksums(c *helmchart.Chart) *helmchart.Chart {
	out := *c
	out.Templates = make([]*helmchart.File, len(c.Templates))
	for i, f := range c.Templates {
		out.Templates[i] = f
		if !strings.Contains(string(f.Data), "checksum/") {
			continue
		}
		lines := strings.Split(string(f.Data), "\n")
		changed := false
		for j, l := range lines {
			if m := checksumLine.FindStringSubmatch(l); m != nil && !mutating.MatchString(m[3]) {
				lines[j] = m[1] + m[2] + ": " + checksumPlaceholder
				changed = true
			}
		}
		if changed {
			out.Templates[i] = &helmchart.File{Name: f.Name, Data: []byte(strings.Join(lines, "\n"))}
		}
	}
	deps := make([]*helmchart.Chart, 0, len(c.Dependencies()))
	for _, d := range c.Dependencies() {
		deps = append(deps, withoutChecksums(d))
	}
	out.SetDependencies(deps...)
	return &out
}
