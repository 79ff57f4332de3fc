// Package importer turns an existing daskhub values.yaml (like the ones in
// the deployment guides hubfleet replaces) into a site file, and reports
// what it kept, what it migrated and what it dropped. It never copies a
// secret value: client secrets move to `hubfleet secret set`, and the
// tokens the charts now generate themselves are dropped.
package importer
