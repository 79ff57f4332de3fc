// Package rollback is the rollback flow: it finds the commit to undo (the
// last one that changed a site's overlay, or a given commit), makes a real
// `git revert` of it (in a scratch work tree unless asked to commit it in
// place), checks the reverted overlays equal the overlays before the
// change, names the other sites the revert reaches, and plans the overlays
// from now to after the revert, so the doors crossed back over are told in
// the plan's words. It never pushes: publishing is the front-end's.
//
// `hubfleet rollback` and `hubfleet action rollback` both call Run and
// print its Result their own way.
package rollback
