package docscript_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hubfleet/hubfleet/internal/docgen"
	"github.com/hubfleet/hubfleet/internal/fleettest"
)

var (
	mdLink   = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	mdHeader = regexp.MustCompile(`(?m)^#+ (.+)$`)
	fenced   = regexp.MustCompile("(?ms)^\\s*```.*?^\\s*```")
	codeSpan = regexp.MustCompile("`[^`\n]*`")
)

// TestLinks checks every relative link of README.md, action/README.md and
// every page under docs/: the file exists, and so does the heading an
// anchor names.
func TestLinks(t *testing.T) {
	t.Parallel()
	root := fleettest.Root(t)
	files := append(pages(t, root), "action/README.md")
	total := 0
	for _, page := range files {
		data, err := os.ReadFile(filepath.Join(root, page))
		if err != nil {
			t.Fatal(err)
		}
		text := codeSpan.ReplaceAllString(fenced.ReplaceAllString(string(data), ""), "")
		for _, m := range mdLink.FindAllStringSubmatch(text, -1) {
			link := m[1]
			if strings.Contains(link, "://") || strings.HasPrefix(link, "mailto:") {
				continue
			}
			total++
			file, frag, _ := strings.Cut(link, "#")
			target := filepath.Join(root, filepath.Dir(page), file)
			if file == "" {
				target = filepath.Join(root, page)
			}
			if !strings.HasPrefix(target, root) {
				t.Errorf("%s links %s, outside the repository", page, link)
				continue
			}
			st, err := os.Stat(target)
			if err != nil {
				t.Errorf("%s links %s, which does not exist", page, link)
				continue
			}
			if frag == "" {
				continue
			}
			if st.IsDir() {
				t.Errorf("%s links %s: an anchor on a directory", page, link)
				continue
			}
			content, err := os.ReadFile(target)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, h := range mdHeader.FindAllStringSubmatch(fenced.ReplaceAllString(string(content), ""), -1) {
				found = found || docgen.Anchor(h[1]) == frag
			}
			if !found {
				t.Errorf("%s links %s: no heading with anchor #%s", page, link, frag)
			}
		}
	}
	if total < 50 {
		t.Errorf("only %d relative links in %d pages: is the pattern right?", total, len(files))
	}
}

// TestReadmeLength keeps the README a front page: at most 250 lines.
func TestReadmeLength(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join(fleettest.Root(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "\n"); n > 250 {
		t.Errorf("README.md has %d lines; keep it at most 250 and move detail to docs/", n)
	}
}
