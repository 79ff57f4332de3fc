package docgen

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// CLI renders one Markdown page per command of the tree under root, named
// as cobra/doc names them (hubfleet_secret_set.md), with the
// auto-generated date line left out so the pages are reproducible.
// Replacements rewrite machine-specific flag defaults (a home directory,
// say) into placeholders.
func CLI(root *cobra.Command, replacements ...string) (map[string][]byte, error) {
	pages := map[string][]byte{}
	r := strings.NewReplacer(replacements...)
	var walk func(c *cobra.Command) error
	walk = func(c *cobra.Command) error {
		if !c.IsAvailableCommand() && c != root {
			return nil
		}
		c.DisableAutoGenTag = true
		var b bytes.Buffer
		if err := doc.GenMarkdownCustom(c, &b, func(s string) string { return s }); err != nil {
			return fmt.Errorf("%s: %w", c.CommandPath(), err)
		}
		pages[strings.ReplaceAll(c.CommandPath(), " ", "_")+".md"] = []byte(escapeProse(r.Replace(b.String())))
		for _, sub := range c.Commands() {
			if err := walk(sub); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(root); err != nil {
		return nil, err
	}
	return pages, nil
}

// sentenceRE splits help text into sentences.
var sentenceRE = regexp.MustCompile(`(?s)[^.]+?(?:\.(?:\s|$)|$)`)

var exitPrefix = regexp.MustCompile(`^Exit codes?: `)

// exitCodes is what a command's help says about its exit codes: every
// sentence that mentions them, without a leading "Exit codes:".
func exitCodes(long string) string {
	var l []string
	for _, p := range strings.Split(long, "\n\n") {
		for _, s := range sentenceRE.FindAllString(p, -1) {
			if strings.Contains(strings.ToLower(s), "exit code") {
				l = append(l, exitPrefix.ReplaceAllString(oneLine(s), ""))
			}
		}
	}
	return strings.Join(l, " ")
}

// ExitCodes renders the exit codes of every command, as each command's
// help states them; a command whose help states none has the codes the
// root command's help gives for every command.
func ExitCodes(root *cobra.Command) []byte {
	var b strings.Builder
	b.WriteString("# Exit codes\n\n<!-- Generated from the commands' help by go generate ./cmd/hubfleet; do not edit. -->\n\n")
	fmt.Fprintf(&b, "Every command, unless its help says more: %s\n\n", exitCodes(root.Long))
	b.WriteString("1 is a problem you can fix (an invalid site, a failing check, a stale file); 2 means the command could not do its job (no fleet found, an unreadable file, an interrupted command). What each command's help says:\n\n")
	b.WriteString("| command | exit codes |\n|---|---|\n")
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if !c.IsAvailableCommand() {
			return
		}
		if c.Runnable() && c != root {
			codes := exitCodes(c.Long)
			if codes == "" {
				codes = "as every command"
			}
			page := strings.ReplaceAll(c.CommandPath(), " ", "_") + ".md"
			fmt.Fprintf(&b, "| [`%s`](cli/%s) | %s |\n", c.CommandPath(), page, cell(oneLine(codes), false))
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return []byte(b.String())
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// escapeProse escapes angle brackets outside fenced code, where Markdown
// would read help text such as origin/<base> as an HTML tag.
func escapeProse(md string) string {
	lines := strings.Split(md, "\n")
	fenced := false
	esc := strings.NewReplacer("<", "&lt;", ">", "&gt;")
	for i, l := range lines {
		if strings.HasPrefix(l, "```") {
			fenced = !fenced
			continue
		}
		if !fenced {
			lines[i] = esc.Replace(l)
		}
	}
	return strings.Join(lines, "\n")
}
