// Package markdown holds the few GitHub-flavoured Markdown helpers the
// plan, the pull-request bodies and the job summaries share: table cells
// that stay on one line, code fences that their content cannot close, and
// HTML escaping for <details> titles.
package markdown
