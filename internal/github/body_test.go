package github_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubfleet/hubfleet/internal/github"
)

func TestFit(t *testing.T) {
	t.Parallel()
	small := []github.Section{{Title: "a", Body: "diff a"}, {Title: "b", Body: "diff b"}}
	big := []github.Section{
		{Title: "a", Body: strings.Repeat("x", 40000)},
		{Title: "b", Body: strings.Repeat("y", 40000)},
		{Title: "c", Body: "small"},
	}
	tests := []struct {
		name        string
		comment     github.Comment
		limit       int
		wantOmitted []string
		contains    []string
	}{
		{
			name:     "everything fits",
			comment:  github.Comment{Marker: github.PlanMarker, Summary: "| site | change |", Details: small},
			contains: []string{github.PlanMarker + "\n| site | change |\n", "<details><summary>a</summary>\n\ndiff a\n\n</details>", "<summary>b</summary>"},
		},
		{
			name:        "a section that does not fit is left out and named",
			comment:     github.Comment{Marker: github.PlanMarker, Summary: "summary", Details: big, OverflowURL: "https://github.com/o/r/actions/runs/9"},
			wantOmitted: []string{"b"},
			contains:    []string{"<summary>a</summary>", "<summary>c</summary>", "1 section(s) did not fit", ": b. They are in the [job summary](https://github.com/o/r/actions/runs/9)."},
		},
		{
			name:        "an oversized summary is cut at a line and still leaves room for the note",
			comment:     github.Comment{Marker: github.PlanMarker, Summary: strings.Repeat("| site | ok |\n", 200), Details: small},
			limit:       1000,
			wantOmitted: []string{"a", "b"},
			contains:    []string{"The summary was cut", "2 section(s) did not fit"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := github.Fit(tt.comment, tt.limit)
			limit := tt.limit
			if limit == 0 {
				limit = github.MaxCommentLength
			}
			if len(got.Body) > limit {
				t.Errorf("body is %d bytes, limit %d", len(got.Body), limit)
			}
			if !strings.HasPrefix(got.Body, github.PlanMarker) {
				t.Errorf("body does not start with the marker")
			}
			var omitted []string
			for _, s := range got.Omitted {
				omitted = append(omitted, s.Title)
			}
			if diff := cmp.Diff(tt.wantOmitted, omitted); diff != "" {
				t.Errorf("omitted (-want +got):\n%s", diff)
			}
			for _, c := range tt.contains {
				if !strings.Contains(got.Body, c) {
					t.Errorf("body lacks %q", c)
				}
			}
		})
	}
}

func TestFitManySitesSummaryAlwaysFits(t *testing.T) {
	t.Parallel()
	var summary strings.Builder
	var details []github.Section
	for i := range 300 {
		fmt.Fprintf(&summary, "| site-%03d | changed |\n", i)
		details = append(details, github.Section{Title: fmt.Sprintf("site-%03d", i), Body: strings.Repeat("-", 1000)})
	}
	got := github.Fit(github.Comment{Marker: github.PlanMarker, Summary: summary.String(), Details: details}, 0)
	if len(got.Body) > github.MaxCommentLength {
		t.Fatalf("body %d bytes over the limit", len(got.Body))
	}
	if !strings.Contains(got.Body, summary.String()) {
		t.Errorf("summary table not whole in the body")
	}
	if len(got.Omitted) == 0 || len(got.Omitted) == len(details) {
		t.Errorf("omitted %d of %d sections, want some but not all", len(got.Omitted), len(details))
	}
}
