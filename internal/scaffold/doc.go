// Package scaffold writes the files of a new fleet repository (hubfleet
// init) and of a new site (hubfleet site new).
//
// A new fleet holds bases/daskhub/fleet.yaml with the newest chart versions
// the catalog knows, an empty clusters/, the GitHub workflows using the
// hubfleet action pinned to the release that wrote them, a README for the
// fleet, .sops.yaml and a .gitignore that keeps private age keys out.
//
// The workflows are this repository's own .github/workflows with the local
// action (./action) replaced by the pinned one; a test keeps them equal.
// ResolveAction finds the pin from the binary's build information.
package scaffold
