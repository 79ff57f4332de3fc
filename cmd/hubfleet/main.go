// Command hubfleet runs a fleet of DaskHub deployments by GitOps: it renders
// each site in clusters/<site>/site.yaml into the Flux objects committed in
// overlays/<site>/, plans and verifies them.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
