// Package docgen writes hubfleet's reference pages from the code: the CLI
// reference from the cobra command tree (in cobra/doc's layout, as Flux and
// Helm publish theirs), the site and fleet file references and the output
// schemas from their JSON Schemas, the exit codes from each command's help,
// and the Action's inputs, outputs and workflows from action.yml and the
// workflow files.
//
// Each function returns the pages' contents; cmd/hubfleet's
// TestGeneratedDocs compares them with the committed copies under
// docs/reference and rewrites those with -update (go generate runs that).
// The package is imported by that test only, so neither cobra/doc nor this
// package is a dependency of the hubfleet binary.
package docgen
