package actionmode

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/hubfleet/hubfleet/internal/github"
	"github.com/hubfleet/hubfleet/internal/gitrepo"
	"github.com/hubfleet/hubfleet/internal/plan"
	"github.com/hubfleet/hubfleet/internal/report"
	"github.com/hubfleet/hubfleet/internal/site"
	"github.com/hubfleet/hubfleet/internal/workspace"
)

// Modes are the modes Run accepts.
var Modes = []string{"plan", "render", "upgrade", "rollback", "verify"}

// Options are what Run needs besides the environment.
type Options struct {
	// Root is the fleet repository's work tree; empty means the current
	// directory.
	Root string
	// Getenv reads the environment.
	Getenv func(string) string
	// Stdout receives the log and workflow commands.
	Stdout io.Writer

	// Compare configures the plan's chart access (caches); whether charts
	// are rendered comes from the environment (HUBFLEET_PLAN_CHARTS).
	Compare  plan.CompareOptions
	Upgrader Upgrader
	Verifier Verifier

	// Publish lets a run outside GitHub Actions push, open pull requests,
	// comment and set statuses. Without it such a run only says what it
	// would do. Inside GitHub Actions (GITHUB_ACTIONS=true) runs publish.
	Publish bool

	// Git configures the repository (bot identity, push retries).
	Git gitrepo.Options
	// GitHub configures the API client; token, URL and repository come
	// from the environment.
	GitHub github.Options
	// CommentLimit is the comment size limit; 0 means GitHub's.
	CommentLimit int
}

// DefaultOptions reads the process environment and writes to stdout.
func DefaultOptions() Options {
	return Options{
		Getenv:  os.Getenv,
		Stdout:  os.Stdout,
		Git:     gitrepo.DefaultOptions(),
		GitHub:  github.DefaultOptions(),
		Compare: plan.DefaultCompareOptions(),
	}
}

// FailedError is a mode that ran but found what must fail the check:
// invalid sites, stale overlays, failed verification. The CLI exits 1.
type FailedError struct {
	Mode    string
	Reasons []string
}

func (e *FailedError) Error() string {
	return fmt.Sprintf("%s failed: %s", e.Mode, strings.Join(e.Reasons, "; "))
}

// ExitCode maps Run's error to the process exit code: 0 ok, 1 a check
// failed, 2 an error.
func ExitCode(err error) int {
	var fe *FailedError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &fe):
		return 1
	default:
		return 2
	}
}

// Run runs one mode.
func Run(ctx context.Context, mode string, opts Options) error {
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	if opts.Stdout == nil {
		opts.Stdout = os.Stdout
	}
	rep := report.New(opts.Getenv, opts.Stdout)
	// Mask secrets before anything else can print them: the token, and
	// the kubeconfig's secret values (its keys, certificates and tokens,
	// found by the one masker's rule: by structure, never a whole line).
	if v := opts.Getenv("HUBFLEET_GITHUB_TOKEN"); v != "" {
		rep.AddMask(v)
	}
	if v := opts.Getenv("HUBFLEET_KUBECONFIG"); v != "" {
		for _, s := range plan.SecretValues("kubeconfig.yaml", []byte(v)) {
			rep.AddMask(s)
		}
	}
	env, err := ReadEnv(opts.Getenv)
	if err != nil {
		return fmt.Errorf("action %s: %w", mode, err)
	}
	root := opts.Root
	if root == "" {
		if root, err = os.Getwd(); err != nil {
			return fmt.Errorf("action %s: %w", mode, err)
		}
	}
	if root, err = filepath.Abs(root); err != nil {
		return fmt.Errorf("action %s: %w", mode, err)
	}
	r := &runner{opts: opts, env: env, rep: rep, root: root}
	switch mode {
	case "plan":
		return r.plan(ctx)
	case "render":
		return r.render(ctx)
	case "upgrade":
		return r.upgrade(ctx)
	case "rollback":
		return r.rollback(ctx)
	case "verify":
		return r.verify(ctx)
	default:
		return fmt.Errorf("unknown action mode %q (want one of %s)", mode, strings.Join(Modes, ", "))
	}
}

type runner struct {
	opts Options
	env  Env
	rep  report.Reporter
	root string
}

func (r *runner) repo(ctx context.Context) (*gitrepo.Repo, error) {
	return gitrepo.Open(ctx, r.root, r.opts.Git)
}

// load loads the work tree once for a mode that needs every site valid:
// a fleet with problems fails the mode (exit 1, as in a terminal), each
// problem annotated at its file and line.
func (r *runner) load(ctx context.Context, mode string) (*workspace.Workspace, error) {
	ws, err := workspace.Load(ctx, r.root, workspace.Options{})
	if err != nil {
		return nil, err
	}
	if errs := ws.Errors(); len(errs) > 0 {
		return nil, r.fleetProblems(mode, errs)
	}
	return ws, nil
}

// fleetProblems annotates the fleet's problems and fails the mode on
// them: what every mode that needs a valid fleet does with them.
func (r *runner) fleetProblems(mode string, errs site.ErrorList) error {
	for _, p := range errs {
		r.annotateProblem(p)
	}
	return &FailedError{Mode: mode, Reasons: []string{fmt.Sprintf("the fleet has %d problem(s)", len(errs))}}
}

// publishing says whether this run may change remotes: push, open pull
// requests, comment, set statuses.
func (r *runner) publishing() bool { return r.env.InActions || r.opts.Publish }

// github returns an API client, or an error saying what is missing.
func (r *runner) github() (*github.Client, error) {
	if r.env.Token == "" {
		return nil, errors.New("no GitHub token: set the action's github-token input (HUBFLEET_GITHUB_TOKEN)")
	}
	if r.env.Owner == "" {
		return nil, errors.New("GITHUB_REPOSITORY is not set")
	}
	o := r.opts.GitHub
	o.Token, o.APIURL, o.Owner, o.Repo = r.env.Token, r.env.APIURL, r.env.Owner, r.env.Repo
	return github.NewClient(o)
}

// baseBranch is the branch automation targets.
func (r *runner) baseBranch() string {
	if r.env.BaseRef != "" {
		return r.env.BaseRef
	}
	return "main"
}

// outputs sets every output, collecting failures.
func (r *runner) outputs(kv ...string) error {
	var errs []error
	for i := 0; i+1 < len(kv); i += 2 {
		if err := r.rep.SetOutput(kv[i], kv[i+1]); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func lines(s []string) string { return strings.Join(s, "\n") }
