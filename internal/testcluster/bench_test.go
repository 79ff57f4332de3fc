package testcluster_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/hubfleet/hubfleet/internal/testcluster"
)

// scopedTB runs the cleanups Start registers at the end of one benchmark
// iteration instead of at the end of the benchmark.
type scopedTB struct {
	testing.TB
	cleanups []func()
	dirs     []string
}

func (s *scopedTB) Cleanup(f func()) { s.cleanups = append(s.cleanups, f) }

func (s *scopedTB) TempDir() string {
	dir, err := os.MkdirTemp("", "testcluster-bench-")
	if err != nil {
		s.Fatal(err)
	}
	s.dirs = append(s.dirs, dir)
	return dir
}

func (s *scopedTB) done() {
	for i := len(s.cleanups) - 1; i >= 0; i-- {
		s.cleanups[i]()
	}
	for _, d := range s.dirs {
		os.RemoveAll(d)
	}
}

// BenchmarkStart measures starting a cluster (etcd, kube-apiserver, Flux CRDs
// and optionally the two controllers) until it is ready, and stopping it.
//
//	go test ./internal/testcluster -run '^$' -bench Start -benchtime 3x
func BenchmarkStart(b *testing.B) {
	for _, controllers := range []bool{false, true} {
		b.Run(fmt.Sprintf("controllers=%v", controllers), func(b *testing.B) {
			opts := testcluster.DefaultOptions()
			opts.Controllers = controllers
			opts.MaxClusters = 0
			for b.Loop() {
				s := &scopedTB{TB: b}
				testcluster.Start(s, opts)
				s.done()
			}
		})
	}
}
