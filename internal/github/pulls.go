package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	gogithub "github.com/google/go-github/v60/github"
)

// PullRequestSpec is the pull request a bot wants open for its branch.
type PullRequestSpec struct {
	// Head is the branch in this repository holding the changes.
	Head string
	// Base is the branch to merge into.
	Base  string
	Title string
	Body  string
	Draft bool
}

// PullRequestResult is the pull request EnsurePullRequest left open.
type PullRequestResult struct {
	Number int
	URL    string
	Action Action
}

// EnsurePullRequest keeps a single open pull request from spec.Head into
// spec.Base: it lists open pull requests by head and base, edits the title
// and body of the one it finds when they differ, and creates one otherwise.
func (c *Client) EnsurePullRequest(ctx context.Context, spec PullRequestSpec) (PullRequestResult, error) {
	if spec.Head == "" || spec.Base == "" || spec.Title == "" {
		return PullRequestResult{}, fmt.Errorf("ensure pull request: head, base and title are required")
	}
	var res PullRequestResult
	err := c.retry(ctx, func() error {
		var err error
		res, err = c.ensurePullRequest(ctx, spec)
		return err
	})
	return res, err
}

func (c *Client) ensurePullRequest(ctx context.Context, spec PullRequestSpec) (PullRequestResult, error) {
	existing, err := c.findPullRequest(ctx, spec.Head, spec.Base)
	if err != nil {
		return PullRequestResult{}, err
	}
	if existing == nil {
		created, _, err := c.gh.PullRequests.Create(ctx, c.owner, c.repo, &gogithub.NewPullRequest{
			Title: &spec.Title, Head: &spec.Head, Base: &spec.Base, Body: &spec.Body, Draft: &spec.Draft,
		})
		if err == nil {
			return PullRequestResult{Number: created.GetNumber(), URL: created.GetHTMLURL(), Action: Created}, nil
		}
		if !alreadyExists(err) {
			return PullRequestResult{}, classify(fmt.Sprintf("create pull request %s -> %s", spec.Head, spec.Base), err)
		}
		// Someone opened it between our list and create: update theirs.
		if existing, err = c.findPullRequest(ctx, spec.Head, spec.Base); err != nil {
			return PullRequestResult{}, err
		}
		if existing == nil {
			return PullRequestResult{}, fmt.Errorf("create pull request %s -> %s: github says it exists but does not list it", spec.Head, spec.Base)
		}
	}
	res := PullRequestResult{Number: existing.GetNumber(), URL: existing.GetHTMLURL(), Action: Unchanged}
	if existing.GetTitle() == spec.Title && existing.GetBody() == spec.Body {
		return res, nil
	}
	_, _, err = c.gh.PullRequests.Edit(ctx, c.owner, c.repo, existing.GetNumber(), &gogithub.PullRequest{
		Title: &spec.Title, Body: &spec.Body,
	})
	if err != nil {
		return PullRequestResult{}, classify(fmt.Sprintf("update pull request #%d", existing.GetNumber()), err)
	}
	res.Action = Updated
	return res, nil
}

func (c *Client) findPullRequest(ctx context.Context, head, base string) (*gogithub.PullRequest, error) {
	opts := &gogithub.PullRequestListOptions{
		State: "open", Head: c.owner + ":" + head, Base: base,
		ListOptions: gogithub.ListOptions{PerPage: 100},
	}
	for {
		page, resp, err := c.gh.PullRequests.List(ctx, c.owner, c.repo, opts)
		if err != nil {
			return nil, classify(fmt.Sprintf("list pull requests for %s", head), err)
		}
		for _, pr := range page {
			if pr.GetHead().GetRef() == head && pr.GetBase().GetRef() == base {
				return pr, nil
			}
		}
		if resp.NextPage == 0 {
			return nil, nil
		}
		opts.Page = resp.NextPage
	}
}

// alreadyExists reports GitHub's 422 "A pull request already exists".
func alreadyExists(err error) bool {
	var er *gogithub.ErrorResponse
	if !errors.As(err, &er) || er.Response == nil || er.Response.StatusCode != http.StatusUnprocessableEntity {
		return false
	}
	for _, e := range er.Errors {
		if strings.Contains(e.Message, "already exists") {
			return true
		}
	}
	return false
}
