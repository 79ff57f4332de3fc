package chart

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"
	helmchart "helm.sh/helm/v3/pkg/chart"
	"sigs.k8s.io/yaml"
)

// indexFile is a Helm repository's index.yaml, read as Helm's
// repo.LoadIndexFile reads it (same fields, same strictness, same
// skipping of invalid entries, newest version first).
type indexFile struct {
	ServerInfo  map[string]any             `json:"serverInfo,omitempty"`
	APIVersion  string                     `json:"apiVersion"`
	Generated   time.Time                  `json:"generated"`
	Entries     map[string][]*chartVersion `json:"entries"`
	PublicKeys  []string                   `json:"publicKeys,omitempty"`
	Annotations map[string]string          `json:"annotations,omitempty"`
}

// chartVersion is one entry of an index (Helm's repo.ChartVersion).
type chartVersion struct {
	*helmchart.Metadata
	URLs    []string  `json:"urls"`
	Created time.Time `json:"created,omitempty"`
	Removed bool      `json:"removed,omitempty"`
	Digest  string    `json:"digest,omitempty"`
	// Fields older indexes carry; kept so the strict parse accepts them.
	ChecksumDeprecated      string `json:"checksum,omitempty"`
	EngineDeprecated        string `json:"engine,omitempty"`
	TillerVersionDeprecated string `json:"tillerVersion,omitempty"`
	URLDeprecated           string `json:"url,omitempty"`
}

var (
	errEmptyIndex     = errors.New("empty index.yaml file")
	errNoAPIVersion   = errors.New("no API version specified")
	errIndexNotParsed = errors.New("index.yaml is neither JSON nor a Helm repository index")
)

// parseIndex parses and validates an index. Entries Helm would skip
// (empty, or with invalid chart metadata) are dropped.
func parseIndex(data []byte) (*indexFile, error) {
	if len(data) == 0 {
		return nil, errEmptyIndex
	}
	idx := &indexFile{}
	var err error
	if json.Valid(data) {
		err = json.Unmarshal(data, idx)
	} else {
		err = yaml.UnmarshalStrict(data, idx)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errIndexNotParsed, err)
	}
	for name, cvs := range idx.Entries {
		kept := cvs[:0]
		for _, cv := range cvs {
			if cv == nil {
				continue
			}
			if cv.Metadata == nil {
				cv.Metadata = &helmchart.Metadata{}
			}
			if cv.APIVersion == "" {
				cv.APIVersion = helmchart.APIVersionV1
			}
			if err := cv.Validate(); err != nil && !skippable(err) {
				continue
			}
			kept = append(kept, cv)
		}
		sortNewestFirst(kept)
		idx.Entries[name] = kept
	}
	if idx.APIVersion == "" {
		return nil, errNoAPIVersion
	}
	return idx, nil
}

// skippable is Helm's ignoreSkippableChartValidationError: JFrog
// repositories strip dependency aliases.
func skippable(err error) bool {
	var verr helmchart.ValidationError
	return errors.As(err, &verr) && strings.HasPrefix(verr.Error(), "validation: more than one dependency with name or alias")
}

// sortNewestFirst orders versions as Helm's SortEntries does; versions
// that do not parse go last.
func sortNewestFirst(cvs []*chartVersion) {
	less := func(a, b *chartVersion) bool {
		i, err := semver.NewVersion(a.Version)
		if err != nil {
			return true
		}
		j, err := semver.NewVersion(b.Version)
		if err != nil {
			return false
		}
		return i.LessThan(j)
	}
	sort.SliceStable(cvs, func(x, y int) bool { return less(cvs[y], cvs[x]) })
}

// resolveReferenceURL resolves a chart URL from an index against the
// repository URL as Helm's repo.ResolveReferenceURL does: relative URLs are
// relative to the repository directory and keep its query.
func resolveReferenceURL(baseURL, refURL string) (string, error) {
	ref, err := url.Parse(refURL)
	if err != nil {
		return "", fmt.Errorf("parse chart URL %q: %w", refURL, err)
	}
	if ref.IsAbs() {
		return refURL, nil
	}
	base, err := url.Parse(baseURL)
	if err != nil {
		return "", fmt.Errorf("parse repository URL: %w", err)
	}
	base.RawPath = strings.TrimSuffix(base.RawPath, "/") + "/"
	base.Path = strings.TrimSuffix(base.Path, "/") + "/"
	u := base.ResolveReference(ref)
	u.RawQuery = base.RawQuery
	return u.String(), nil
}
