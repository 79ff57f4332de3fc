package main

import (
	"bytes"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubfleet/hubfleet/internal/fleettest"
)

// TestSiteNewOnATerminal runs the built binary's 'site new' under a
// pseudo-terminal (util-linux script), answers its questions as they are
// asked, and checks that the site it writes validates.
func TestSiteNewOnATerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	scriptBin, err := exec.LookPath("script")
	if err != nil {
		t.Skip("no script (util-linux) to run the binary under a pseudo-terminal")
	}
	bin := fleettest.CLI(t)
	root := filepath.Join(t.TempDir(), "fleet")
	if r := hubfleet(t, "", "init", root, "--action-ref", testActionSHA); r.code != exitOK {
		t.Fatalf("init: %s", r.stderr)
	}
	cmd := exec.Command(scriptBin, "-qec", bin+" site new tty-hub --root "+root, "/dev/null")
	cmd.Env = append(cmd.Environ(), "NO_COLOR=1", "TERM=dumb")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var screen bytes.Buffer
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	copied := make(chan struct{})
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := stdout.Read(buf)
			mu.Lock()
			screen.Write(buf[:n])
			mu.Unlock()
			if err != nil {
				close(copied)
				return
			}
		}
	}()
	shown := func() string { mu.Lock(); defer mu.Unlock(); return screen.String() }
	// Each question, and the answer typed once it shows; the host comes
	// first, then only what the provider needs.
	for _, qa := range []struct{ question, answer string }{
		{"Public DNS name of the hub:", "tty.example.org"},
		{"How do users log in (egi-checkin, cognito, azuread, oidc, native):", "oidc"},
		{"How is HTTPS terminated (cert-manager, autohttps, secret) [cert-manager]:", "autohttps"},
		{"Let's Encrypt contact e-mail:", "ops@example.org"},
		{"OAuth client id (from the provider's app registration):", "tty-client"},
		{"OpenID Connect issuer URL:", "https://id.example.org"},
		{"Who may log in (usernames, comma separated; * for everyone the issuer authenticates):", "alice,bob"},
		{"Hub admins (usernames, comma separated; empty for none):", "alice"},
	} {
		deadline := time.Now().Add(time.Minute) // a hang guard, not a timing
		for !strings.HasSuffix(strings.TrimRight(shown(), " "), qa.question) {
			if time.Now().After(deadline) {
				_ = cmd.Process.Kill()
				t.Fatalf("never asked %q; the terminal shows:\n%s", qa.question, shown())
			}
			time.Sleep(10 * time.Millisecond)
		}
		if _, err := io.WriteString(stdin, qa.answer+"\r"); err != nil {
			t.Fatal(err)
		}
	}
	<-copied
	if err := cmd.Wait(); err != nil {
		t.Fatalf("site new on a terminal: %v\n%s", err, shown())
	}
	out := shown()
	if !strings.Contains(out, "created clusters/tty-hub/site.yaml") {
		t.Errorf("site new did not write the site:\n%s", out)
	}
	if r := hubfleet(t, "", "secret", "keygen", "--root", root, "--site", "tty-hub", "--out", filepath.Join(t.TempDir(), "k.agekey")); r.code != exitOK {
		t.Fatalf("keygen: %s", r.stderr)
	}
	// Until its client secret is stored, validate says what render
	// would refuse, with the command that fixes it; then it validates.
	if r := hubfleet(t, "", "validate", "--root", root); r.code != exitProblems || !strings.Contains(r.stderr, "hubfleet secret set --site tty-hub") {
		t.Errorf("the site written on a terminal, without its secret: exit %d, want 1 naming secret set\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := hubfleet(t, "not-a-real-client-secret\n", "secret", "set", "--site", "tty-hub", "--root", root); r.code != exitOK {
		t.Fatalf("secret set: exit %d\n%s", r.code, r.stderr)
	}
	if r := hubfleet(t, "", "validate", "--root", root); r.code != exitOK || !strings.Contains(r.stdout, "1 site(s) valid") {
		t.Errorf("the site written on a terminal does not validate: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
