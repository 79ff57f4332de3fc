package github

import (
	"context"
	"fmt"
	"strings"

	gogithub "github.com/google/go-github/v60/github"
)

// PlanMarker is the hidden HTML comment that identifies hubfleet's plan
// comment on a pull request.
const PlanMarker = "<!-- hubfleet:plan -->"

// CommentResult is the comment an upsert left behind.
type CommentResult struct {
	ID     int64
	URL    string
	Action Action
}

// UpsertComment keeps exactly one comment carrying marker on issue or pull
// request number: it pages through all comments, updates the first one that
// carries the marker (if its body differs), and creates one otherwise. body
// gets the marker prepended when it lacks it.
func (c *Client) UpsertComment(ctx context.Context, number int, marker, body string) (CommentResult, error) {
	if marker == "" {
		return CommentResult{}, fmt.Errorf("upsert comment on #%d: empty marker", number)
	}
	if !strings.Contains(body, marker) {
		body = marker + "\n" + body
	}
	var res CommentResult
	err := c.retry(ctx, func() error {
		var err error
		res, err = c.upsertComment(ctx, number, marker, body)
		return err
	})
	return res, err
}

func (c *Client) upsertComment(ctx context.Context, number int, marker, body string) (CommentResult, error) {
	existing, err := c.findComment(ctx, number, marker)
	if err != nil {
		return CommentResult{}, err
	}
	if existing == nil {
		created, _, err := c.gh.Issues.CreateComment(ctx, c.owner, c.repo, number, &gogithub.IssueComment{Body: &body})
		if err != nil {
			return CommentResult{}, classify(fmt.Sprintf("create comment on #%d", number), err)
		}
		return CommentResult{ID: created.GetID(), URL: created.GetHTMLURL(), Action: Created}, nil
	}
	if existing.GetBody() == body {
		return CommentResult{ID: existing.GetID(), URL: existing.GetHTMLURL(), Action: Unchanged}, nil
	}
	updated, _, err := c.gh.Issues.EditComment(ctx, c.owner, c.repo, existing.GetID(), &gogithub.IssueComment{Body: &body})
	if err != nil {
		return CommentResult{}, classify(fmt.Sprintf("update comment %d on #%d", existing.GetID(), number), err)
	}
	return CommentResult{ID: updated.GetID(), URL: updated.GetHTMLURL(), Action: Updated}, nil
}

// findComment returns the first comment on number carrying marker, reading
// every page.
func (c *Client) findComment(ctx context.Context, number int, marker string) (*gogithub.IssueComment, error) {
	opts := &gogithub.IssueListCommentsOptions{ListOptions: gogithub.ListOptions{PerPage: 100}}
	for {
		page, resp, err := c.gh.Issues.ListComments(ctx, c.owner, c.repo, number, opts)
		if err != nil {
			return nil, classify(fmt.Sprintf("list comments on #%d (page %d)", number, max(1, opts.Page)), err)
		}
		for _, cm := range page {
			if strings.Contains(cm.GetBody(), marker) {
				return cm, nil
			}
		}
		if resp.NextPage == 0 {
			return nil, nil
		}
		opts.Page = resp.NextPage
	}
}
