// Package workspace is the one loader every command uses: a fleet
// repository's work tree loaded once, with every problem at once (site
// validation, and optionally the values keys against the charts' schemas),
// the sites a command selects, and the render of its valid sites compared
// with the files on disk.
//
// Two fleet types meet here and are told apart by construction:
// site.Fleet is the model of one file, bases/daskhub/fleet.yaml (its
// policy); fleet.Fleet is a loaded repository (that policy as Config, and
// every site), which only fleet.Load makes. A Workspace holds the latter.
package workspace
