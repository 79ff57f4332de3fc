package main

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/hubfleet/hubfleet/internal/output"
	"github.com/hubfleet/hubfleet/internal/verify"
)

// writeVerifyText writes verify's table, its statuses coloured on a terminal.
func writeVerifyText(w io.Writer, results []verify.Result, st output.Style) error {
	var b bytes.Buffer
	if err := verify.WriteTable(&b, results); err != nil {
		return err
	}
	colour := map[string]func(string) string{
		"PASS": st.Good, "WARN": st.Warn, "UNKNOWN": st.Warn, "FAIL": st.Bad,
	}
	// Colour after alignment, so escape codes do not upset the columns.
	var out strings.Builder
	for _, line := range strings.SplitAfter(b.String(), "\n") {
		for word, c := range colour {
			if i := strings.Index(line, "  "+word+"  "); i >= 0 {
				line = line[:i+2] + c(word) + line[i+2+len(word):]
				break
			}
		}
		out.WriteString(line)
	}
	_, err := fmt.Fprint(w, out.String())
	return err
}
