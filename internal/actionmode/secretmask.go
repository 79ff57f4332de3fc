package actionmode

import (
	"context"
	"fmt"
	"reflect"

	"github.com/hubfleet/hubfleet/internal/filesecrets"
	"github.com/hubfleet/hubfleet/internal/gitrepo"
	"github.com/hubfleet/hubfleet/internal/plan"
	"github.com/hubfleet/hubfleet/internal/report"
	"github.com/hubfleet/hubfleet/internal/secretscan"
)

// maskSecrets hides every plain-text secret the guard finds in the fleet
// files the plan compares (filesecrets.Changed, base and work tree): a
// secret an earlier, unguarded commit put into the base shows in the plan's
// diff as a removed line. Each is registered with the runner
// (::add-mask::), which masks the log; and since GitHub masks neither the
// job summary nor a pull request comment, each is also replaced in the
// report (the plan's diffs, problems and warnings, the stale diffs and
// validation lines) and in everything the reporter prints afterwards.
// This mode decrypts no SOPS file, so those values never reach it.
func (r *runner) maskSecrets(ctx context.Context, repo *gitrepo.Repo, rep *plan.Report) error {
	findings, err := filesecrets.Changed(ctx, repo, rep.Plan.Base)
	if err != nil {
		return fmt.Errorf("finding the secrets to mask: %w", err)
	}
	for _, f := range findings {
		r.rep.AddMask(f.Secret)
	}
	if len(findings) == 0 {
		return nil
	}
	mask := func(s string) string { return secretscan.Redact(s, findings) }
	maskStrings(reflect.ValueOf(rep), mask)
	r.rep = maskingReporter{Reporter: r.rep, mask: mask}
	return nil
}

// maskStrings applies mask to every settable string reachable from v
// (exported fields, slice and array elements, map values).
func maskStrings(v reflect.Value, mask func(string) string) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			maskStrings(v.Elem(), mask)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				maskStrings(v.Field(i), mask)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			maskStrings(v.Index(i), mask)
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			// Map values are not addressable: mask a copy, put it back.
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(v.MapIndex(k))
			maskStrings(e, mask)
			v.SetMapIndex(k, e)
		}
	case reflect.String:
		if v.CanSet() {
			v.SetString(mask(v.String()))
		}
	}
}

// maskingReporter masks what it passes on to the reporter it wraps.
type maskingReporter struct {
	report.Reporter
	mask func(string) string
}

func (m maskingReporter) Logf(format string, args ...any) {
	m.Reporter.Logf("%s", m.mask(fmt.Sprintf(format, args...)))
}

func (m maskingReporter) Annotate(a report.Annotation) {
	a.Title, a.Message = m.mask(a.Title), m.mask(a.Message)
	m.Reporter.Annotate(a)
}

func (m maskingReporter) AddSummary(markdown string) error {
	return m.Reporter.AddSummary(m.mask(markdown))
}
