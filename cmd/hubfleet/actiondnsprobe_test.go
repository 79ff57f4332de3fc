package main

import (
	"bytes"
	"testing"

	"github.com/hubfleet/hubfleet/internal/targets"
)

// TestActionVerifyProbesTheCLIsResolverName: the Action's verify mode
// probes the name `hubfleet verify --dns-probe` does by default, with and
// without the network inputs. Without it, on a runner whose resolver
// answers "no such host" for every name (an offline self-hosted runner, a
// sandbox), the CLI reported DNS and the hub checks unknown and exited 0,
// while the Action failed them and the site: two verdicts on one site.
// (internal/testcluster's TestUmbrellaSiteVerify compares both
// front-ends' verdicts check by check on a running site.)
func TestActionVerifyProbesTheCLIsResolverName(t *testing.T) {
	var out bytes.Buffer
	flag := newVerifyCmd(&globalOptions{}, streams{out: &out, err: &out}).Flags().Lookup("dns-probe")
	if flag == nil || flag.DefValue == "" {
		t.Fatalf("verify has no --dns-probe default: %v", flag)
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
	}{
		{"default inputs", nil},
		{"with resolve", map[string]string{"HUBFLEET_RESOLVE": "hub.example.org=192.0.2.10"}},
	} {
		v, err := actionVerifier(func(k string) string { return tc.env[k] }, defaultActionDeps().verifier)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		tv, ok := v.(targets.Verifier)
		if !ok {
			t.Fatalf("%s: the Action's verifier is a %T", tc.name, v)
		}
		if tv.Options.ResolverProbe != flag.DefValue {
			t.Errorf("%s: the Action's verify probes %q, the CLI's --dns-probe default is %q", tc.name, tv.Options.ResolverProbe, flag.DefValue)
		}
	}
}
