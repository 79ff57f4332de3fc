// Package gittest runs git for tests, away from the user's and the
// system's configuration and with a fixed identity.
package gittest

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Isolated keeps git away from the user's and the system's configuration.
var Isolated = []string{"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1", "GIT_TERMINAL_PROMPT=0"}

// Run runs git in dir as Alice and returns its trimmed output; a failure
// fails the test.
func Run(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), Isolated...)
	cmd.Env = append(cmd.Env, "GIT_AUTHOR_NAME=Alice", "GIT_AUTHOR_EMAIL=alice@example.org",
		"GIT_COMMITTER_NAME=Alice", "GIT_COMMITTER_EMAIL=alice@example.org")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}
