package release

import (
	"encoding/json"
	"strings"
)

// ProvenanceOptions describes a release build for its provenance.
type ProvenanceOptions struct {
	Tag, Commit, Repository, GoVersion, Package, Ldflags string
	// BuilderID is the workflow that built (or "local"); InvocationID
	// the run.
	BuilderID, InvocationID string
	Targets                 []Target
	Subjects                []Asset
	SourceDateEpoch         int64
}

// BuildType names how the release is built; the parameters below are what
// a verifier needs to rebuild it.
const BuildType = "https://github.com/hubfleet/hubfleet/tree/main/internal/release@v1"

type statement struct {
	Type          string     `json:"_type"`
	Subject       []subject  `json:"subject"`
	PredicateType string     `json:"predicateType"`
	Predicate     provenance `json:"predicate"`
}

type subject struct {
	Name   string            `json:"name"`
	Digest map[string]string `json:"digest"`
}

type provenance struct {
	BuildDefinition buildDefinition `json:"buildDefinition"`
	RunDetails      runDetails      `json:"runDetails"`
}

type buildDefinition struct {
	BuildType            string               `json:"buildType"`
	ExternalParameters   map[string]any       `json:"externalParameters"`
	InternalParameters   map[string]any       `json:"internalParameters"`
	ResolvedDependencies []resourceDescriptor `json:"resolvedDependencies"`
}

type resourceDescriptor struct {
	URI    string            `json:"uri"`
	Digest map[string]string `json:"digest"`
}

type runDetails struct {
	Builder  map[string]string `json:"builder"`
	Metadata map[string]string `json:"metadata"`
}

// Provenance writes an in-toto v1 statement with a SLSA v1 provenance
// predicate whose subjects are the release assets (archives and SBOMs).
// It is not signed: it says how to rebuild the assets and compare; the
// checksums file is what installers verify.
func Provenance(o ProvenanceOptions) ([]byte, error) {
	targets := make([]string, len(o.Targets))
	for i, t := range o.Targets {
		targets[i] = t.String()
	}
	st := statement{
		Type:          "https://in-toto.io/Statement/v1",
		PredicateType: "https://slsa.dev/provenance/v1",
		Predicate: provenance{
			BuildDefinition: buildDefinition{
				BuildType: BuildType,
				ExternalParameters: map[string]any{
					"tag":     o.Tag,
					"targets": targets,
				},
				InternalParameters: map[string]any{
					"goVersion":       o.GoVersion,
					"package":         o.Package,
					"flags":           []string{"-trimpath", "-buildvcs=false", "-ldflags=" + o.Ldflags},
					"env":             []string{"CGO_ENABLED=0", "GOAMD64=v1", "GOARM64=v8.0", "GOFLAGS=-mod=readonly"},
					"sourceDateEpoch": o.SourceDateEpoch,
				},
				ResolvedDependencies: []resourceDescriptor{{
					URI:    "git+" + strings.TrimSuffix(o.Repository, "/") + "@refs/tags/" + o.Tag,
					Digest: map[string]string{"gitCommit": o.Commit},
				}},
			},
			RunDetails: runDetails{
				Builder:  map[string]string{"id": o.BuilderID},
				Metadata: map[string]string{"invocationId": o.InvocationID},
			},
		},
	}
	for _, a := range o.Subjects {
		st.Subject = append(st.Subject, subject{Name: a.Name, Digest: map[string]string{"sha256": a.SHA256}})
	}
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
