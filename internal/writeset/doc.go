// Package writeset writes a set of file changes all or none: the commands
// that change the work tree (upgrade, rollback's dry run) compute every
// change first, can read the tree as it will be (Preview), and then write
// it with Apply, which restores every file it already wrote when a later
// one fails.
package writeset
