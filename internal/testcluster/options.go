package testcluster

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// Versions of the binaries and CRDs that tools/build.sh puts in the cache.
// Keep them in step with tools/build.sh (and the Flux API versions with the
// main go.mod).
const (
	KubernetesVersion       = "v1.34.2"
	FluxSourceVersion       = "v1.7.3"
	FluxKustomizeVersion    = "v1.7.3"
	FluxSourceAPIVersion    = "v1.7.3"
	FluxKustomizeAPIVersion = "v1.7.3"
	// FluxHelmVersion is the helm-controller built from its source
	// archive; its HelmRelease CRD comes from that source
	// (config/crd/bases), not from controller-gen.
	FluxHelmVersion = "v1.6.2"
	// KWOKVersion is the KWOK controller that plays the kubelet.
	KWOKVersion = "v0.8.0"
)

// Environment variables the harness reads.
const (
	// EnvCache overrides the cache directory (default $HOME/.cache/hubfleet).
	EnvCache = "HUBFLEET_CACHE"
	// EnvEtcd overrides the etcd binary (default: etcd on PATH).
	EnvEtcd = "HUBFLEET_ETCD"
	// EnvRequire, set to 1, turns a skip for missing binaries into a failure.
	EnvRequire = "HUBFLEET_REQUIRE_CLUSTER"
	// EnvLogDir, when set, keeps component logs in that directory instead
	// of a test temporary directory.
	EnvLogDir = "HUBFLEET_TEST_LOGDIR"
	// EnvMaxClusters bounds the clusters running at once in one test
	// binary (default 3).
	EnvMaxClusters = "HUBFLEET_MAX_CLUSTERS"
)

// Options configures Start.
type Options struct {
	// CacheDir holds bin/<name>-<version> and crds/flux-<versions>/ as
	// tools/build.sh writes them.
	CacheDir string
	// EtcdPath is the etcd binary (Debian's etcd-server package).
	EtcdPath string
	// Controllers starts source-controller and kustomize-controller.
	Controllers bool
	// HelmController also starts helm-controller (it needs Controllers:
	// it installs charts that source-controller fetched).
	HelmController bool
	// Workloads starts what makes pods Ready without containers:
	// kube-controller-manager, kube-scheduler, KWOK playing the kubelet
	// for Nodes, a volume provisioner that binds PVCs and a LoadBalancer
	// controller that writes a loopback address into Service status.
	Workloads bool
	// Nodes are the fake nodes KWOK manages when Workloads is set; nil
	// means DefaultNodes().
	Nodes []Node
	// StartTimeout bounds the whole start-up, CRDs and controllers included.
	StartTimeout time.Duration
	// StopGrace is how long a component gets to exit after SIGTERM before
	// it is killed.
	StopGrace time.Duration
	// LogDir receives one <component>.log per component. Empty means a
	// test temporary directory (or $HUBFLEET_TEST_LOGDIR).
	LogDir string
	// LogTailLines is how many lines of each component log a failed test
	// prints.
	LogTailLines int
	// MaxClusters bounds how many clusters the tests of one test binary
	// run at once (Start waits for a free slot); 0 means no bound.
	MaxClusters int
}

// DefaultOptions returns the options most tests want: the default cache, etcd
// from PATH, no controllers, and bounded start and stop.
func DefaultOptions() Options {
	return Options{
		CacheDir:     DefaultCacheDir(),
		EtcdPath:     defaultEtcdPath(),
		StartTimeout: 3 * time.Minute,
		StopGrace:    5 * time.Second,
		LogDir:       os.Getenv(EnvLogDir),
		LogTailLines: 20,
		MaxClusters:  maxClusters(),
	}
}

// maxClusters is $HUBFLEET_MAX_CLUSTERS, default 3: each cluster is an etcd
// and a kube-apiserver (and maybe two controllers) on a 2-core machine.
func maxClusters() int {
	if n, err := strconv.Atoi(os.Getenv(EnvMaxClusters)); err == nil && n >= 0 {
		return n
	}
	return 3
}

// DefaultCacheDir is $HUBFLEET_CACHE, or $HOME/.cache/hubfleet.
func DefaultCacheDir() string {
	if dir := os.Getenv(EnvCache); dir != "" {
		return dir
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return filepath.Join(os.TempDir(), "hubfleet-cache")
	}
	return filepath.Join(home, ".cache", "hubfleet")
}

func defaultEtcdPath() string {
	if p := os.Getenv(EnvEtcd); p != "" {
		return p
	}
	if p, err := exec.LookPath("etcd"); err == nil {
		return p
	}
	return "/usr/bin/etcd"
}

// binaries are the resolved paths of everything Start runs.
type binaries struct {
	etcd, kubeAPIServer, sourceController, kustomizeController, crdDir string
	helmController, helmCRDDir                                         string
	kubeControllerManager, kubeScheduler, kwok, kwokStages             string
}

func (o Options) binaries() binaries {
	bin := filepath.Join(o.CacheDir, "bin")
	return binaries{
		etcd:                o.EtcdPath,
		kubeAPIServer:       filepath.Join(bin, "kube-apiserver-"+KubernetesVersion),
		sourceController:    filepath.Join(bin, "source-controller-"+FluxSourceVersion),
		kustomizeController: filepath.Join(bin, "kustomize-controller-"+FluxKustomizeVersion),
		crdDir: filepath.Join(o.CacheDir, "crds",
			"flux-source-"+FluxSourceAPIVersion+"-kustomize-"+FluxKustomizeAPIVersion),
		helmController:        filepath.Join(bin, "helm-controller-"+FluxHelmVersion),
		helmCRDDir:            filepath.Join(o.CacheDir, "src", "helm-controller-"+FluxHelmVersion, "config", "crd", "bases"),
		kubeControllerManager: filepath.Join(bin, "kube-controller-manager-"+KubernetesVersion),
		kubeScheduler:         filepath.Join(bin, "kube-scheduler-"+KubernetesVersion),
		kwok:                  filepath.Join(bin, "kwok-"+KWOKVersion),
		kwokStages:            filepath.Join(o.CacheDir, "kwok-"+KWOKVersion, "stages.yaml"),
	}
}

// missing lists what Start needs and cannot find.
func (o Options) missing() []string {
	var missing []string
	b := o.binaries()
	need := []string{b.etcd, b.kubeAPIServer}
	if o.Controllers || o.HelmController {
		need = append(need, b.sourceController, b.kustomizeController)
	}
	if o.HelmController {
		need = append(need, b.helmController)
	}
	if o.Workloads {
		need = append(need, b.kubeControllerManager, b.kubeScheduler, b.kwok)
	}
	files := []string{filepath.Join(b.helmCRDDir, "helm.toolkit.fluxcd.io_helmreleases.yaml")}
	if o.Workloads {
		files = append(files, b.kwokStages)
	}
	for _, f := range files {
		if _, err := os.Stat(f); err != nil {
			missing = append(missing, f)
		}
	}
	for _, p := range need {
		if fi, err := os.Stat(p); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
			missing = append(missing, p)
		}
	}
	if _, err := os.Stat(filepath.Join(b.crdDir, ".complete")); err != nil {
		missing = append(missing, b.crdDir)
	}
	return missing
}
