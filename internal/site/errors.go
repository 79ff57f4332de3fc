package site

import (
	"fmt"
	"sort"
	"strings"
)

// Kind classifies a FieldError so callers and tests can branch on it.
type Kind string

// The kinds of problems validation reports.
const (
	KindSyntax          Kind = "syntax"
	KindUnknownField    Kind = "unknown-field"
	KindDuplicateKey    Kind = "duplicate-key"
	KindType            Kind = "type"
	KindRequired        Kind = "required"
	KindHeader          Kind = "header"
	KindName            Kind = "name"
	KindDuplicateSite   Kind = "duplicate-site"
	KindDuplicateHost   Kind = "duplicate-host"
	KindHost            Kind = "host"
	KindURL             Kind = "url"
	KindQuantity        Kind = "quantity"
	KindByteSpec        Kind = "byte-spec"
	KindImage           Kind = "image"
	KindLimit           Kind = "limit-below-guarantee"
	KindRange           Kind = "range"
	KindSemver          Kind = "semver"
	KindSecret          Kind = "literal-secret"
	KindOwned           Kind = "owned-value"
	KindEnum            Kind = "enum"
	KindAuth            Kind = "auth"
	KindChartMode       Kind = "chart-mode"
	KindKubeVersion     Kind = "kubernetes-version"
	KindDuration        Kind = "duration"
	KindAge             Kind = "age-recipient"
	KindUnsupportedAuth Kind = "unsupported-by-chart"
	KindTLSField        Kind = "tls-field"
	KindSize            Kind = "file-too-large"
	KindEncoding        Kind = "encoding"
	KindEmpty           Kind = "empty-document"
	KindNumber          Kind = "non-finite-number"
	KindReservedNS      Kind = "reserved-namespace"
	KindLabel           Kind = "label"
	KindImageLatest     Kind = "image-latest"
	KindPlacement       Kind = "gpu-placement"
	KindOwnedCode       Kind = "owned-in-code"
	KindValuesSchema    Kind = "values-schema"
	KindValuesType      Kind = "values-type"
	KindChartCache      Kind = "chart-not-cached"
	KindSymlink         Kind = "symlink"
	KindSecretsWiring   Kind = "sops-recipient"
)

// Severity says whether a problem fails validation.
type Severity string

// Severities. The zero value is an error.
const (
	SeverityError   Severity = ""
	SeverityWarning Severity = "warning"
)

// FieldError is one problem in a configuration file. It names the file,
// the line, the field and how to fix it.
type FieldError struct {
	File  string
	Line  int
	Field string
	Kind  Kind
	Msg   string
	Fix   string
	// Severity is empty for an error, "warning" for a warning.
	Severity Severity
}

func (e *FieldError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Severity == SeverityWarning {
		b.WriteString("warning: ")
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	if e.Fix != "" {
		b.WriteString(" (fix: ")
		b.WriteString(e.Fix)
		b.WriteString(")")
	}
	return b.String()
}

// ErrorList is every problem found, in file and line order.
type ErrorList []*FieldError

func (l ErrorList) Error() string {
	msgs := make([]string, len(l))
	for i, e := range l {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// Unwrap lets errors.As find each FieldError.
func (l ErrorList) Unwrap() []error {
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errs
}

// Sort orders the list by file, line and field.
func (l ErrorList) Sort() {
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i], l[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Field < b.Field
	})
}

// Errors are the problems that fail validation (not warnings).
func (l ErrorList) Errors() ErrorList { return l.filter(SeverityError) }

// Warnings are the problems that do not fail validation.
func (l ErrorList) Warnings() ErrorList { return l.filter(SeverityWarning) }

func (l ErrorList) filter(s Severity) ErrorList {
	var out ErrorList
	for _, e := range l {
		if e.Severity == s {
			out = append(out, e)
		}
	}
	return out
}

// Err returns nil for an empty list, so `return l.Err()` is safe.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	l.Sort()
	return l
}

// errorf builds FieldErrors for one file, looking lines up in its index.
type reporter struct {
	file  string
	lines map[string]int
	errs  ErrorList
	// invalid are fields that failed to decode: checks of them, of their
	// parents and of their children are skipped, as their values are
	// unknown. Every other check still runs.
	invalid map[string]bool
	// pinned makes :latest an error (the fleet's images.requirePinned).
	pinned bool
}

// skip reports whether field depends on a field that failed to decode.
func (r *reporter) skip(field string) bool {
	for p := range r.invalid {
		if related(p, field) || related(field, p) {
			return true
		}
	}
	return false
}

// related reports whether b is a or lies under a.
func related(a, b string) bool {
	if a == "" {
		return true
	}
	return b == a || (strings.HasPrefix(b, a) && (b[len(a)] == '.' || b[len(a)] == '['))
}

// warn records a warning: a problem that does not fail validation.
func (r *reporter) warn(kind Kind, field, fix, format string, args ...any) {
	r.report(SeverityWarning, kind, field, fix, format, args...)
}

// add records a problem at field (a dotted path such as spec.tls.mode).
func (r *reporter) add(kind Kind, field, fix, format string, args ...any) {
	r.report(SeverityError, kind, field, fix, format, args...)
}

func (r *reporter) report(sev Severity, kind Kind, field, fix, format string, args ...any) {
	if len(r.invalid) > 0 && r.skip(field) {
		return
	}
	r.errs = append(r.errs, &FieldError{
		Severity: sev,
		File:     r.file,
		Line:     lineOf(r.lines, field),
		Field:    field,
		Kind:     kind,
		Msg:      fmt.Sprintf(format, args...),
		Fix:      fix,
	})
}

// lineOf finds the line of field, or of its closest written parent.
func lineOf(lines map[string]int, field string) int {
	for p := field; p != ""; {
		if l, ok := lines[p]; ok {
			return l
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return 0
}
