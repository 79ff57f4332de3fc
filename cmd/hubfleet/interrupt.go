package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
)

// interruptGrace is how long a command may take to stop once ctx is
// done (SIGINT or SIGTERM) before hubfleet exits without it.
const interruptGrace = 500 * time.Millisecond

// executeInterruptible runs cmd and returns within interruptGrace of ctx
// ending, whatever the command is doing. Long loops watch ctx and stop on
// their own; a step that cannot be interrupted (parsing one large file)
// is abandoned. hubfleet writes every file to a temporary file and renames
// it into place, so no file is ever left half-written.
func executeInterruptible(ctx context.Context, cmd *cobra.Command) error {
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx) }()
	select {
	case err := <-done:
		return interrupted(ctx, err)
	case <-ctx.Done():
	}
	select {
	case err := <-done:
		return interrupted(ctx, err)
	case <-time.After(interruptGrace):
		return fmt.Errorf("interrupted: %w", context.Cause(ctx))
	}
}

// interrupted names an error caused by ctx ending.
func interrupted(ctx context.Context, err error) error {
	if err != nil && ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return fmt.Errorf("interrupted: %w", err)
	}
	return err
}
