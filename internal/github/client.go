package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	gogithub "github.com/google/go-github/v60/github"
)

// Options configures a Client.
type Options struct {
	// Token authenticates every request (a GitHub App installation token or
	// GITHUB_TOKEN).
	Token string
	// APIURL is the REST API root, GITHUB_API_URL in Actions
	// (https://api.github.com, or https://HOST/api/v3 on GitHub Enterprise).
	APIURL string
	// Owner and Repo name the repository every call works on.
	Owner, Repo string
	// HTTPClient is the transport; nil means a client with a 30s timeout.
	HTTPClient *http.Client
	// MaxAttempts bounds how often an operation is tried.
	MaxAttempts int
	// MaxRetryWait is the longest wait for a secondary rate limit's
	// Retry-After (or a primary limit's reset) before giving up.
	MaxRetryWait time.Duration
	// Backoff is the wait before retrying a 5xx, doubled each attempt.
	Backoff time.Duration
	// Sleep waits for d or until ctx is done; tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
}

// DefaultOptions returns options for api.github.com with three attempts.
func DefaultOptions() Options {
	return Options{
		APIURL:       "https://api.github.com",
		MaxAttempts:  3,
		MaxRetryWait: time.Minute,
		Backoff:      2 * time.Second,
		Sleep:        sleep,
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Client talks to one repository.
type Client struct {
	gh    *gogithub.Client
	owner string
	repo  string
	opts  Options
}

// NewClient returns a client for opts.Owner/opts.Repo.
func NewClient(opts Options) (*Client, error) {
	def := DefaultOptions()
	if opts.APIURL == "" {
		opts.APIURL = def.APIURL
	}
	if opts.MaxAttempts < 1 {
		opts.MaxAttempts = def.MaxAttempts
	}
	if opts.Sleep == nil {
		opts.Sleep = def.Sleep
	}
	if opts.MaxRetryWait == 0 {
		opts.MaxRetryWait = def.MaxRetryWait
	}
	if opts.Backoff == 0 {
		opts.Backoff = def.Backoff
	}
	if opts.Owner == "" || opts.Repo == "" {
		return nil, fmt.Errorf("new github client: owner and repo are required, got %q/%q", opts.Owner, opts.Repo)
	}
	if opts.Token == "" {
		return nil, fmt.Errorf("new github client: a token is required")
	}
	hc := opts.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	base, err := url.Parse(strings.TrimSuffix(opts.APIURL, "/") + "/")
	if err != nil {
		return nil, fmt.Errorf("new github client: api url %q: %w", opts.APIURL, err)
	}
	gh := gogithub.NewClient(hc).WithAuthToken(opts.Token)
	gh.BaseURL = base
	gh.UserAgent = "hubfleet"
	return &Client{gh: gh, owner: opts.Owner, repo: opts.Repo, opts: opts}, nil
}

// Action says what an idempotent operation did.
type Action string

// The outcomes of an upsert.
const (
	Created   Action = "created"
	Updated   Action = "updated"
	Unchanged Action = "unchanged"
)

// ErrorKind classifies an API failure for callers that branch on it.
type ErrorKind string

// The kinds of API failure.
const (
	KindRateLimited          ErrorKind = "rate limited"
	KindSecondaryRateLimited ErrorKind = "secondary rate limited"
	KindUnauthorized         ErrorKind = "unauthorized"
	KindForbidden            ErrorKind = "forbidden"
	KindNotFound             ErrorKind = "not found"
	KindValidation           ErrorKind = "validation failed"
	KindServer               ErrorKind = "server error"
	KindOther                ErrorKind = "error"
)

// APIError is a failed GitHub API operation. Err is go-github's error, so
// errors.As finds *gogithub.ErrorResponse, *gogithub.RateLimitError or
// *gogithub.AbuseRateLimitError through it.
type APIError struct {
	Op   string
	Kind ErrorKind
	// Status is the HTTP status, 0 when no response arrived.
	Status int
	// RetryAt is when a rate limit lifts, zero when unknown.
	RetryAt time.Time
	Err     error
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", e.Op, e.Kind)
	if e.Status != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.Status)
	}
	switch e.Kind {
	case KindRateLimited:
		fmt.Fprintf(&b, ", resets at %s", e.RetryAt.UTC().Format(time.RFC3339))
	case KindSecondaryRateLimited:
		if !e.RetryAt.IsZero() {
			fmt.Fprintf(&b, ", retry after %s", e.RetryAt.UTC().Format(time.RFC3339))
		}
	case KindUnauthorized:
		b.WriteString(": the token is invalid or expired")
	case KindForbidden, KindNotFound:
		b.WriteString(": check the token's repository access and permissions")
	}
	fmt.Fprintf(&b, ": %v", e.Err)
	return b.String()
}

func (e *APIError) Unwrap() error { return e.Err }

// retryable reports whether trying the whole operation again can help, and
// how long to wait first.
func (e *APIError) retryable(now time.Time) (time.Duration, bool) {
	switch e.Kind {
	case KindServer:
		return 0, true
	case KindSecondaryRateLimited:
		if e.RetryAt.IsZero() {
			return time.Minute, true
		}
		return max(0, e.RetryAt.Sub(now)), true
	case KindRateLimited:
		return max(0, e.RetryAt.Sub(now)), true
	}
	return 0, false
}

// classify wraps a go-github error in an *APIError.
func classify(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w", op, err)
	}
	e := &APIError{Op: op, Kind: KindOther, Err: err}
	var (
		rl  *gogithub.RateLimitError
		arl *gogithub.AbuseRateLimitError
		er  *gogithub.ErrorResponse
	)
	switch {
	case errors.As(err, &rl):
		e.Kind = KindRateLimited
		e.RetryAt = rl.Rate.Reset.Time
		if rl.Response != nil {
			e.Status = rl.Response.StatusCode
		}
	case errors.As(err, &arl):
		e.Kind = KindSecondaryRateLimited
		if arl.RetryAfter != nil {
			e.RetryAt = time.Now().Add(*arl.RetryAfter)
		}
		if arl.Response != nil {
			e.Status = arl.Response.StatusCode
		}
	case errors.As(err, &er):
		if er.Response != nil {
			e.Status = er.Response.StatusCode
		}
		switch {
		case e.Status == http.StatusUnauthorized:
			e.Kind = KindUnauthorized
		case e.Status == http.StatusForbidden:
			e.Kind = KindForbidden
		case e.Status == http.StatusNotFound:
			e.Kind = KindNotFound
		case e.Status == http.StatusUnprocessableEntity:
			e.Kind = KindValidation
		case e.Status >= 500:
			e.Kind = KindServer
		}
	}
	return e
}

// retry runs op until it succeeds, fails for good, or MaxAttempts is
// reached. op must be idempotent as a whole.
func (c *Client) retry(ctx context.Context, op func() error) error {
	backoff := c.opts.Backoff
	for attempt := 1; ; attempt++ {
		err := op()
		if err == nil {
			return nil
		}
		var ae *APIError
		if !errors.As(err, &ae) || attempt >= c.opts.MaxAttempts {
			return err
		}
		wait, ok := ae.retryable(time.Now())
		if !ok || wait > c.opts.MaxRetryWait {
			return err
		}
		if ae.Kind == KindServer {
			wait = backoff
			backoff *= 2
		}
		if serr := c.opts.Sleep(ctx, wait); serr != nil {
			return errors.Join(err, serr)
		}
	}
}
