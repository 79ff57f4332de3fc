package site_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubfleet/hubfleet/internal/site"
)

// probeSite is egi-dev (native auth) with spec.probe and the secrets
// block replaced.
func probeSite(t *testing.T, probe, secrets string) *site.Site {
	t.Helper()
	b, err := os.ReadFile("../../clusters/egi-dev/site.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	i := strings.Index(text, "\n  secrets:\n")
	if i < 0 {
		t.Fatal("egi-dev has no spec.secrets")
	}
	rest := text[i+len("\n  secrets:\n"):]
	// Keep the lines of the secrets block that follow it (ageRecipient).
	var keep []string
	for _, l := range strings.Split(rest, "\n") {
		if strings.HasPrefix(l, "    ") {
			keep = append(keep, l)
			continue
		}
		break
	}
	text = text[:i] + "\n  secrets:\n" + strings.Join(keep, "\n") + "\n" + secrets + probe
	s, err := site.DecodeSite("clusters/egi-dev/site.yaml", []byte(text))
	if err != nil {
		t.Fatalf("decode: %v\n%s", err, text)
	}
	return s
}

func TestProbeSettings(t *testing.T) {
	t.Parallel()
	const token = "    values:\n      hubfleet-probe-token: {targetPath: jupyterhub.hub.services.hubfleet-probe.apiToken}\n"
	tests := []struct {
		name, probe, secrets string
		want                 []string // field: message, of each error
	}{
		{name: "defaults", probe: "  probe: {}\n", secrets: token},
		{name: "token not declared", probe: "  probe: {}\n",
			want: []string{"spec.probe: the probe's token hubfleet-probe-token is not declared in spec.secrets.values"}},
		{name: "token elsewhere", probe: "  probe: {}\n",
			secrets: "    values:\n      hubfleet-probe-token: {targetPath: jupyterhub.hub.db.password}\n",
			want:    []string{"spec.secrets.values.hubfleet-probe-token: the probe's token must reach the chart at jupyterhub.hub.services.hubfleet-probe.apiToken"}},
		{name: "admin probe user", probe: "  probe: {user: admin}\n", secrets: token,
			want: []string{"spec.probe.user: the probe user admin is an admin: the probe must run without admin rights"}},
		{name: "bad user and profile and timeout", probe: "  probe: {user: 'Probe User', profile: gpu, timeouts: {spawn: -1}}\n", secrets: token,
			want: []string{
				`spec.probe.user: "Probe User" is not a usable probe user name`,
				`spec.probe.profile: no profile has the slug "gpu"`,
				"spec.probe.timeouts.spawn: a timeout must not be negative",
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := probeSite(t, tc.probe, tc.secrets)
			var got []string
			for _, e := range site.Check(s, nil).Errors() {
				if strings.Contains(e.Field, "probe") {
					got = append(got, e.Field+": "+e.Msg)
					if e.Fix == "" || e.Line == 0 {
						t.Errorf("%s: no fix or line: %v", e.Field, e)
					}
				}
			}
			slices.Sort(got)
			slices.Sort(tc.want)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

func TestProbeDefaultsAndRole(t *testing.T) {
	t.Parallel()
	s := probeSite(t, "  probe: {}\n", "")
	p, ok := site.ProbeOf(s)
	if !ok {
		t.Fatal("spec.probe is set, ProbeOf says it is not")
	}
	// egi-dev sets spec.singleuser.startTimeout: 600.
	want := site.Probe{User: "hubfleet-probe", TokenKey: "hubfleet-probe-token", Imports: []string{"dask", "distributed"},
		Timeouts: site.ProbeTimeouts{Spawn: 600, Kernel: 60, Code: 60, Dask: 300, Stop: 120}}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("ProbeOf (-want +got):\n%s", diff)
	}
	role := site.ProbeRole(p)
	wantRole := map[string]any{
		"description": "hubfleet verify --spawn: start, use and stop the servers of hubfleet-probe only",
		"scopes":      []any{"access:servers!user=hubfleet-probe", "read:servers!user=hubfleet-probe", "read:users!user=hubfleet-probe", "servers!user=hubfleet-probe"},
		"services":    []any{"hubfleet-probe"},
	}
	if diff := cmp.Diff(wantRole, role); diff != "" {
		t.Errorf("ProbeRole (-want +got):\n%s", diff)
	}
	if _, ok := site.ProbeOf(probeSite(t, "", "")); ok {
		t.Error("a site without spec.probe has a probe")
	}
}
