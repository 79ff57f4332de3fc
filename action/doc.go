// Package action holds the rules and tests of the composite GitHub Action in
// action.yml and of the workflows in .github/workflows: actionlint (linked
// as a library) must pass on every workflow, every third-party action must
// be pinned by full commit SHA with a version comment, every workflow must
// declare its permissions, and the action must map every input to the
// environment explicitly. The Go code the action runs is the hubfleet CLI.
package action
