package testcluster

import (
	"context"
	"net/http"
	"strconv"
)

// startHelmController runs Flux's helm-controller (built from its source
// archive by tools/build.sh) against the API server. It installs the charts
// source-controller fetched, with the HelmRelease CRD from its own source.
func (c *Cluster) startHelmController(ctx context.Context, bins binaries, plain *http.Client, common, env []string) error {
	ports, err := freePorts(2)
	if err != nil {
		return err
	}
	health := "127.0.0.1:" + strconv.Itoa(ports[1])
	return c.run(ctx, HelmController, bins.helmController, append([]string{
		"--metrics-addr=127.0.0.1:" + strconv.Itoa(ports[0]),
		"--health-addr=" + health,
	}, common...), env, httpProbe(plain, "http://"+health+"/readyz"))
}
