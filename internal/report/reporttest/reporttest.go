// Package reporttest reads back what a report.Actions reporter wrote, so tests
// can check outputs and annotations the way the GitHub runner would see them.
package reporttest

import (
	"bufio"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/hubfleet/hubfleet/internal/report"
)

// ParseOutputs parses a GITHUB_OUTPUT file: "name=value" lines and
// "name<<DELIM" heredocs.
func ParseOutputs(data string) (map[string]string, error) {
	out := map[string]string{}
	lines := strings.Split(data, "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if line == "" {
			continue
		}
		if name, delim, ok := strings.Cut(line, "<<"); ok && !strings.Contains(name, "=") {
			var val []string
			j := i + 1
			for ; j < len(lines) && lines[j] != delim; j++ {
				val = append(val, lines[j])
			}
			if j == len(lines) {
				return nil, fmt.Errorf("output %s: missing delimiter %s", name, delim)
			}
			out[name] = strings.Join(val, "\n")
			i = j
			continue
		}
		name, val, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("output line %d: %q is neither name=value nor a heredoc", i+1, line)
		}
		out[name] = val
	}
	return out, nil
}

// ParseAnnotations returns the ::error/::warning/::notice commands in a
// workflow log, unescaped.
func ParseAnnotations(log string) ([]report.Annotation, error) {
	var anns []report.Annotation
	sc := bufio.NewScanner(strings.NewReader(log))
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "::") {
			continue
		}
		cmd, msg, ok := strings.Cut(line[2:], "::")
		if !ok {
			continue
		}
		name, props, _ := strings.Cut(cmd, " ")
		var a report.Annotation
		switch name {
		case "error":
			a.Level = report.LevelError
		case "warning":
			a.Level = report.LevelWarning
		case "notice":
			a.Level = report.LevelNotice
		default:
			continue
		}
		a.Message = unescape(msg)
		if props != "" {
			for _, kv := range strings.Split(props, ",") {
				k, v, _ := strings.Cut(kv, "=")
				v = unescape(v)
				var err error
				switch k {
				case "file":
					a.File = v
				case "title":
					a.Title = v
				case "line":
					a.Line, err = strconv.Atoi(v)
				case "endLine":
					a.EndLine, err = strconv.Atoi(v)
				case "col":
					a.Col, err = strconv.Atoi(v)
				}
				if err != nil {
					return nil, fmt.Errorf("annotation %q: %s: %w", line, k, err)
				}
			}
		}
		anns = append(anns, a)
	}
	return anns, sc.Err()
}

// Masks returns the values registered with ::add-mask::.
func Masks(log string) []string {
	var m []string
	for _, line := range strings.Split(log, "\n") {
		if v, ok := strings.CutPrefix(line, "::add-mask::"); ok {
			m = append(m, unescape(v))
		}
	}
	return m
}

// Groups returns the titles of the ::group:: sections in order.
func Groups(log string) []string {
	var g []string
	for _, line := range strings.Split(log, "\n") {
		if v, ok := strings.CutPrefix(line, "::group::"); ok {
			g = append(g, unescape(v))
		}
	}
	return g
}

func unescape(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}
