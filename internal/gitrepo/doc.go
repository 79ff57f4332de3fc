// Package gitrepo runs the git operations hubfleet's automation needs through
// the real git binary: reading HEAD and changes, committing as the bot,
// pushing with rebase-and-retry when a concurrent push wins (never a force
// push), finding the commits that last changed a site's overlay, reverting
// them as real revert commits, and reading files at a ref.
//
// Failures callers branch on are typed: *PushRejectedError,
// *ConflictError (a revert or rebase that conflicts; the work tree is left as
// it was), and ErrNothingToCommit.
package gitrepo
