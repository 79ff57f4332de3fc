// Package docscript reads the shell blocks of hubfleet's Markdown
// documentation as scripts, so a test can run every command a reader is
// shown and hold the docs to what the commands really do.
//
// The conventions a page follows (docs/README.md explains them to writers):
//
//   - A fenced block tagged sh runs; blocks in any other language (yaml,
//     text, console) are illustrations and do not.
//   - A block whose first line is "# not run here: REASON" is shown to the
//     reader but not run; the test lists it with its reason. A single line
//     whose trailing comment holds "not run here" is skipped the same way.
//   - Each command's exit status must be 0 unless its trailing comment says
//     "exit N". Every text quoted after "prints", "says" or "shows" in
//     the trailing comment (prints "a", "b" and "c") must appear in its
//     output.
//   - A page starts in a fresh directory, unless an HTML comment
//     "<!-- doc-test: after PAGE.md -->" says it continues where another
//     page ends; that page's blocks run first, in the same directory.
//   - "<!-- doc-test: copy PATH -->" before a block copies PATH (a file or
//     directory, relative to the repository root) into the working
//     directory before the block runs: files the reader already has, such
//     as a hub's values files.
//   - Lines ending in a backslash continue the command; a here-document
//     (<<EOF or <<'EOF') runs to its end marker.
package docscript
