package chart

import (
	"fmt"
	"strings"
)

// UnavailableError says a chart is neither reachable in its repository nor
// in the local cache.
type UnavailableError struct {
	Ref Ref
	// Err is why the repository could not be read.
	Err error
}

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("chart %s is neither reachable nor cached: %v", e.Ref, e.Err)
}

func (e *UnavailableError) Unwrap() error { return e.Err }

// NotFoundError says the repository index has no chart of that name.
type NotFoundError struct {
	Ref Ref
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("chart %q not found in repository %s", e.Ref.Name, e.Ref.RepoURL)
}

// NoVersionError says no chart version satisfies the constraint.
type NoVersionError struct {
	Ref Ref
	// Available lists the versions in the index, newest first.
	Available []string
	// Err is set when the constraint itself is invalid.
	Err error
}

func (e *NoVersionError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("chart %s: invalid version constraint %q: %v", e.Ref.Name, e.Ref.Version, e.Err)
	}
	return fmt.Sprintf("chart %s: no version matches %q (available: %s)", e.Ref.Name, e.Ref.Version, strings.Join(e.Available, ", "))
}

func (e *NoVersionError) Unwrap() error { return e.Err }

// DigestMismatchError says a downloaded archive does not match the digest
// the repository index gives for it. The archive is not cached.
type DigestMismatchError struct {
	Ref     Ref
	Version string
	URL     string
	Want    string
	Got     string
}

func (e *DigestMismatchError) Error() string {
	return fmt.Sprintf("chart %s %s from %s: digest mismatch: index says sha256:%s, archive is sha256:%s", e.Ref.Name, e.Version, e.URL, e.Want, e.Got)
}
