package github_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	gogithub "github.com/google/go-github/v60/github"

	"github.com/hubfleet/hubfleet/internal/github"
	"github.com/hubfleet/hubfleet/internal/github/githubtest"
)

const token = "ghs_testtoken"

// newClient returns a client for the fake and the sleeps it asked for.
func newClient(t *testing.T, srv *githubtest.Server) (*github.Client, *[]time.Duration) {
	t.Helper()
	var slept []time.Duration
	opts := github.DefaultOptions()
	opts.Token = token
	opts.APIURL = srv.URL()
	opts.Owner, opts.Repo = srv.Owner, srv.Repo
	opts.Sleep = func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }
	c, err := github.NewClient(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c, &slept
}

func TestUpsertCommentPaginatesAndNeverDuplicates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := githubtest.NewServer(t, "fleet", "hubs", token)
	for i := range 250 {
		srv.AddComment(7, "alice", fmt.Sprintf("comment %d", i))
	}
	srv.AddComment(8, "hubfleet[bot]", github.PlanMarker+"\nplan of another PR")
	c, _ := newClient(t, srv)

	steps := []struct {
		body       string
		wantAction github.Action
	}{
		{body: "plan v1", wantAction: github.Created},
		{body: "plan v2", wantAction: github.Updated},
		{body: "plan v2", wantAction: github.Unchanged},
		{body: github.PlanMarker + "\nplan v3", wantAction: github.Updated},
	}
	var id int64
	for i, st := range steps {
		before := len(srv.Requests())
		res, err := c.UpsertComment(ctx, 7, github.PlanMarker, st.body)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if res.Action != st.wantAction {
			t.Errorf("step %d: action = %s, want %s", i, res.Action, st.wantAction)
		}
		if i == 0 {
			id = res.ID
		} else if res.ID != id {
			t.Errorf("step %d: comment id = %d, want the first comment %d", i, res.ID, id)
		}
		if i == 0 {
			// The new comment is on page 3 only after it exists, so the
			// first upsert must read all three pages before creating.
			var calls []string
			for _, r := range srv.Requests()[before:] {
				calls = append(calls, r.String()+" page="+r.Query.Get("page"))
			}
			want := []string{
				"GET repos/fleet/hubs/issues/7/comments page=",
				"GET repos/fleet/hubs/issues/7/comments page=2",
				"GET repos/fleet/hubs/issues/7/comments page=3",
				"POST repos/fleet/hubs/issues/7/comments page=",
			}
			if diff := cmp.Diff(want, calls); diff != "" {
				t.Errorf("first upsert calls (-want +got):\n%s", diff)
			}
		}
	}

	var marked []string
	for _, cm := range srv.Comments(7) {
		if strings.Contains(cm.Body, github.PlanMarker) {
			marked = append(marked, cm.Body)
		}
	}
	if diff := cmp.Diff([]string{github.PlanMarker + "\nplan v3"}, marked); diff != "" {
		t.Errorf("marked comments on #7 (-want +got):\n%s", diff)
	}
	if got := len(srv.Comments(7)); got != 251 {
		t.Errorf("comments on #7 = %d, want 251", got)
	}
	if got := srv.Comments(8)[0].Body; got != github.PlanMarker+"\nplan of another PR" {
		t.Errorf("comment on #8 changed to %q", got)
	}
}

func TestUpsertCommentRetryFindsLandedWrite(t *testing.T) {
	t.Parallel()
	srv := githubtest.NewServer(t, "fleet", "hubs", token)
	c, slept := newClient(t, srv)
	// The create lands, but the gateway answers 502: the retry must find
	// the comment instead of posting a second one.
	f := githubtest.ServerError(http.MethodPost, "repos/fleet/hubs/issues/3/comments", http.StatusBadGateway)
	f.Apply = true
	srv.Inject(f)

	res, err := c.UpsertComment(context.Background(), 3, github.PlanMarker, "plan")
	if err != nil {
		t.Fatal(err)
	}
	if res.Action != github.Unchanged {
		t.Errorf("action = %s, want %s (found the landed comment)", res.Action, github.Unchanged)
	}
	if got := len(srv.Comments(3)); got != 1 {
		t.Errorf("comments = %d, want 1", got)
	}
	wantCalls := []string{
		"GET repos/fleet/hubs/issues/3/comments",
		"POST repos/fleet/hubs/issues/3/comments",
		"GET repos/fleet/hubs/issues/3/comments",
	}
	if diff := cmp.Diff(wantCalls, srv.Calls()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	if len(*slept) != 1 {
		t.Errorf("slept %v, want one backoff", *slept)
	}
}

func TestAPIErrors(t *testing.T) {
	t.Parallel()
	const path = "repos/fleet/hubs/issues/1/comments"
	tests := []struct {
		name      string
		token     string
		repo      string
		faults    []githubtest.Fault
		wantKind  github.ErrorKind // "" means success
		wantAs    any
		wantCalls int
		wantSleep int
	}{
		{
			name:      "bad credentials",
			token:     "wrong",
			wantKind:  github.KindUnauthorized,
			wantAs:    new(*gogithub.ErrorResponse),
			wantCalls: 1,
		},
		{
			name:      "unknown repository",
			repo:      "nope",
			wantKind:  github.KindNotFound,
			wantAs:    new(*gogithub.ErrorResponse),
			wantCalls: 1,
		},
		{
			name:      "primary rate limit resetting in an hour fails without waiting",
			faults:    []githubtest.Fault{githubtest.RateLimited(http.MethodGet, path, time.Now().Add(time.Hour))},
			wantKind:  github.KindRateLimited,
			wantAs:    new(*gogithub.RateLimitError),
			wantCalls: 1,
		},
		{
			name:      "secondary rate limit with a long Retry-After fails",
			faults:    []githubtest.Fault{githubtest.SecondaryRateLimited(http.MethodGet, path, 3600)},
			wantKind:  github.KindSecondaryRateLimited,
			wantAs:    new(*gogithub.AbuseRateLimitError),
			wantCalls: 1,
		},
		{
			name:      "secondary rate limit with Retry-After 0 is retried",
			faults:    []githubtest.Fault{githubtest.SecondaryRateLimited(http.MethodGet, path, 0)},
			wantCalls: 3, // GET (limited), GET, POST
			wantSleep: 1,
		},
		{
			name:      "503 once is retried",
			faults:    []githubtest.Fault{githubtest.ServerError(http.MethodGet, path, http.StatusServiceUnavailable)},
			wantCalls: 3,
			wantSleep: 1,
		},
		{
			name: "500 on every attempt gives up after three",
			faults: []githubtest.Fault{func() githubtest.Fault {
				f := githubtest.ServerError(http.MethodGet, path, http.StatusInternalServerError)
				f.Times = 5
				return f
			}()},
			wantKind:  github.KindServer,
			wantAs:    new(*gogithub.ErrorResponse),
			wantCalls: 3,
			wantSleep: 2,
		},
		{
			name: "validation failure is not retried",
			faults: []githubtest.Fault{{Method: http.MethodPost, Path: path, Status: http.StatusUnprocessableEntity,
				Body: `{"message":"Validation Failed","errors":[{"resource":"IssueComment","code":"custom","field":"body","message":"body is too long"}]}`}},
			wantKind:  github.KindValidation,
			wantAs:    new(*gogithub.ErrorResponse),
			wantCalls: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := githubtest.NewServer(t, "fleet", "hubs", token)
			for _, f := range tt.faults {
				srv.Inject(f)
			}
			opts := github.DefaultOptions()
			opts.Token = token
			if tt.token != "" {
				opts.Token = tt.token
			}
			opts.APIURL = srv.URL()
			opts.Owner, opts.Repo = "fleet", "hubs"
			if tt.repo != "" {
				opts.Repo = tt.repo
			}
			var slept int
			opts.Sleep = func(context.Context, time.Duration) error { slept++; return nil }
			c, err := github.NewClient(opts)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.UpsertComment(context.Background(), 1, github.PlanMarker, "plan")
			if got := len(srv.Requests()); got != tt.wantCalls {
				t.Errorf("requests = %d, want %d: %v", got, tt.wantCalls, srv.Calls())
			}
			if slept != tt.wantSleep {
				t.Errorf("sleeps = %d, want %d", slept, tt.wantSleep)
			}
			if tt.wantKind == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			var ae *github.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("error %v is not an *APIError", err)
			}
			if ae.Kind != tt.wantKind {
				t.Errorf("kind = %q, want %q (%v)", ae.Kind, tt.wantKind, err)
			}
			if !errors.As(err, tt.wantAs) {
				t.Errorf("errors.As(%T) failed for %v", tt.wantAs, err)
			}
		})
	}
}

func TestEnsurePullRequest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := githubtest.NewServer(t, "fleet", "hubs", token)
	c, _ := newClient(t, srv)
	// Another bot branch's PR must be left alone.
	other, err := c.EnsurePullRequest(ctx, github.PullRequestSpec{Head: "hubfleet/rollback-a", Base: "main", Title: "rollback", Body: "x"})
	if err != nil {
		t.Fatal(err)
	}

	spec := github.PullRequestSpec{Head: "hubfleet/upgrade", Base: "main", Title: "Upgrade daskhub to 2024.1.1", Body: "v1"}
	steps := []struct {
		title, body string
		want        github.Action
	}{
		{title: spec.Title, body: "v1", want: github.Created},
		{title: spec.Title, body: "v1", want: github.Unchanged},
		{title: "Upgrade daskhub to 2024.2.0", body: "v2", want: github.Updated},
	}
	var number int
	for i, st := range steps {
		spec.Title, spec.Body = st.title, st.body
		res, err := c.EnsurePullRequest(ctx, spec)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if res.Action != st.want {
			t.Errorf("step %d: action = %s, want %s", i, res.Action, st.want)
		}
		if i == 0 {
			number = res.Number
		} else if res.Number != number {
			t.Errorf("step %d: pr = #%d, want #%d", i, res.Number, number)
		}
	}
	want := []githubtest.PullRequest{
		{Number: other.Number, State: "open", Title: "rollback", Body: "x",
			Head: githubtest.Branch{Label: "fleet:hubfleet/rollback-a", Ref: "hubfleet/rollback-a"},
			Base: githubtest.Branch{Label: "fleet:main", Ref: "main"}, URL: other.URL},
		{Number: number, State: "open", Title: "Upgrade daskhub to 2024.2.0", Body: "v2",
			Head: githubtest.Branch{Label: "fleet:hubfleet/upgrade", Ref: "hubfleet/upgrade"},
			Base: githubtest.Branch{Label: "fleet:main", Ref: "main"}, URL: "https://github.com/fleet/hubs/pull/2"},
	}
	if diff := cmp.Diff(want, srv.PullRequests()); diff != "" {
		t.Errorf("pull requests (-want +got):\n%s", diff)
	}
	for _, r := range srv.Requests() {
		if r.Method == http.MethodGet && r.Query.Get("head") == "" {
			t.Errorf("%s listed pull requests without a head filter", r)
		}
	}
}

func TestEnsurePullRequestRace(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := githubtest.NewServer(t, "fleet", "hubs", token)
	c, _ := newClient(t, srv)
	spec := github.PullRequestSpec{Head: "hubfleet/upgrade", Base: "main", Title: "t", Body: "old"}
	if _, err := c.EnsurePullRequest(ctx, spec); err != nil {
		t.Fatal(err)
	}
	// A concurrent run's list saw nothing; its create gets GitHub's 422.
	srv.Inject(githubtest.Fault{Method: http.MethodGet, Path: "repos/fleet/hubs/pulls", Status: http.StatusOK, Body: "[]"})
	spec.Body = "new"
	res, err := c.EnsurePullRequest(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	if res.Action != github.Updated || res.Number != 1 {
		t.Errorf("result = %+v, want #1 updated", res)
	}
	if n := len(srv.PullRequests()); n != 1 {
		t.Errorf("pull requests = %d, want 1", n)
	}
}

func TestSetStatuses(t *testing.T) {
	t.Parallel()
	srv := githubtest.NewServer(t, "fleet", "hubs", token)
	c, _ := newClient(t, srv)
	const sha = "0123456789abcdef0123456789abcdef01234567"
	long := strings.Repeat("é", 100) // 200 bytes
	err := c.SetStatuses(context.Background(), sha, []github.Status{
		{Context: "hubfleet/verify/a", State: github.StateSuccess, Description: "hub healthy", TargetURL: "https://example.org/run/1"},
		{Context: "hubfleet/verify/b", State: "bogus"},
		{Context: "hubfleet/verify/c", State: github.StateFailure, Description: long},
	})
	if err == nil || !strings.Contains(err.Error(), `invalid state "bogus"`) {
		t.Errorf("err = %v, want the invalid state reported", err)
	}
	got := srv.Statuses(sha)
	if len(got) != 2 {
		t.Fatalf("statuses = %+v, want 2", got)
	}
	if got[0].Context != "hubfleet/verify/a" || got[0].State != "success" || got[0].TargetURL != "https://example.org/run/1" {
		t.Errorf("status a = %+v", got[0])
	}
	if got[1].Context != "hubfleet/verify/c" || len(got[1].Description) > 140 || !strings.HasSuffix(got[1].Description, "…") {
		t.Errorf("status c description = %q (%d bytes), want <= 140 ending in …", got[1].Description, len(got[1].Description))
	}
}

func TestNewClientValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts github.Options
		want string
	}{
		{name: "no repo", opts: github.Options{Token: "t", Owner: "o"}, want: "owner and repo are required"},
		{name: "no token", opts: github.Options{Owner: "o", Repo: "r"}, want: "a token is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := github.NewClient(tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestLatestStatusesPaginates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := githubtest.NewServer(t, "fleet", "hubs", token)
	c, _ := newClient(t, srv)
	const sha = "89abcdef0123456789abcdef0123456789abcdef"
	var sts []github.Status
	for i := range 130 {
		sts = append(sts, github.Status{Context: fmt.Sprintf("hubfleet/verify/site-%03d", i), State: github.StatePending})
	}
	if err := c.SetStatuses(ctx, sha, sts); err != nil {
		t.Fatal(err)
	}
	// A later status on the same context wins.
	if err := c.SetStatus(ctx, sha, github.Status{Context: "hubfleet/verify/site-007", State: github.StateSuccess}); err != nil {
		t.Fatal(err)
	}
	before := len(srv.Requests())
	got, err := c.LatestStatuses(ctx, sha)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 130 || got["hubfleet/verify/site-007"] != github.StateSuccess || got["hubfleet/verify/site-129"] != github.StatePending {
		t.Errorf("statuses: %d, site-007 %s, site-129 %s", len(got), got["hubfleet/verify/site-007"], got["hubfleet/verify/site-129"])
	}
	if pages := len(srv.Requests()) - before; pages != 2 {
		t.Errorf("read %d pages, want 2", pages)
	}
}
