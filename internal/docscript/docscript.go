package docscript

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// SkipMarker starts the first line of a block that is shown but not run.
const SkipMarker = "# not run here:"

// Page is the runnable content of one Markdown file.
type Page struct {
	// After names the page (relative to this one) whose blocks run first.
	After string
	// Blocks are the page's sh blocks, in order.
	Blocks []Block
}

// Block is one fenced sh block.
type Block struct {
	// Line is the line of the opening fence (1-based).
	Line int
	// Where is the directive "<!-- doc-test: in WHERE -->" written
	// between the previous block and this one, or "": the directory the
	// block runs in, when it is not the page's own.
	Where string
	// Copy are the paths (relative to the repository root) named by
	// "<!-- doc-test: copy PATH -->" before the block: files the reader
	// has at hand, copied into the working directory before it runs.
	Copy []string
	// Skip is the reason the block is not run, or "".
	Skip string
	// Commands are the block's commands.
	Commands []Command
}

// Command is one command line of a block, as a reader would type it.
type Command struct {
	// Line is the file line the command starts on (1-based).
	Line int
	// Text is what is given to the shell, continuations and
	// here-documents included.
	Text string
	// Exit is the exit status the command must end with.
	Exit int
	// Want holds texts the command's output must contain.
	Want []string
	// Skip is the reason the command is not run, or "".
	Skip string
}

var (
	afterRE = regexp.MustCompile(`<!--\s*doc-test:\s*after\s+(\S+)\s*-->`)
	whereRE = regexp.MustCompile(`<!--\s*doc-test:\s*in\s+(.+?)\s*-->`)
	copyRE  = regexp.MustCompile(`<!--\s*doc-test:\s*copy\s+(\S+)\s*-->`)
	exitRE  = regexp.MustCompile(`\bexit (\d+)\b`)
	wantRE  = regexp.MustCompile(`\b(?:prints|says|shows) ((?:"[^"]+"(?:,\s*|\s+and\s+)?)+)`)
	quoted  = regexp.MustCompile(`"([^"]+)"`)
	heredoc = regexp.MustCompile(`<<-?\s*'?"?([A-Za-z_]+)'?"?`)
)

// Parse reads the runnable blocks of a Markdown page.
func Parse(markdown string) (*Page, error) {
	p := &Page{}
	if m := afterRE.FindStringSubmatch(markdown); m != nil {
		p.After = m[1]
	}
	lines := strings.Split(markdown, "\n")
	where := ""
	var copies []string
	for i := 0; i < len(lines); i++ {
		fence := strings.TrimSpace(lines[i])
		if m := whereRE.FindStringSubmatch(fence); m != nil {
			where = m[1]
		}
		if m := copyRE.FindStringSubmatch(fence); m != nil {
			copies = append(copies, m[1])
		}
		if !strings.HasPrefix(fence, "```") {
			continue
		}
		lang := strings.Fields(strings.TrimPrefix(fence, "```"))
		start := i
		var body []string
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; i++ {
			body = append(body, lines[i])
		}
		if i == len(lines) {
			return nil, fmt.Errorf("line %d: code block never closed", start+1)
		}
		if len(lang) == 0 || lang[0] != "sh" {
			continue
		}
		b, err := parseBlock(body, start+2)
		if err != nil {
			return nil, err
		}
		b.Line, b.Where, b.Copy, where, copies = start+1, where, copies, "", nil
		p.Blocks = append(p.Blocks, b)
	}
	return p, nil
}

func parseBlock(body []string, firstLine int) (Block, error) {
	var b Block
	if len(body) > 0 && strings.HasPrefix(strings.TrimSpace(body[0]), SkipMarker) {
		b.Skip = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(body[0]), SkipMarker))
		if b.Skip == "" {
			return b, fmt.Errorf("line %d: %q needs a reason", firstLine, SkipMarker)
		}
	}
	for i := 0; i < len(body); i++ {
		line := body[i]
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		c := Command{Line: firstLine + i}
		text := []string{line}
		var comments []string
		comments = append(comments, comment(line))
		for strings.HasSuffix(strings.TrimRight(codePart(line), " \t"), "\\") && i+1 < len(body) {
			i++
			line = body[i]
			text = append(text, line)
			comments = append(comments, comment(line))
		}
		if m := heredoc.FindStringSubmatch(codePart(text[0])); m != nil {
			end := m[1]
			for i+1 < len(body) {
				i++
				text = append(text, body[i])
				if strings.TrimSpace(body[i]) == end {
					break
				}
			}
		}
		c.Text = strings.Join(text, "\n")
		all := strings.Join(comments, " ")
		if m := exitRE.FindStringSubmatch(all); m != nil {
			c.Exit, _ = strconv.Atoi(m[1])
		}
		for _, m := range wantRE.FindAllStringSubmatch(all, -1) {
			for _, q := range quoted.FindAllStringSubmatch(m[1], -1) {
				c.Want = append(c.Want, q[1])
			}
		}
		if strings.Contains(all, "not run here") {
			c.Skip = strings.TrimSpace(all)
		}
		b.Commands = append(b.Commands, c)
	}
	return b, nil
}

// codePart is line without its trailing comment.
func codePart(line string) string {
	if i := commentStart(line); i >= 0 {
		return line[:i]
	}
	return line
}

// comment is the trailing comment of line, without the '#'.
func comment(line string) string {
	if i := commentStart(line); i >= 0 {
		return strings.TrimSpace(line[i+1:])
	}
	return ""
}

// commentStart finds a '#' that starts a shell comment: at the start of a
// word and outside quotes.
func commentStart(line string) int {
	var quote rune
	for i, r := range line {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t'):
			return i
		}
	}
	return -1
}
