package github

import (
	"context"
	"errors"
	"fmt"

	gogithub "github.com/google/go-github/v60/github"
)

// State is a commit status state.
type State string

// The commit status states GitHub accepts.
const (
	StatePending State = "pending"
	StateSuccess State = "success"
	StateFailure State = "failure"
	StateError   State = "error"
)

// maxStatusDescription is GitHub's limit on a status description.
const maxStatusDescription = 140

// Status is one commit status, e.g. Context "hubfleet/verify/egi-prod".
type Status struct {
	Context     string
	State       State
	Description string
	TargetURL   string
}

// SetStatuses sets every status on sha, continuing past failures, and
// returns all of them joined.
func (c *Client) SetStatuses(ctx context.Context, sha string, statuses []Status) error {
	var errs []error
	for _, st := range statuses {
		if err := c.SetStatus(ctx, sha, st); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// SetStatus sets one commit status on sha. Descriptions longer than GitHub's
// 140 characters are shortened.
func (c *Client) SetStatus(ctx context.Context, sha string, st Status) error {
	switch st.State {
	case StatePending, StateSuccess, StateFailure, StateError:
	default:
		return fmt.Errorf("set status %s on %s: invalid state %q", st.Context, sha, st.State)
	}
	desc := truncate(st.Description, maxStatusDescription)
	state := string(st.State)
	rs := &gogithub.RepoStatus{State: &state, Context: &st.Context, Description: &desc}
	if st.TargetURL != "" {
		rs.TargetURL = &st.TargetURL
	}
	return c.retry(ctx, func() error {
		_, _, err := c.gh.Repositories.CreateStatus(ctx, c.owner, c.repo, sha, rs)
		return classify(fmt.Sprintf("set status %s on %s", st.Context, sha), err)
	})
}

// truncate shortens s to at most n bytes on a rune boundary, ending in "…".
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const ell = "…"
	cut := n - len(ell)
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ell
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// LatestStatuses returns the latest state of every status context on ref
// (a commit, branch or tag), reading every page.
func (c *Client) LatestStatuses(ctx context.Context, ref string) (map[string]State, error) {
	details, err := c.LatestStatusDetails(ctx, ref)
	if err != nil {
		return nil, err
	}
	out := make(map[string]State, len(details))
	for k, st := range details {
		out[k] = st.State
	}
	return out, nil
}
