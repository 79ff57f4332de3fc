package github

import (
	"context"
	"fmt"

	gogithub "github.com/google/go-github/v60/github"
)

// LatestStatusDetails is LatestStatuses with each context's latest
// status whole: state, description and target URL.
func (c *Client) LatestStatusDetails(ctx context.Context, ref string) (map[string]Status, error) {
	out := map[string]Status{}
	err := c.retry(ctx, func() error {
		opts := &gogithub.ListOptions{PerPage: 100}
		for {
			cs, resp, err := c.gh.Repositories.GetCombinedStatus(ctx, c.owner, c.repo, ref, opts)
			if err != nil {
				return classify(fmt.Sprintf("statuses of %s", ref), err)
			}
			for _, st := range cs.Statuses {
				if _, seen := out[st.GetContext()]; !seen {
					out[st.GetContext()] = Status{Context: st.GetContext(), State: State(st.GetState()), Description: st.GetDescription(), TargetURL: st.GetTargetURL()}
				}
			}
			if resp.NextPage == 0 {
				return nil
			}
			opts.Page = resp.NextPage
		}
	})
	return out, err
}
