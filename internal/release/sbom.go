package release

import (
	"encoding/json"
	"fmt"
	"runtime/debug"
	"strings"
	"time"
)

// SBOMOptions describes the binary an SBOM is about.
type SBOMOptions struct {
	Tag          string
	Target       Target
	BinarySHA256 string
	Repository   string
	Created      time.Time
}

type spdxDoc struct {
	SPDXVersion       string             `json:"spdxVersion"`
	DataLicense       string             `json:"dataLicense"`
	SPDXID            string             `json:"SPDXID"`
	Name              string             `json:"name"`
	DocumentNamespace string             `json:"documentNamespace"`
	CreationInfo      spdxCreation       `json:"creationInfo"`
	DocumentDescribes []string           `json:"documentDescribes"`
	Packages          []spdxPackage      `json:"packages"`
	Relationships     []spdxRelationship `json:"relationships"`
}

type spdxCreation struct {
	Created  string   `json:"created"`
	Creators []string `json:"creators"`
}

type spdxPackage struct {
	Name             string         `json:"name"`
	SPDXID           string         `json:"SPDXID"`
	VersionInfo      string         `json:"versionInfo,omitempty"`
	DownloadLocation string         `json:"downloadLocation"`
	FilesAnalyzed    bool           `json:"filesAnalyzed"`
	PrimaryPurpose   string         `json:"primaryPackagePurpose,omitempty"`
	Checksums        []spdxChecksum `json:"checksums,omitempty"`
	ExternalRefs     []spdxRef      `json:"externalRefs,omitempty"`
	Comment          string         `json:"comment,omitempty"`
}

type spdxChecksum struct {
	Algorithm string `json:"algorithm"`
	Value     string `json:"checksumValue"`
}

type spdxRef struct {
	Category string `json:"referenceCategory"`
	Type     string `json:"referenceType"`
	Locator  string `json:"referenceLocator"`
}

type spdxRelationship struct {
	Element string `json:"spdxElementId"`
	Type    string `json:"relationshipType"`
	Related string `json:"relatedSpdxElement"`
}

// SBOM writes an SPDX 2.3 JSON document for one binary from the build
// information Go embeds in it (the same list `go version -m` prints): the
// binary, the Go standard library it was built with, and every module
// linked in, with its version, go.sum hash and package URL.
func SBOM(bi *debug.BuildInfo, o SBOMOptions) ([]byte, error) {
	binID := "SPDXRef-Package-hubfleet"
	doc := spdxDoc{
		SPDXVersion:       "SPDX-2.3",
		DataLicense:       "CC0-1.0",
		SPDXID:            "SPDXRef-DOCUMENT",
		Name:              fmt.Sprintf("hubfleet %s %s", o.Tag, o.Target),
		DocumentNamespace: fmt.Sprintf("%s/releases/%s/%s", strings.TrimSuffix(o.Repository, "/"), o.Tag, SBOMName(o.Tag, o.Target)),
		CreationInfo: spdxCreation{
			Created:  o.Created.UTC().Format(time.RFC3339),
			Creators: []string{"Tool: hubfleet-release (internal/release, from the binary's Go build information)"},
		},
		DocumentDescribes: []string{binID},
	}
	settings := []string{}
	for _, s := range bi.Settings {
		settings = append(settings, s.Key+"="+s.Value)
	}
	doc.Packages = append(doc.Packages, spdxPackage{
		Name: "hubfleet", SPDXID: binID, VersionInfo: o.Tag,
		DownloadLocation: "git+" + strings.TrimSuffix(o.Repository, "/") + "@" + o.Tag,
		PrimaryPurpose:   "APPLICATION",
		Checksums:        []spdxChecksum{{Algorithm: "SHA256", Value: o.BinarySHA256}},
		ExternalRefs:     []spdxRef{{Category: "PACKAGE-MANAGER", Type: "purl", Locator: purl(bi.Main.Path, o.Tag)}},
		Comment:          fmt.Sprintf("%s %s built by %s with %s", bi.Path, o.Target, bi.GoVersion, strings.Join(settings, " ")),
	})
	stdID := "SPDXRef-Package-go-stdlib"
	doc.Packages = append(doc.Packages, spdxPackage{
		Name: "stdlib", SPDXID: stdID, VersionInfo: bi.GoVersion,
		DownloadLocation: "https://go.dev/dl/",
		ExternalRefs:     []spdxRef{{Category: "PACKAGE-MANAGER", Type: "purl", Locator: purl("stdlib", bi.GoVersion)}},
	})
	doc.Relationships = append(doc.Relationships,
		spdxRelationship{Element: "SPDXRef-DOCUMENT", Type: "DESCRIBES", Related: binID},
		spdxRelationship{Element: binID, Type: "DEPENDS_ON", Related: stdID})
	for i, d := range bi.Deps {
		// The code linked in is the replacement's when there is one; a
		// local directory replacement has no version of its own.
		name, version, sum := d.Path, d.Version, d.Sum
		comment := ""
		if r := d.Replace; r != nil {
			comment = "replaced by " + r.Path
			if r.Version != "" && r.Version != "(devel)" {
				name, version, sum = r.Path, r.Version, r.Sum
				comment = "replaces " + d.Path + " " + d.Version
			}
		}
		if sum != "" {
			comment = strings.TrimSpace("go.sum " + sum + "; " + comment)
			comment = strings.TrimSuffix(comment, ";")
		}
		id := fmt.Sprintf("SPDXRef-Package-%d", i+1)
		p := spdxPackage{
			Name: name, SPDXID: id, VersionInfo: version,
			DownloadLocation: "NOASSERTION",
			ExternalRefs:     []spdxRef{{Category: "PACKAGE-MANAGER", Type: "purl", Locator: purl(name, version)}},
			Comment:          comment,
		}
		if d.Replace == nil || name != d.Path {
			p.DownloadLocation = fmt.Sprintf("https://proxy.golang.org/%s/@v/%s.zip", escapePath(name), version)
		}
		doc.Packages = append(doc.Packages, p)
		doc.Relationships = append(doc.Relationships, spdxRelationship{Element: binID, Type: "DEPENDS_ON", Related: id})
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// purl is a Go package URL: pkg:golang/github.com/foo/bar@v1.2.3.
func purl(path, version string) string {
	p := "pkg:golang/" + path
	if version != "" {
		p += "@" + version
	}
	return p
}

// escapePath is the module proxy's case encoding (upper case as !lower).
func escapePath(p string) string {
	var b strings.Builder
	for _, r := range p {
		if 'A' <= r && r <= 'Z' {
			b.WriteByte('!')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}
