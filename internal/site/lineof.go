package site

// LineOf is the line of a field in a file's field lines (Site.Lines), or
// of its closest written parent; 0 when none is written.
func LineOf(lines map[string]int, field string) int { return lineOf(lines, field) }
