package scaffold

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubfleet/hubfleet/action"
	"github.com/hubfleet/hubfleet/internal/buildinfo"
	"github.com/hubfleet/hubfleet/internal/fleettest"
	"github.com/hubfleet/hubfleet/internal/site"
)

const testSHA = "0123456789abcdef0123456789abcdef01234567"

// TestWorkflowTemplatesAreTheRepositorysWorkflows keeps the fleet's
// workflows equal to this repository's own, but for the action reference.
func TestWorkflowTemplatesAreTheRepositorysWorkflows(t *testing.T) {
	t.Parallel()
	entries, err := templates.ReadDir("templates/workflows")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) == 0 {
		t.Fatal("no workflow templates")
	}
	for _, e := range entries {
		tmpl, err := templates.ReadFile("templates/workflows/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		own, err := os.ReadFile(filepath.Join(fleettest.Root(t), ".github/workflows", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(own), strings.ReplaceAll(string(tmpl), "uses: [[.Action]]", "uses: ./action")); diff != "" {
			t.Errorf("templates/workflows/%s differs from .github/workflows/%s (-repo +template):\n%s", e.Name(), e.Name(), diff)
		}
	}
}

func TestFleetWorkflowsPassTheRules(t *testing.T) {
	t.Parallel()
	files, err := Fleet(FleetOptions{Name: "f", Version: "v1.2.3", Action: ActionRef{Repo: DefaultActionRepo, Ref: testSHA, Comment: "v1.2.3"}})
	if err != nil {
		t.Fatal(err)
	}
	workflows := map[string][]byte{}
	for _, f := range files {
		if strings.HasPrefix(f.Path, ".github/workflows/") {
			workflows[f.Path] = f.Data
			if !bytes.Contains(f.Data, []byte("uses: hubfleet/hubfleet/action@"+testSHA+" # v1.2.3\n")) {
				t.Errorf("%s does not use the pinned action", f.Path)
			}
			for _, p := range action.WorkflowProblems(f.Data) {
				t.Errorf("%s: %s", f.Path, p)
			}
		}
	}
	if len(workflows) != 5 {
		t.Fatalf("%d workflows, want 5", len(workflows))
	}
	probs, err := action.Lint(workflows, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range probs {
		t.Errorf("actionlint: %s", p)
	}
	// The rules can fail: a tag pin is not a SHA pin.
	bad, _ := Fleet(FleetOptions{Name: "f", Action: ActionRef{Repo: DefaultActionRepo, Ref: "main"}})
	for _, f := range bad {
		if strings.HasPrefix(f.Path, ".github/workflows/") && len(action.WorkflowProblems(f.Data)) == 0 {
			t.Errorf("%s pinned to main passes the SHA rule", f.Path)
		}
	}
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.org", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.org")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestResolveAction asks a real git repository for the release's commit.
func TestResolveAction(t *testing.T) {
	t.Parallel()
	repo := t.TempDir()
	git(t, repo, "init", "-q", "-b", "main")
	git(t, repo, "commit", "-q", "--allow-empty", "-m", "one")
	git(t, repo, "tag", "-a", "-m", "release", "v1.2.3")
	tagged := git(t, repo, "rev-parse", "HEAD")
	git(t, repo, "commit", "-q", "--allow-empty", "-m", "two")
	head := git(t, repo, "rev-parse", "HEAD")
	ctx := context.Background()

	tests := []struct {
		name     string
		bi       buildinfo.Info
		o        ResolveOptions
		want     ActionRef
		warnings int
	}{
		{name: "release", bi: buildinfo.Info{Version: "v1.2.3"}, o: ResolveOptions{RemoteURL: repo},
			want: ActionRef{Repo: DefaultActionRepo, Ref: tagged, Comment: "v1.2.3"}},
		{name: "release, offline", bi: buildinfo.Info{Version: "v1.2.3"}, o: ResolveOptions{RemoteURL: filepath.Join(repo, "nowhere")},
			want: ActionRef{Repo: DefaultActionRepo, Ref: "v1.2.3"}, warnings: 1},
		{name: "explicit ref", bi: buildinfo.Info{Version: "v1.2.3"}, o: ResolveOptions{Ref: testSHA},
			want: ActionRef{Repo: DefaultActionRepo, Ref: testSHA, Comment: "v1.2.3"}},
		{name: "checkout build", bi: buildinfo.Info{Version: "(devel)", Commit: testSHA}, o: ResolveOptions{RemoteURL: repo},
			want: ActionRef{Repo: DefaultActionRepo, Ref: testSHA, Comment: "development build (devel)"}, warnings: 1},
		{name: "pseudo-version at a branch head", bi: buildinfo.Info{Version: "v0.0.0-20261201101500-" + head[:12]}, o: ResolveOptions{RemoteURL: repo},
			want: ActionRef{Repo: DefaultActionRepo, Ref: head, Comment: "v0.0.0-20261201101500-" + head[:12]}},
		{name: "go run", bi: buildinfo.Info{Version: "(devel)"}, o: ResolveOptions{RemoteURL: repo},
			want: ActionRef{Repo: DefaultActionRepo, Ref: "main"}, warnings: 1},
		{name: "a fork", bi: buildinfo.Info{Version: "v1.2.3"}, o: ResolveOptions{Repo: "me/hubfleet", RemoteURL: repo},
			want: ActionRef{Repo: "me/hubfleet", Ref: tagged, Comment: "v1.2.3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, warnings := ResolveAction(ctx, tt.bi, tt.o)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ResolveAction (-want +got):\n%s", diff)
			}
			if len(warnings) != tt.warnings {
				t.Errorf("warnings %q, want %d", warnings, tt.warnings)
			}
		})
	}
}

// siteFlags are complete settings for a site of each provider.
func siteFlags() map[string]SiteOptions {
	return map[string]SiteOptions{
		"egi-checkin": {Name: "egi", Provider: "egi-checkin", Host: "egi.example.org", ClientID: "c", EGIVO: "vo.example.org"},
		"cognito": {Name: "aws", Provider: "cognito", Host: "aws.example.org", TLS: "autohttps", ContactEmail: "ops@example.org",
			ClientID: "c", CognitoRegion: "us-east-1", CognitoPool: "us-east-1_AbCdEf123", CognitoDomain: "hub"},
		"azuread": {Name: "az", Provider: "azuread", Host: "az.example.org", TLS: "secret", SecretName: "hub-tls",
			ClientID: "c", AzureTenant: "72f988bf-86f1-41af-91ab-2d7cd011db47"},
		"oidc":   {Name: "oidc", Provider: "oidc", Host: "oidc.example.org", ClientID: "c", OIDCIssuer: "https://id.example.org", AllowedUsers: []string{"alice"}},
		"native": {Name: "dev", Provider: "native", Host: "dev.example.org", Admins: []string{"admin"}},
	}
}

func testFleet(t *testing.T) *site.Fleet {
	t.Helper()
	files, err := Fleet(FleetOptions{Name: "f", Action: ActionRef{Repo: DefaultActionRepo, Ref: testSHA}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f.Path == "bases/daskhub/fleet.yaml" {
			fl, err := site.DecodeFleet(f.Path, f.Data)
			if err != nil {
				t.Fatal(err)
			}
			if err := site.ValidateFleet(fl); err != nil {
				t.Fatal(err)
			}
			return fl
		}
	}
	t.Fatal("no fleet file")
	return nil
}

func TestSiteOfEachProviderValidates(t *testing.T) {
	t.Parallel()
	fl := testFleet(t)
	for provider, o := range siteFlags() {
		t.Run(provider, func(t *testing.T) {
			t.Parallel()
			o.AgeRecipient = "age1t255yukv0qgeq5x4usszz0ezfh8u0y9aqz28t9zj7k3uesg8s3mqv9d2yl"
			data, err := Site(o)
			if err != nil {
				t.Fatal(err)
			}
			s, err := site.DecodeSite("clusters/"+o.Name+"/site.yaml", data)
			if err != nil {
				t.Fatalf("%v\n%s", err, data)
			}
			if err := site.Validate(s, fl); err != nil {
				t.Fatalf("%v\n%s", err, data)
			}
			if s.Spec.Auth.Provider != provider {
				t.Errorf("provider %s, want %s", s.Spec.Auth.Provider, provider)
			}
		})
	}
}

func TestSiteNamesEveryMissingFlag(t *testing.T) {
	t.Parallel()
	_, err := Site(SiteOptions{Name: "x", Provider: "cognito"})
	if err == nil {
		t.Fatal("no error for a site without its settings")
	}
	for _, flag := range []string{"--host", "--client-id", "--cognito-region", "--cognito-user-pool", "--cognito-domain"} {
		if !strings.Contains(err.Error(), flag) {
			t.Errorf("error %q does not name %s", err, flag)
		}
	}
	if _, err := Site(SiteOptions{Name: "x", Provider: "github", Host: "h.example.org", ClientID: "c"}); err == nil || !strings.Contains(err.Error(), "egi-checkin, cognito") {
		t.Errorf("unknown provider: %v", err)
	}
}

// TestPromptAsksOnlyForWhatIsMissing drives the line prompter with
// scripted answers: a wrong choice is asked again, defaults apply.
func TestPromptAsksOnlyForWhatIsMissing(t *testing.T) {
	t.Parallel()
	o := SiteOptions{Name: "egi", Host: "egi.example.org"}
	o.Defaults()
	var out bytes.Buffer
	in := strings.NewReader("github\negi-checkin\n\nmy-client\nvo.example.org\nalice, bob\n")
	if err := o.Ask(NewLinePrompter(in, &out)); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	want := SiteOptions{Name: "egi", Host: "egi.example.org", Provider: "egi-checkin", TLS: "cert-manager", ClientID: "my-client",
		EGIVO: "vo.example.org", Admins: []string{"alice", "bob"}, Context: "egi", Image: DefaultImage,
		ClusterIssuer: "letsencrypt-prod", IngressClass: "nginx", EGIInstance: "prod"}
	if diff := cmp.Diff(want, o); diff != "" {
		t.Errorf("options (-want +got):\n%s", diff)
	}
	got := out.String()
	if strings.Contains(got, "Public DNS name") {
		t.Errorf("asked for the host, which a flag gave:\n%s", got)
	}
	if !strings.Contains(got, "choose one of: egi-checkin") {
		t.Errorf("a wrong choice was not asked again:\n%s", got)
	}
	// Input that ends before every answer is an error, not a half site.
	o2 := SiteOptions{Name: "x"}
	if err := o2.Ask(NewLinePrompter(strings.NewReader("h.example.org\n"), &out)); err == nil || !strings.Contains(err.Error(), "--provider") {
		t.Errorf("ended input: %v", err)
	}
}

func TestFleetName(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"my-fleet": "my-fleet", "My_Fleet.git": "my-fleet-git", "---": "fleet", "Fleet 2026": "fleet-2026"} {
		if got := FleetName(in); got != want {
			t.Errorf("FleetName(%q) = %q, want %q", in, got, want)
		}
	}
}
