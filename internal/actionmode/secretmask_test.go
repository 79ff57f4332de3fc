package actionmode_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hubfleet/hubfleet/internal/gittest"
	"github.com/hubfleet/hubfleet/internal/report/reporttest"
)

// TestPlanMasksSecretsOfTheBase plans, as the pull request check, the
// removal of plain-text secrets that an earlier, unguarded commit on main
// put into a site's overlay: the base holds them and the plan's diff shows
// them as removed lines. Each must be registered with ::add-mask:: before
// anything prints it, appear nowhere else in the log, and have no 10-byte
// piece in the job summary or the pull request comment, which GitHub does
// not mask, while both still show the change.
func TestPlanMasksSecretsOfTheBase(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	secrets := map[string]string{
		"hub.db.password":        "Plain-Leaked-Pw-9xQ2",
		"list-form DB_PASSWORD":  "Lst-Leaked-Pw-4qR7z",
		"GitHub token in Python": "ghp_R2d2C3poBb8Ll4Yy6Hh0Kk9Mm1Nn3Pp5Qq7",
	}
	const hr = "overlays/egi-pangeo/helmrelease-daskhub.yaml"
	gittest.Run(t, f.work, "switch", "--quiet", "-C", "main", "origin/main")
	f.replace(f.work, hr, "      hub:\n        config:\n", "      hub:\n"+
		"        db:\n          password: "+secrets["hub.db.password"]+"\n"+
		"        extraEnv:\n        - name: DB_PASSWORD\n          value: "+secrets["list-form DB_PASSWORD"]+"\n"+
		"        extraConfig:\n          github: |\n            c.Spawner.environment = {\"GH\": \""+secrets["GitHub token in Python"]+"\"}\n"+
		"        config:\n")
	gittest.Run(t, f.work, "commit", "--quiet", "-am", "An unguarded commit of plain-text secrets")
	gittest.Run(t, f.work, "push", "--quiet", "origin", "main")
	gittest.Run(t, f.work, "switch", "--quiet", "-C", "remove-secrets", "origin/main")
	gittest.Run(t, f.work, "checkout", "HEAD~1", "--", hr)
	gittest.Run(t, f.work, "commit", "--quiet", "-m", "Remove the plain-text secrets")

	res := f.run("plan", "pull_request", nil, nil)
	if res.err != nil {
		t.Fatalf("plan: %v\n%s", res.err, res.log)
	}
	comments := f.srv.Comments(7)
	if len(comments) != 1 {
		t.Fatalf("comments = %d, want 1", len(comments))
	}
	body := comments[0].Body
	for _, shown := range []string{"egi-pangeo", "DB_PASSWORD", "extraConfig"} {
		if !strings.Contains(body, shown) || !strings.Contains(res.summary, shown) {
			t.Errorf("the comment or summary lacks %q: the removal is not in them, so the check below proves nothing", shown)
		}
	}
	masks := reporttest.Masks(res.log)
	for name, secret := range secrets {
		if !slices.Contains(masks, secret) {
			t.Errorf("the %s is not registered with ::add-mask:: (masks: %d)", name, len(masks))
		}
		if n := strings.Count(res.log, secret); n != 1 {
			t.Errorf("the %s appears %d times in the log, want once (in ::add-mask::)", name, n)
		}
		if strings.Index(res.log, secret) > strings.Index(res.log, "::group::") {
			t.Errorf("the %s is masked after the log's first site group", name)
		}
		for where, text := range map[string]string{"comment": body, "job summary": res.summary} {
			if p := piece(text, secret); p != "" {
				t.Errorf("the %s has %s in the %s", name, p, where)
			}
		}
	}
}

// piece returns a 10-byte window of secret found in text, or "".
func piece(text, secret string) string {
	for i := 0; i+10 <= len(secret); i++ {
		if strings.Contains(text, secret[i:i+10]) {
			return fmt.Sprintf("bytes %d-%d", i, i+10)
		}
	}
	return ""
}
