package secretscan

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
)

// Mask is what replaces a secret in output.
const Mask = "[redacted]"

// Redact replaces every secret of the findings in text with Mask. A
// multi-line secret (a PEM block, Python code) is masked line by line too,
// so a diff that shows it in pieces is masked as well.
func Redact(text string, findings []Finding) string {
	var secrets []string
	for _, f := range findings {
		for _, p := range pieces(f.Secret) {
			secrets = append(secrets, p)
			// The same bytes inside a JSON string (a plan or report
			// printed as JSON), where quotes, backslashes, control
			// characters and <, >, & are escaped.
			if j, err := json.Marshal(p); err == nil {
				if e := string(j[1 : len(j)-1]); e != p {
					secrets = append(secrets, e)
				}
			}
		}
	}
	// Longest first, so a secret that contains another is masked whole.
	slices.SortFunc(secrets, func(a, b string) int { return len(b) - len(a) })
	for _, s := range secrets {
		text = strings.ReplaceAll(text, s, Mask)
	}
	return text
}

// pieces are the parts of a secret worth masking: the whole and each
// line of at least 6 characters.
func pieces(s string) []string {
	s = strings.TrimSpace(s)
	if len(s) < 4 {
		return nil
	}
	out := []string{s}
	if strings.Contains(s, "\n") {
		for _, l := range strings.Split(s, "\n") {
			if l = strings.TrimSpace(l); len(l) >= 6 {
				out = append(out, l)
			}
		}
	}
	return out
}

// yamlLine is a `key: value` line of YAML, possibly in a diff (+, -, space).
var yamlLine = regexp.MustCompile(`^[-+ ]?\s*(?:-\s+)?["']?([A-Za-z_][\w.-]*)["']?\s*:\s+["']?([^"'#\s][^"'#]*?)["']?\s*$`)

// RedactText masks secrets in free text such as a plan, a diff or a log,
// where the structure is gone: every value the detectors find, and the
// value of every `key: value` line whose key is secret-named.
func RedactText(text string) string {
	var findings []Finding
	for _, line := range strings.Split(text, "\n") {
		if m := yamlLine.FindStringSubmatch(line); m != nil && IsSecretName(m[1]) && !IsSOPSValue(m[2]) {
			findings = append(findings, Finding{Secret: m[2]})
		}
		for _, h := range detect("", line) {
			findings = append(findings, Finding{Secret: h.secret})
		}
	}
	return Redact(text, findings)
}
