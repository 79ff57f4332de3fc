package scaffold

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strings"

	"github.com/hubfleet/hubfleet/internal/buildinfo"
)

// DefaultActionRepo is where the hubfleet action lives.
const DefaultActionRepo = "hubfleet/hubfleet"

var fullSHA = regexp.MustCompile(`^[0-9a-f]{40}$`)

// ActionRef is the hubfleet action the generated workflows use:
// uses: <Repo>/action@<Ref> # <Comment>.
type ActionRef struct {
	// Repo is the GitHub repository (owner/name).
	Repo string
	// Ref is a full commit SHA, or a tag or branch when no SHA was found.
	Ref string
	// Comment names the release the SHA is (v1.2.3), written after it.
	Comment string
}

// Uses is the value of the workflows' uses: key, with its comment.
func (a ActionRef) Uses() string {
	s := a.Repo + "/action@" + a.Ref
	if a.Comment != "" {
		s += " # " + a.Comment
	}
	return s
}

// Describe says which action the workflows use, for messages.
func (a ActionRef) Describe() string {
	if a.Comment != "" {
		return a.Comment + " (" + a.Ref + ")"
	}
	return a.Ref
}

// ResolveOptions say how to find the action's commit.
type ResolveOptions struct {
	// Repo is the action's repository (owner/name).
	Repo string
	// RemoteURL is the git URL to ask for tags and branches; default
	// https://github.com/<Repo>.
	RemoteURL string
	// Ref, when set, is used as it is (--action-ref).
	Ref string
	// Version, when set, is the release to pin instead of the binary's.
	Version string
}

// ResolveAction finds the hubfleet action the workflows pin. In order:
//
//  1. an explicit Ref (a commit SHA, or a tag) is used as it is;
//  2. a release build (go install ...@v1.2.3) pins the commit of tag
//     v1.2.3, asked from the remote with git ls-remote, with the comment
//     "# v1.2.3"; without network it pins the tag itself and warns;
//  3. a development build pins the commit it was built from: the full
//     revision a checkout build records, or the commit a pseudo-version
//     abbreviates if the remote still has a branch or tag at it; the
//     warning says that commit must be pushed for the workflows to run;
//  4. a build that knows no commit at all (go run, go test) pins the
//     default branch, main, and warns that this is not reproducible.
//
// Warnings are returned for the operator; none is an error.
func ResolveAction(ctx context.Context, bi buildinfo.Info, o ResolveOptions) (ActionRef, []string) {
	if o.Repo == "" {
		o.Repo = DefaultActionRepo
	}
	if o.RemoteURL == "" {
		o.RemoteURL = "https://github.com/" + o.Repo
	}
	version := bi.Version
	release := bi.Release()
	if o.Version != "" {
		version, release = o.Version, true
	}
	ref := ActionRef{Repo: o.Repo}
	if o.Ref != "" {
		ref.Ref = o.Ref
		if release && fullSHA.MatchString(o.Ref) {
			ref.Comment = version
		}
		return ref, nil
	}
	if release {
		sha, err := lsRemote(ctx, o.RemoteURL, func(name, sha string) bool {
			return name == "refs/tags/"+version+"^{}" || name == "refs/tags/"+version
		})
		if err != nil {
			ref.Ref = version
			return ref, []string{fmt.Sprintf("could not find the commit of %s at %s (%v): the workflows pin the tag %s; pin its commit with --action-ref SHA", version, o.RemoteURL, err, version)}
		}
		ref.Ref, ref.Comment = sha, version
		return ref, nil
	}
	if fullSHA.MatchString(bi.Commit) {
		ref.Ref, ref.Comment = bi.Commit, "development build "+bi.Version
		return ref, []string{fmt.Sprintf("this is a development build: the workflows pin commit %s, which must be pushed to %s for them to run (or pass --action-ref)", bi.Commit, o.Repo)}
	}
	if short := bi.PseudoCommit(); short != "" {
		sha, err := lsRemote(ctx, o.RemoteURL, func(_, sha string) bool { return strings.HasPrefix(sha, short) })
		if err == nil {
			ref.Ref, ref.Comment = sha, bi.Version
			return ref, nil
		}
	}
	ref.Ref = "main"
	return ref, []string{fmt.Sprintf("this hubfleet (%s) does not know the commit it was built from: the workflows use %s/action@main, which moves; install a release (go install %s/cmd/hubfleet@vX.Y.Z) or pass --action-ref SHA", bi.Version, o.Repo, buildinfo.Module)}
}

// lsRemote returns the first ref's commit for which match is true, with
// the ^{} (peeled) line of an annotated tag preferred.
func lsRemote(ctx context.Context, url string, match func(name, sha string) bool) (string, error) {
	cmd := exec.CommandContext(ctx, "git", "ls-remote", "--", url)
	cmd.Env = append(cmd.Environ(), "GIT_TERMINAL_PROMPT=0")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(errb.String())
		if i := strings.LastIndex(msg, "\n"); i >= 0 {
			msg = msg[i+1:]
		}
		if msg == "" {
			msg = err.Error()
		}
		return "", fmt.Errorf("git could not list its tags: %s", msg)
	}
	var found string
	for _, line := range strings.Split(out.String(), "\n") {
		sha, name, ok := strings.Cut(line, "\t")
		if !ok || !match(name, sha) {
			continue
		}
		if strings.HasSuffix(name, "^{}") {
			return sha, nil
		}
		if found == "" {
			found = sha
		}
	}
	if found == "" {
		return "", fmt.Errorf("no such tag or branch")
	}
	return found, nil
}
