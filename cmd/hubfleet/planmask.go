package main

import (
	"context"
	"strings"

	"github.com/hubfleet/hubfleet/internal/filesecrets"
	"github.com/hubfleet/hubfleet/internal/gitrepo"
	"github.com/hubfleet/hubfleet/internal/secretscan"
)

// maskPlan masks, in a plan printed in any format, every plain-text secret
// the guard finds in the fleet files that differ between base and the work
// tree (filesecrets.Changed): line-oriented masking cannot see a removed
// secret once the diff is a JSON string, or when the value sits a line
// below its name (an env list entry). Free-text masking then runs over the
// rest.
func maskPlan(ctx context.Context, repo *gitrepo.Repo, base, text string) (string, error) {
	findings, err := filesecrets.Changed(ctx, repo, base)
	if err != nil {
		return "", err
	}
	// The base commit id is printed on purpose, and 40 hex digits look
	// like a token to the free-text detectors: keep it out of their way.
	const keep = "\x00base\x00"
	if len(base) >= 7 {
		text = strings.ReplaceAll(text, base, keep)
	}
	masked := secretscan.RedactText(secretscan.Redact(text, findings))
	if len(base) >= 7 {
		masked = strings.ReplaceAll(masked, keep, base)
	}
	return masked, nil
}
