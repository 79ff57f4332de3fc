package site

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/distribution/reference"
	"k8s.io/apimachinery/pkg/api/resource"
)

var byteSpecRE = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?)([KMGT])?$`)

// ParseByteSpec parses a JupyterHub ByteSpecification or dask-gateway
// memory limit: a number and an optional K, M, G or T suffix, all binary
// (G is 2^30). It returns the number of bytes.
func ParseByteSpec(s string) (int64, error) {
	m := byteSpecRE.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("%q is not a byte size: write a number and one of K, M, G, T (binary: G is 2^30), e.g. %s", s, suggestByteSpec(s))
	}
	n, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a byte size: %w", s, err)
	}
	mult := map[string]float64{"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}[m[2]]
	return int64(n * mult), nil
}

// NormalizeByteSpec rewrites common spellings ("24 G", "4Gi", "8GB") into
// a valid byte specification, or reports that it cannot.
func NormalizeByteSpec(s string) (string, bool) {
	if _, err := ParseByteSpec(s); err == nil {
		return s, true
	}
	out := cleanByteSpec(s)
	if !byteSpecRE.MatchString(out) {
		return s, false
	}
	return out, true
}

// cleanByteSpec removes spaces and the B and i of "8GB" and "4Gi".
func cleanByteSpec(s string) string {
	t := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
	t = strings.TrimSuffix(t, "B")
	return strings.TrimSuffix(t, "I")
}

func suggestByteSpec(s string) string {
	if t := cleanByteSpec(s); byteSpecRE.MatchString(t) {
		return t
	}
	return "4G"
}

// checkByteSpec reports a field that must hold a byte specification.
func (r *reporter) checkByteSpec(field, v, what string) {
	if v == "" {
		return
	}
	if _, err := ParseByteSpec(v); err != nil {
		fix := fmt.Sprintf("write %s", suggestByteSpec(v))
		switch {
		case strings.Contains(v, " "):
			fix += " (no space between number and unit)"
		case strings.HasSuffix(v, "i"):
			fix += fmt.Sprintf(" (%s reads G as 2^30 already and rejects Kubernetes' Gi)", what)
		}
		r.add(KindByteSpec, field, fix, "%q is not a %s byte size (a number and one of K, M, G, T)", v, what)
	}
}

// checkQuantity reports a field that must hold a Kubernetes quantity.
func (r *reporter) checkQuantity(field, v string) {
	if v == "" {
		return
	}
	if _, err := resource.ParseQuantity(v); err != nil {
		fix := "write a Kubernetes quantity such as 10Gi"
		if strings.Contains(v, " ") {
			fix = fmt.Sprintf("write %s (no spaces)", strings.ReplaceAll(v, " ", ""))
		}
		r.add(KindQuantity, field, fix, "%q is not a Kubernetes quantity", v)
	}
}

// checkImage reports an image reference that does not parse or has no tag.
func (r *reporter) checkImage(field, v string) {
	if v == "" {
		return
	}
	ref, err := reference.ParseNormalizedNamed(v)
	if err != nil {
		r.add(KindImage, field, "write registry/name:tag, e.g. pangeo/pangeo-notebook:2024.01.15", "%q is not an image reference: %v", v, err)
		return
	}
	if _, digested := ref.(reference.Digested); digested {
		return // a digest pins the image exactly
	}
	t, tagged := ref.(reference.Tagged)
	if !tagged {
		r.add(KindImage, field, fmt.Sprintf("pin a tag, e.g. %s:2024.01.15, or a digest, e.g. %s@sha256:<64 hex digits>", v, v), "image %q has no tag (a tag is what follows the last ':' after the last '/')", v)
		return
	}
	if t.Tag() == "latest" {
		name := strings.TrimSuffix(v, ":latest")
		fix := fmt.Sprintf("pin a dated tag, e.g. %s:2024.01.15, or a digest (%s@sha256:...)", name, name)
		msg := "image %q uses the mutable tag latest: each node may run a different image, and a revert does not bring the old one back"
		if r.pinned {
			r.add(KindImageLatest, field, fix+"; the fleet requires pinned images (spec.images.requirePinned)", msg, v)
		} else {
			r.warn(KindImageLatest, field, fix, msg, v)
		}
	}
}

// SplitImage splits a tagged reference into name and tag as z2jh wants it.
func SplitImage(v string) (name, tag string) {
	ref, err := reference.ParseNormalizedNamed(v)
	if err != nil {
		return v, ""
	}
	// A digest pins the image: z2jh writes the name alone when the tag is
	// empty, so the whole reference goes into the name.
	if _, ok := ref.(reference.Digested); ok {
		return v, ""
	}
	// Keep the user's spelling of the name (no docker.io/library prefix).
	if t, ok := ref.(reference.Tagged); ok {
		return strings.TrimSuffix(v, ":"+t.Tag()), t.Tag()
	}
	return v, ""
}
