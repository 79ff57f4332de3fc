package flux

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"

	"github.com/hubfleet/hubfleet/internal/fleet"
)

// countdown is a context whose Err turns to Canceled on its n-th call, so a
// test can stop a loop in its middle without timing anything; calls counts
// the calls.
type countdown struct {
	context.Context
	n, calls atomic.Int64
}

func (c *countdown) Err() error {
	if c.calls.Add(1) >= c.n.Load() {
		return context.Canceled
	}
	return nil
}

// bigFleet is the example fleet with n copies of egi-dev (native auth, so
// no SOPS file is needed), each with its own name and host.
func bigFleet(t *testing.T, n int) (fstest.MapFS, *fleet.Fleet) {
	t.Helper()
	fsys := copyFleet(t)
	src := string(fsys["clusters/egi-dev/site.yaml"].Data)
	for i := range n {
		name := fmt.Sprintf("dev-%04d", i)
		s := strings.Replace(src, "name: egi-dev", "name: "+name, 1)
		s = strings.Replace(s, "host: pangeo-dev.vm.fedcloud.eu", "host: "+name+".vm.fedcloud.eu", 1)
		fsys["clusters/"+name+"/site.yaml"] = &fstest.MapFile{Data: []byte(s)}
	}
	fl, err := fleet.Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	return fsys, fl
}

// TestRenderAndChangesStopWhenTheContextEnds renders a fleet of 500 sites
// with a context that ends partway: RenderContext and ChangesContext must
// return its error and nothing else, having checked it about once per site
// (or file) rather than running to the end.
func TestRenderAndChangesStopWhenTheContextEnds(t *testing.T) {
	t.Parallel()
	fsys, fl := bigFleet(t, 500)
	all, err := Render(fsys, fl, nil)
	if err != nil {
		t.Fatal(err)
	}

	ctx := &countdown{Context: context.Background()}
	ctx.n.Store(50)
	files, err := RenderContext(ctx, fsys, fl, nil)
	if !errors.Is(err, context.Canceled) || files != nil {
		t.Fatalf("RenderContext = %d files, %v; want none and context.Canceled", len(files), err)
	}
	if c := ctx.calls.Load(); c != 50 {
		t.Errorf("RenderContext checked the context %d times, want it to stop at the 50th check (of %d sites)", c, len(fl.Sites))
	}

	ctx = &countdown{Context: context.Background()}
	ctx.n.Store(100)
	changes, err := ChangesContext(ctx, fsys, fl, all, nil)
	if !errors.Is(err, context.Canceled) || changes != nil {
		t.Fatalf("ChangesContext = %d changes, %v; want none and context.Canceled", len(changes), err)
	}
	if c := ctx.calls.Load(); c != 100 {
		t.Errorf("ChangesContext checked the context %d times, want it to stop at the 100th", c)
	}
}

// TestApplyStopsBetweenWholeFiles applies three changes with a context that
// ends after the first: the first file is written whole, the others are
// untouched, and the error says how far it got.
func TestApplyStopsBetweenWholeFiles(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	for _, f := range []string{"b", "c"} {
		if err := os.WriteFile(filepath.Join(root, f), []byte("old "+f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	changes := []Change{
		{Path: "a", New: []byte("new a")},
		{Path: "b", Old: []byte("old b"), New: []byte("new b")},
		{Path: "c", Old: []byte("old c")},
	}
	ctx := &countdown{Context: context.Background()}
	ctx.n.Store(2)
	err := ApplyContext(ctx, root, changes)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "stopped after 1 of 3") {
		t.Fatalf("ApplyContext: %v; want context.Canceled after 1 of 3", err)
	}
	for f, want := range map[string]string{"a": "new a", "b": "old b", "c": "old c"} {
		if got, err := os.ReadFile(filepath.Join(root, f)); err != nil || string(got) != want {
			t.Errorf("%s = %q, %v; want %q", f, got, err, want)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(root, ".*tmp*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}
