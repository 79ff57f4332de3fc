package markdown_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubfleet/hubfleet/internal/markdown"
)

func TestFence(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, text, want string }{
		{"plain", "a\n", "```diff\na\n```\n"},
		{"backticks inside", "x ``` y", "````diff\nx ``` y\n````\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, markdown.Fence("diff", tt.text)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestCell(t *testing.T) {
	t.Parallel()
	if diff := cmp.Diff(`a \| b &lt;c> d -> e`, markdown.Cell("a | b <c>\nd -> e")); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
