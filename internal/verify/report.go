package verify

import (
	"fmt"
	"strings"
)

// ReportSchemaVersion is the version of the verify JSON schema
// (internal/output/schemas/verify.json).
const ReportSchemaVersion = 1

// Report is verify's JSON and YAML document.
type Report struct {
	SchemaVersion int    `json:"schemaVersion"`
	Kind          string `json:"kind"`
	// Status is the worst status of any check.
	Status  Status   `json:"status"`
	Summary string   `json:"summary"`
	Counts  Counts   `json:"counts"`
	Results []Result `json:"results"`
}

// NewReport builds the report of results.
func NewReport(results []Result) Report {
	if results == nil {
		results = []Result{}
	}
	return Report{SchemaVersion: ReportSchemaVersion, Kind: "verify", Status: Worst(results),
		Summary: Summary(results), Counts: Count(results), Results: results}
}

// Tally counts things by status.
type Tally struct {
	Total   int `json:"total"`
	Pass    int `json:"pass"`
	Warn    int `json:"warn"`
	Fail    int `json:"fail"`
	Unknown int `json:"unknown"`
}

func (t *Tally) add(s Status) {
	t.Total++
	switch s {
	case Pass:
		t.Pass++
	case Warn:
		t.Warn++
	case Unknown:
		t.Unknown++
	default:
		t.Fail++
	}
}

// String lists the non-zero counts: "20 pass, 1 warn, 2 fail".
func (t Tally) String() string {
	var parts []string
	for _, x := range []struct {
		n    int
		name Status
	}{{t.Pass, Pass}, {t.Warn, Warn}, {t.Fail, Fail}, {t.Unknown, Unknown}} {
		if x.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", x.n, x.name))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// Counts are the sites (each by its worst check) and the checks.
type Counts struct {
	Sites  Tally `json:"sites"`
	Checks Tally `json:"checks"`
}

// Count tallies results by site and by check.
func Count(results []Result) Counts {
	var c Counts
	worst := map[string]Status{}
	var order []string
	for _, r := range results {
		c.Checks.add(r.Status)
		w, seen := worst[r.Site]
		if !seen {
			order = append(order, r.Site)
			w = Pass
		}
		if r.Status.rank() > w.rank() {
			w = r.Status
		}
		worst[r.Site] = w
	}
	for _, s := range order {
		c.Sites.add(worst[s])
	}
	return c
}
