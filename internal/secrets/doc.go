// Package secrets keeps a site's secrets in git only SOPS-encrypted: it
// builds the Kubernetes Secret holding the OAuth client secret and encrypts
// it for age recipients in the SOPS file format (sopsfile.go), the form Flux's
// kustomize-controller decrypts natively (spec.decryption.provider: sops).
package secrets
