package verify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// openKernel starts a kernel through the proxy and waits for its info.
func (r *probeRun) openKernel(ctx context.Context) Result {
	k, err := r.h.startKernel(ctx, r.serverURL)
	if k != nil {
		r.kernel = k
	}
	if err != nil {
		if code := apiStatus(err); code == http.StatusForbidden || code == http.StatusUnauthorized {
			return fail(fmt.Sprintf("the server refuses the %s service (%v)", r.p.Service, err), r.roleFix()+" (access:servers!user="+r.p.User+")", err)
		}
		if timedOut(ctx, err) {
			return fail(fmt.Sprintf("no kernel within %s", r.p.Timeouts.Kernel), "the server is up but cannot start a kernel: check ipykernel in the image and the server's log", err)
		}
		return fail(fmt.Sprintf("could not start a kernel on %s: %s", redact(r.serverURL), clip(err.Error(), 200)),
			"check that ipykernel is in the image and that the proxy passes websockets (an ingress without websocket support breaks every notebook)", err)
	}
	info, err := k.info(ctx)
	if err != nil {
		return r.codeFailure(ctx, "the kernel did not answer kernel_info", "", err, r.p.Timeouts.Kernel)
	}
	return pass("kernel " + k.id[:min(8, len(k.id))] + " up: " + info)
}

// codeFailure explains a failed execution.
func (r *probeRun) codeFailure(ctx context.Context, what, code string, err error, timeout time.Duration) Result {
	var died *kernelDied
	switch {
	case errors.As(err, &died):
		return fail(fmt.Sprintf("%s: %s", what, died.Error()),
			fmt.Sprintf("run the same code in the image (docker run --rm %s python -c %q) to see the crash; a module that segfaults or exhausts memory on import kills the kernel", imageOr(r.p.Image), code), err)
	case timedOut(ctx, err):
		return fail(fmt.Sprintf("%s: no result within %s", what, timeout),
			"the kernel hangs or the server is starved of CPU: check the profile's CPU guarantee and the server's log", err)
	default:
		return fail(fmt.Sprintf("%s: %s", what, clip(err.Error(), 200)), "check the server's log and that the proxy passes websockets", err)
	}
}

func imageOr(img string) string {
	if img == "" {
		return "IMAGE"
	}
	return img
}

// run executes code and wants its output to hold a line starting with
// marker; it returns the rest of that line.
func (r *probeRun) run(ctx context.Context, what, code, marker string, timeout time.Duration) (string, Result, bool) {
	res, err := r.kernel.execute(ctx, code)
	if err != nil {
		return "", r.codeFailure(ctx, what, code, err, timeout), false
	}
	if res.Error != "" {
		return "", Result{Status: Fail, Detail: fmt.Sprintf("%s raised %s", what, clip(res.Error, 300))}, false
	}
	for _, line := range strings.Split(res.Stdout, "\n") {
		if rest, ok := strings.CutPrefix(line, marker); ok {
			return strings.TrimSpace(rest), Result{}, true
		}
	}
	return "", fail(fmt.Sprintf("%s printed no result (%q)", what, clip(res.Stdout, 120)), "", nil), false
}

func (r *probeRun) importModules(ctx context.Context) Result {
	code := "import importlib\nfor _m in " + pyList(r.p.Imports) + ":\n    _v = importlib.import_module(_m)\n    print('hubfleet-import', _m, getattr(_v, '__version__', '?'))\nprint('hubfleet-imported')\n"
	res, err := r.kernel.execute(ctx, code)
	if err != nil {
		return r.codeFailure(ctx, "importing "+strings.Join(r.p.Imports, ", "), "import "+strings.Join(r.p.Imports, ", "), err, r.p.Timeouts.Code)
	}
	var got []string
	for _, line := range strings.Split(res.Stdout, "\n") {
		if rest, ok := strings.CutPrefix(line, "hubfleet-import "); ok {
			got = append(got, strings.TrimSpace(rest))
		}
	}
	if res.Error != "" {
		fix := "add the module to the image (spec.singleuser.image), or remove it from spec.probe.imports if users do not need it"
		if strings.HasPrefix(res.Error, "ModuleNotFoundError") {
			return fail(fmt.Sprintf("the image lacks a module: %s", res.Error), fix, nil)
		}
		return fail(fmt.Sprintf("importing %s raised %s", strings.Join(r.p.Imports, ", "), clip(res.Error, 200)),
			"a module of the image is broken: run the import in the image to see the traceback", nil)
	}
	return pass("imported " + strings.Join(got, ", "))
}

func (r *probeRun) compute(ctx context.Context) Result {
	const want = "332833500"
	got, res, ok := r.run(ctx, "the small computation", "print('hubfleet-sum', sum(i * i for i in range(1000)))", "hubfleet-sum", r.p.Timeouts.Code)
	if !ok {
		if res.Fix == "" {
			res.Fix = "the kernel's Python is broken: check the image"
		}
		return res
	}
	if got != want {
		return fail(fmt.Sprintf("sum of squares below 1000 = %s, want %s", got, want), "the kernel's Python is broken: check the image", nil)
	}
	return pass("sum of squares below 1000 = " + got)
}

// The Dask computations print "hubfleet-dask <sum> <workers> <stopped>":
// a dask.bag sum of 1..100 over four partitions (5050), the workers it
// ran on, and (gateway) the probe's leftover clusters it stopped first.
const daskLocalCode = `import dask.bag as db
from dask.distributed import Client, LocalCluster
with LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=":0") as cluster, Client(cluster) as client:
    total = db.from_sequence(range(1, 101), npartitions=4).sum().compute()
    print("hubfleet-dask", total, len(client.scheduler_info()["workers"]), 0)
`

// daskGatewayCode speaks the dask-gateway client API; the hub's
// DASK_GATEWAY__* environment (daskhub) says where the gateway is.
const daskGatewayCode = `import dask.bag as db
from dask_gateway import Gateway
gateway = Gateway()
stopped = 0
for report in gateway.list_clusters():
    gateway.stop_cluster(report.name)
    stopped += 1
cluster = gateway.new_cluster()
try:
    cluster.scale(1)
    client = cluster.get_client()
    client.wait_for_workers(1, timeout=%d)
    total = db.from_sequence(range(1, 101), npartitions=4).sum().compute()
    print("hubfleet-dask", total, len(client.scheduler_info()["workers"]), stopped)
    client.close()
finally:
    cluster.shutdown()
`

func (r *probeRun) dask(ctx context.Context) Result {
	code, what := daskLocalCode, "the Dask computation on a LocalCluster"
	if r.p.DaskGateway {
		code, what = fmt.Sprintf(daskGatewayCode, max(int((r.p.Timeouts.Dask/2).Seconds()), 1)), "the Dask computation on a dask-gateway cluster"
	}
	got, res, ok := r.run(ctx, what, code, "hubfleet-dask", r.p.Timeouts.Dask)
	if !ok {
		if res.Fix == "" {
			res.Fix = r.daskFix(res.Detail)
		}
		return res
	}
	f := strings.Fields(got)
	if len(f) != 3 || f[0] != "5050" {
		return fail(fmt.Sprintf("%s returned %q, want the sum 5050", what, got), "check the Dask versions of the image (client, scheduler and workers must match)", nil)
	}
	detail := fmt.Sprintf("dask sum of 1..100 = 5050 on %s worker(s) of a LocalCluster", f[1])
	if r.p.DaskGateway {
		detail = fmt.Sprintf("dask sum of 1..100 = 5050 on %s worker(s) of a dask-gateway cluster, shut down", f[1])
		if f[2] != "0" {
			return warn(detail+fmt.Sprintf("; stopped %s cluster(s) an interrupted probe left", f[2]), "nothing to do: the probe cleaned up after an interrupted run")
		}
	}
	return pass(detail)
}

func (r *probeRun) daskFix(detail string) string {
	d := strings.ToLower(detail)
	switch {
	case r.p.DaskGateway && strings.Contains(d, "no module named 'dask_gateway'"):
		return "the image lacks dask-gateway: add the dask-gateway client (same version as the gateway) to the image"
	case r.p.DaskGateway && containsAny(d, "403", "401", "unauthorized", "forbidden"):
		return "the gateway refuses the user: check dask-gateway.gateway.auth (type jupyterhub) and the hub's dask-gateway service token"
	case r.p.DaskGateway && containsAny(d, "timeout", "timed out"):
		return fmt.Sprintf("no worker came up: check the gateway's worker image and resources (kubectl -n %s get pods -l app.kubernetes.io/component=dask-worker) and NetworkPolicies between user pods and traefik-<release>-dask-gateway", r.s.t.Namespace)
	case r.p.DaskGateway:
		return fmt.Sprintf("check the gateway (see the dask-gateway check) and the user pods' DASK_GATEWAY__ADDRESS; kubectl -n %s logs -l app.kubernetes.io/component=gateway", r.s.t.Namespace)
	case strings.Contains(d, "no module named"):
		return "the image lacks dask or distributed: add them to the image"
	}
	return "run a LocalCluster in the image to see the error; the versions of dask and distributed must match"
}

func pyList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = strconv.Quote(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// stop shuts the kernel down and stops the server.
func (r *probeRun) stop(ctx context.Context) Result {
	start := r.s.v.opts.Clock.Now()
	var kerr error
	if r.kernel != nil {
		kerr = r.kernel.shutdown(ctx)
		r.kernel = nil
	}
	if err := r.stopServer(ctx); err != nil {
		return fail(fmt.Sprintf("the server of %s did not stop: %s", r.p.User, clip(err.Error(), 200)),
			fmt.Sprintf("kubectl -n %s get pod jupyter-%s; the next probe stops it", r.s.t.Namespace, r.p.User), err)
	}
	r.started = false
	detail := "server stopped in " + fmtSeconds(r.s.v.opts.Clock.Now().Sub(start))
	if kerr != nil {
		detail += " (the kernel was not shut down first: " + clip(kerr.Error(), 80) + ")"
	}
	return pass(detail)
}

// cleanup confirms that nothing of the probe is left on the hub.
func (r *probeRun) cleanup(ctx context.Context) Result {
	if r.started {
		return warn("the server is still running", "the next probe stops it; or stop it in the hub's admin page")
	}
	var u hubUser
	if _, err := r.h.call(ctx, http.MethodGet, r.userPath(""), nil, &u); err != nil {
		return r.hubFailure(ctx, "read the probe user "+r.p.User, err)
	}
	if u.active() {
		return warn("a server of "+r.p.User+" runs again (another probe?)", "nothing to do if another probe runs; else the next probe stops it")
	}
	return pass("nothing the probe started is left")
}
