// Package output is hubfleet's one output convention:
//
//   - -o text|json|yaml|markdown, parsed by ParseFormat, with text the
//     default everywhere;
//   - one rendering path: a command builds a Result value and Print writes
//     it in the chosen format (its own text or Markdown, or the value
//     itself as JSON or YAML);
//   - every JSON and YAML document starts with a Header: schemaVersion (the
//     version of its schema, bumped on any incompatible change) and kind;
//     the schemas are in schemas/ (embedded, see Schema) and tests validate
//     every command's JSON against them;
//   - colour only on a terminal, off with --no-color or a non-empty NO_COLOR
//     (https://no-color.org), through Style.
package output
