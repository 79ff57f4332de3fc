// Package overlay reads the Flux objects hubfleet commits under
// overlays/<site>/ back into the typed Flux structs: HelmReleases,
// HelmRepositories and the Namespace. It is the one reader of committed
// overlays: the plan, the upgrade and the rollback read them through it,
// from the work tree, from a git commit or from files held in memory.
package overlay
