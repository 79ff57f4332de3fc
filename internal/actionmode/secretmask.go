package actionmode

import (
	"fmt"

	"github.com/hubfleet/hubfleet/internal/plan"
	"github.com/hubfleet/hubfleet/internal/report"
)

// maskSecrets registers every secret value the plan flow masked with the
// runner (::add-mask::), which masks the log; the result itself is masked
// already, by the flow, the same for the CLI. Whatever this mode prints
// besides the result goes through the same mask.
func (r *runner) maskSecrets(res *plan.Result) {
	for _, s := range res.Secrets {
		r.rep.AddMask(s)
	}
	if len(res.Secrets) == 0 {
		return
	}
	r.rep = maskingReporter{Reporter: r.rep, mask: func(s string) string { return plan.MaskMessage(res, s) }}
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
