package markdown

import "strings"

var cell = strings.NewReplacer("|", `\|`, "\r", "", "\n", " ", "<", "&lt;")

// Cell keeps text on one line and free of pipes and HTML tags, for a table
// cell or a list item ("->" stays as it is).
func Cell(s string) string { return cell.Replace(s) }

var html = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// HTML escapes text for use inside HTML, such as a <summary>.
func HTML(s string) string { return html.Replace(s) }

// Fence puts text in a fenced code block longer than any backtick run in
// it, so the text cannot close it.
func Fence(lang, text string) string {
	longest, run := 0, 0
	for i := 0; i < len(text); i++ {
		if text[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	f := strings.Repeat("`", max(3, longest+1))
	return f + lang + "\n" + strings.TrimRight(text, "\n") + "\n" + f + "\n"
}
