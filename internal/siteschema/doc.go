// Package siteschema generates the JSON Schemas of hubfleet's site and
// fleet files (schema/site.schema.json, schema/fleet.schema.json) from the
// Go types in package site, so editors with a YAML language server
// complete and check the files as they are typed. A test keeps the
// committed schemas current: `go test ./internal/siteschema -update`
// rewrites them after a change to the types.
//
// The schema says what can be written (field names, types, enumerations,
// required fields); `hubfleet validate` says whether it makes sense.
package siteschema
