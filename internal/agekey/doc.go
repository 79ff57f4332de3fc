// Package agekey makes a site cluster's age key (hubfleet secret keygen):
// it generates an X25519 identity with filippo.io/age, writes the private
// half to a file outside the fleet repository with mode 0600, and writes
// the public half into the site file as spec.secrets.ageRecipient by
// editing the YAML node tree, so the file's comments and order survive.
package agekey
