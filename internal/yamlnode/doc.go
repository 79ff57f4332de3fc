// Package yamlnode finds values in a parsed YAML document (yaml.Node) by
// their mapping keys, for the in-place edits that keep a file's comments
// and layout (the upgrade's fleet-file editor, the age recipient writer).
package yamlnode
