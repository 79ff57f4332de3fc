package verify

import "strings"

// schemaFailure is how Helm starts the error for values a chart's
// values.schema.json rejects.
const schemaFailure = "values don't meet the specifications of the schema"

// releaseFailure shortens a failed HelmRelease's Ready message to what an
// operator acts on. For values the chart schema rejects it keeps Helm's
// list of offending values (chart and key), which otherwise comes after
// a long preamble and would be clipped away; other messages are returned
// with their lines joined.
func releaseFailure(msg string) string {
	if i := strings.Index(msg, schemaFailure); i >= 0 {
		rest := msg[i+len(schemaFailure):]
		if j := strings.Index(rest, ":"); j >= 0 {
			rest = rest[j+1:]
		}
		return "the chart's values schema rejects the values: " + oneLine(rest)
	}
	return oneLine(msg)
}

// staleFix is the fix for a HelmRelease whose Ready describes an older
// generation: helm-controller has not acted on the new spec, so it may be
// stopped.
func staleFix(reconcile string) string {
	return "helm-controller has not acted on the new spec: check it is running (flux check; kubectl -n flux-system get deploy helm-controller), then " + reconcile
}
