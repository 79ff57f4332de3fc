package main

import (
	"strings"
	"testing"
)

// TestActionVerifyNetworkInputs: the verify mode's connect-to, resolve and
// cacert inputs are read before anything runs; bad ones fail the step
// naming the input and what it wants, all at once. (Good ones reach a hub
// in internal/testcluster's TestRealLoopSpawnGate.)
func TestActionVerifyNetworkInputs(t *testing.T) {
	t.Setenv("HUBFLEET_CONNECT_TO", "hub.example.org")
	t.Setenv("HUBFLEET_RESOLVE", "hub.example.org=not-an-ip")
	t.Setenv("HUBFLEET_CACERT", "-----BEGIN NOTHING-----")
	r := hubfleet(t, "", "action", "verify", "--root", t.TempDir())
	if r.code != exitError {
		t.Fatalf("exit %d, want %d\n%s%s", r.code, exitError, r.stdout, r.stderr)
	}
	for _, want := range []string{
		`the connect-to input (HUBFLEET_CONNECT_TO): host override "hub.example.org": want host=addr:port`,
		`the resolve input (HUBFLEET_RESOLVE): resolve "hub.example.org=not-an-ip": "not-an-ip" is not an IP address`,
		"the cacert input (HUBFLEET_CACERT) holds no PEM certificate",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
}
