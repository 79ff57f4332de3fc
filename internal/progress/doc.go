// Package progress shows one line on standard error while work that takes
// longer than a second runs (chart downloads, verify, renders of many
// sites). It is off when standard error is not a terminal, so logs and CI
// see nothing.
//
// The reporter travels in the context: the command installs it with
// WithReporter, and the code doing the work calls Start(ctx, ...) and the
// returned stop function. Without a reporter Start does nothing.
package progress
