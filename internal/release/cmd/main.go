// Command release builds hubfleet's release assets into a directory:
// archives for linux and darwin on amd64 and arm64, an SPDX SBOM per
// binary, a checksums file and an in-toto provenance statement. The same
// tag gives the same bytes (see package release).
//
//	go run ./internal/release/cmd -out dist                # the tag at HEAD, or a snapshot
//	go run ./internal/release/cmd -out dist -tag v1.2.3
//	go run ./internal/release/cmd -out dist -targets linux/amd64
//
// The tag defaults to the tag at HEAD (git describe --exact-match), else a
// snapshot version v0.0.0-snapshot.<commit>; the commit to HEAD; the
// timestamp to SOURCE_DATE_EPOCH, else the commit time.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"

	"github.com/hubfleet/hubfleet/internal/release"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "release:", err)
		stop()
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("release", flag.ContinueOnError)
	tag := fs.String("tag", "", "version to stamp (default: the tag at HEAD, else v0.0.0-snapshot.<commit>)")
	commit := fs.String("commit", "", "commit to stamp (default: HEAD)")
	out := fs.String("out", "dist", "directory for the assets (must be empty)")
	targets := fs.String("targets", "linux/amd64,linux/arm64,darwin/amd64,darwin/arm64", "GOOS/GOARCH list")
	repo := fs.String("repository", "https://github.com/hubfleet/hubfleet", "source repository URL for the SBOM and provenance")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	ts, err := release.ParseTargets(*targets)
	if err != nil {
		return err
	}
	if *commit == "" {
		if *commit, err = git(ctx, "rev-parse", "HEAD"); err != nil {
			return fmt.Errorf("find the commit (pass -commit): %w", err)
		}
	}
	if *tag == "" {
		if t, err := git(ctx, "describe", "--tags", "--exact-match", *commit); err == nil {
			*tag = t
		} else {
			*tag = "v0.0.0-snapshot." + (*commit)[:min(12, len(*commit))]
		}
	}
	epoch, err := sourceDateEpoch(ctx, *commit)
	if err != nil {
		return err
	}
	builder, invocation := "local", ""
	if s, r, w := os.Getenv("GITHUB_SERVER_URL"), os.Getenv("GITHUB_REPOSITORY"), os.Getenv("GITHUB_WORKFLOW_REF"); s != "" && w != "" {
		builder = s + "/" + w
		invocation = fmt.Sprintf("%s/%s/actions/runs/%s/attempts/%s", s, r, os.Getenv("GITHUB_RUN_ID"), os.Getenv("GITHUB_RUN_ATTEMPT"))
	}
	res, err := release.Build(ctx, release.Options{
		Tag: *tag, Commit: *commit, SourceDateEpoch: epoch, Dir: ".", Package: "./cmd/hubfleet",
		OutDir: *out, Targets: ts, Repository: *repo, BuilderID: builder, InvocationID: invocation,
		Log: func(f string, a ...any) { fmt.Fprintf(os.Stderr, f+"\n", a...) },
	})
	if err != nil {
		return err
	}
	fmt.Printf("%s: %d assets, %s, %s\n", *out, len(res.Assets), res.Checksums, res.Provenance)
	return nil
}

func sourceDateEpoch(ctx context.Context, commit string) (int64, error) {
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return 0, fmt.Errorf("SOURCE_DATE_EPOCH=%q is not a positive Unix time", s)
		}
		return n, nil
	}
	s, err := git(ctx, "log", "-1", "--format=%ct", commit)
	if err != nil {
		return 0, fmt.Errorf("find the commit time (set SOURCE_DATE_EPOCH): %w", err)
	}
	return strconv.ParseInt(s, 10, 64)
}

func git(ctx context.Context, args ...string) (string, error) {
	out, err := exec.CommandContext(ctx, "git", args...).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", fmt.Errorf("git %s: %s", strings.Join(args, " "), strings.TrimSpace(string(ee.Stderr)))
		}
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}
