// Package flux renders a site into the Flux objects committed under
// overlays/<site>/ (Namespace, HelmRepository, HelmRelease, optional
// ExternalSecret, kustomization.yaml) and the Flux entry point
// clusters/<site>/hubfleet.yaml (a Kustomization with SOPS decryption).
//
// Objects are built from the typed Flux API structs and marshalled with
// sigs.k8s.io/yaml, so the output is a pure function of the site and fleet
// files: the same input gives byte-identical files.
package flux
