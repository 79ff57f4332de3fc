package testhub

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// ControlledSingleuser writes, in ctrl, a single-user server command that
// control files in ctrl change: ctrl/slow makes it sleep 8 s first,
// ctrl/fail makes it exit 1 with a message, as an image whose command is
// missing does. Otherwise it runs DefaultSingleuser. It returns the
// command's path.
func ControlledSingleuser(t testing.TB, ctrl string) string {
	t.Helper()
	wrapper := filepath.Join(ctrl, "singleuser.sh")
	script := fmt.Sprintf(`#!/bin/sh
if [ -f %[1]s/slow ]; then sleep 8; fi
if [ -f %[1]s/fail ]; then echo "singleuser: cannot start: /srv/conda/bin/jupyterhub-singleuser not found" >&2; exit 1; fi
exec %[2]s --ServerApp.allow_root=True "$@"
`, ctrl, DefaultSingleuser)
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return wrapper
}
