// Package filesecrets finds plain-text secrets in the files of a fleet
// repository: one file by its name and content (YAML value by value, a
// site file as validate reads it, other text line by line), and every file
// that differs between a git ref and the work tree, as both hold them. It is
// what check-secrets scans with, and what masks a plan's output and the
// GitHub Action's logs and comment.
package filesecrets
