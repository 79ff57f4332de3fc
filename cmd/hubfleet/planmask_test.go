package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubfleet/hubfleet/internal/gittest"
)

// TestPlanMasksSecretsOfTheBase plans the removal of plain-text secrets that
// an earlier, unguarded commit put into a site's overlay, so the base ref
// holds them and the diff shows them as removed lines. Whatever the output
// format, the plan must show the change but no byte of any of them: a value
// at a secret-named key, the value of a list-form env var whose name is on
// the line above it, and a GitHub token inside hub.extraConfig code.
func TestPlanMasksSecretsOfTheBase(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	work := planFleet(t, "http://127.0.0.1:9/unused")
	const (
		dbPassword = "Plain-Leaked-Pw-9xQ2"
		envValue   = "Lst-Leaked-Pw-4qR7z"
		ghToken    = "ghp_R2d2C3poBb8Ll4Yy6Hh0Kk9Mm1Nn3Pp5Qq7"
	)
	hr := filepath.Join(work, "overlays/egi-pangeo/helmrelease-daskhub.yaml")
	editFile(t, hr, "      hub:\n        config:\n", "      hub:\n"+
		"        db:\n          password: "+dbPassword+"\n"+
		"        extraEnv:\n        - name: DB_PASSWORD\n          value: "+envValue+"\n"+
		"        extraConfig:\n          github: |\n            c.Spawner.environment = {\"GH\": \""+ghToken+"\"}\n"+
		"        config:\n")
	gittest.Run(t, work, "commit", "-q", "-am", "an unguarded commit of plain-text secrets")
	gittest.Run(t, work, "push", "-q", "origin", "main")
	// The fix: the overlay as hubfleet renders it, without them.
	gittest.Run(t, work, "checkout", "HEAD~1", "--", "overlays/egi-pangeo/helmrelease-daskhub.yaml")

	for _, format := range []string{"text", "markdown", "json"} {
		t.Run(format, func(t *testing.T) {
			r := hubfleet(t, "", "plan", "--root", work, "--base", "origin/main", "--charts=false", "-o", format)
			if r.code != exitOK {
				t.Fatalf("plan: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			// The plan shows the removal, so the masking is what hides them.
			for _, shown := range []string{"egi-pangeo", "DB_PASSWORD", "extraConfig"} {
				if !strings.Contains(r.stdout, shown) {
					t.Errorf("the plan does not show %q: the removal is not in it\n%s", shown, r.stdout)
				}
			}
			for name, secret := range map[string]string{"hub.db.password": dbPassword, "DB_PASSWORD": envValue, "GitHub token": ghToken} {
				if l := leaks(r.stdout+r.stderr, secret, ""); l != "" {
					t.Errorf("the %s plan shows the %s of the base: %s", format, name, l)
				}
			}
		})
	}
}
