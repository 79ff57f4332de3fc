package actionmode

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Env is a mode's input: the HUBFLEET_* variables the composite action maps
// from its inputs, and the GITHUB_* variables the runner sets.
type Env struct {
	Token        string
	Owner, Repo  string
	APIURL       string
	ServerURL    string
	RunID        string
	EventName    string
	SHA          string
	RefName      string
	BaseRef      string
	Sites        []string
	Commit       string
	PushToMain   bool
	Wave         int
	BranchPrefix string
	Kubeconfig   string
	// Strict fails verify on checks that could not run (HUBFLEET_STRICT).
	Strict bool
	// PullRequest is the pull request number of a pull_request event.
	PullRequest int
	// PlanCharts renders the charts for the plan (default); false plans
	// the overlay files only (no chart repository access).
	PlanCharts bool
	// PRLabels and PRBody are the pull request's labels and description.
	PRLabels []string
	PRBody   string
	// PlanFile is where the full plan is written (HUBFLEET_PLAN_FILE);
	// RunnerTemp the runner's temporary directory (RUNNER_TEMP).
	PlanFile, RunnerTemp string
	// InActions is set on a GitHub Actions runner (GITHUB_ACTIONS=true).
	InActions bool
}

// ReadEnv reads the environment through getenv.
func ReadEnv(getenv func(string) string) (Env, error) {
	e := Env{
		Token:        getenv("HUBFLEET_GITHUB_TOKEN"),
		APIURL:       cmp.Or(getenv("GITHUB_API_URL"), "https://api.github.com"),
		ServerURL:    cmp.Or(getenv("GITHUB_SERVER_URL"), "https://github.com"),
		RunID:        getenv("GITHUB_RUN_ID"),
		EventName:    getenv("GITHUB_EVENT_NAME"),
		SHA:          getenv("GITHUB_SHA"),
		RefName:      getenv("GITHUB_REF_NAME"),
		BaseRef:      cmp.Or(getenv("HUBFLEET_BASE_REF"), getenv("GITHUB_BASE_REF")),
		Commit:       strings.TrimSpace(getenv("HUBFLEET_COMMIT")),
		BranchPrefix: cmp.Or(getenv("HUBFLEET_BRANCH_PREFIX"), "hubfleet/"),
		Kubeconfig:   getenv("HUBFLEET_KUBECONFIG"),
		Wave:         -1,
		PlanCharts:   true,
		PlanFile:     getenv("HUBFLEET_PLAN_FILE"),
		RunnerTemp:   getenv("RUNNER_TEMP"),
		InActions:    getenv("GITHUB_ACTIONS") == "true",
	}
	var errs []error
	if repo := getenv("GITHUB_REPOSITORY"); repo != "" {
		owner, name, ok := strings.Cut(repo, "/")
		if !ok || owner == "" || name == "" {
			errs = append(errs, fmt.Errorf("GITHUB_REPOSITORY %q is not owner/name", repo))
		}
		e.Owner, e.Repo = owner, name
	}
	for _, s := range strings.Split(getenv("HUBFLEET_SITE"), ",") {
		if s = strings.TrimSpace(s); s != "" {
			e.Sites = append(e.Sites, s)
		}
	}
	if v := getenv("HUBFLEET_PUSH_TO_MAIN"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("push-to-main %q is not true or false", v))
		}
		e.PushToMain = b
	}
	if v := getenv("HUBFLEET_STRICT"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("strict %q is not true or false", v))
		}
		e.Strict = b
	}
	if v := getenv("HUBFLEET_PLAN_CHARTS"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("plan-charts %q is not true or false", v))
		}
		e.PlanCharts = b
	}
	if v := getenv("HUBFLEET_WAVE"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			errs = append(errs, fmt.Errorf("wave %q is not a non-negative number", v))
		}
		e.Wave = n
	}
	if p := getenv("GITHUB_EVENT_PATH"); p != "" && e.EventName == "pull_request" {
		data, err := os.ReadFile(p)
		if err != nil {
			errs = append(errs, fmt.Errorf("read event payload: %w", err))
		} else {
			var ev struct {
				PullRequest struct {
					Number int    `json:"number"`
					Body   string `json:"body"`
					Labels []struct {
						Name string `json:"name"`
					} `json:"labels"`
					Base struct {
						Ref string `json:"ref"`
					} `json:"base"`
				} `json:"pull_request"`
			}
			if err := json.Unmarshal(data, &ev); err != nil {
				errs = append(errs, fmt.Errorf("parse event payload %s: %w", p, err))
			}
			e.PullRequest = ev.PullRequest.Number
			e.PRBody = ev.PullRequest.Body
			for _, l := range ev.PullRequest.Labels {
				e.PRLabels = append(e.PRLabels, l.Name)
			}
			if e.BaseRef == "" {
				e.BaseRef = ev.PullRequest.Base.Ref
			}
		}
	}
	return e, errors.Join(errs...)
}

// RunURL is the page of this workflow run, whose job summary holds what did
// not fit in a comment.
func (e Env) RunURL() string {
	if e.Owner == "" || e.RunID == "" {
		return ""
	}
	return fmt.Sprintf("%s/%s/%s/actions/runs/%s", strings.TrimSuffix(e.ServerURL, "/"), e.Owner, e.Repo, e.RunID)
}
