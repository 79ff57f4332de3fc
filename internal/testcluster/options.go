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
	FluxHelmAPIVersion      = "v1.4.3"
	FluxSourceAPIVersion    = "v1.7.3"
	FluxKustomizeAPIVersion = "v1.7.3"
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
}

func (o Options) binaries() binaries {
	bin := filepath.Join(o.CacheDir, "bin")
	return binaries{
		etcd:                o.EtcdPath,
		kubeAPIServer:       filepath.Join(bin, "kube-apiserver-"+KubernetesVersion),
		sourceController:    filepath.Join(bin, "source-controller-"+FluxSourceVersion),
		kustomizeController: filepath.Join(bin, "kustomize-controller-"+FluxKustomizeVersion),
		crdDir: filepath.Join(o.CacheDir, "crds",
			"flux-helm-"+FluxHelmAPIVersion+"-source-"+FluxSourceAPIVersion+"-kustomize-"+FluxKustomizeAPIVersion),
	}
}

// missing lists what Start needs and cannot find.
func (o Options) missing() []string {
	b := o.binaries()
	need := []string{b.etcd, b.kubeAPIServer}
	if o.Controllers {
		need = append(need, b.sourceController, b.kustomizeController)
	}
	var missing []string
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
