package main

import (
	"os"
	"testing"
)

// The README's and the docs' shell blocks run in internal/docscript
// (TestDocScripts), which also checks every relative link (TestLinks);
// the generated references are checked by TestGeneratedDocs
// (docs_test.go).

func mustRead(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
