package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/hubfleet/hubfleet/internal/chart"
	"github.com/hubfleet/hubfleet/internal/chart/chartrepotest"
	"github.com/hubfleet/hubfleet/internal/values"
)

// profileListValues is a z2jh profile list using every KubeSpawner feature
// the site model types: profile options with choices and a free-text
// image (unlisted_choice), per-profile and per-choice overrides (image,
// pull policy, environment, default URL, working directory, init
// containers, node selectors, tolerations, GPUs, a cleared memory limit),
// and groups allowed per profile and per choice.
const profileListValues = `singleuser:
  profileList:
    - display_name: Pangeo
      slug: pangeo
      description: Choose an image and a size
      default: true
      kubespawner_override:
        default_url: /lab
        environment: {GIT_COMMITTER_NAME: hub}
        init_containers:
          - name: fix-perms
            image: busybox:1.36
            command: [sh, -c, "chown 1000 /home/jovyan"]
      profile_options:
        image:
          display_name: Image
          choices:
            pangeo:
              display_name: Pangeo notebook
              default: true
              kubespawner_override:
                image: pangeo/pangeo-notebook:2024.01.15
                image_pull_policy: IfNotPresent
            rstudio:
              display_name: RStudio
              allowed_groups: [r-users]
              kubespawner_override:
                image: rocker/binder:4.3
                default_url: /rstudio
                working_dir: /home/rstudio
          unlisted_choice:
            enabled: true
            display_name: Your own image
            validation_regex: "^.+:.+$"
            validation_message: "give name:tag"
            kubespawner_override:
              image: "{value}"
        size:
          display_name: Size
          choices:
            small:
              display_name: 2 CPUs, 8 GB
              kubespawner_override: {cpu_guarantee: 1.5, cpu_limit: 2, mem_guarantee: 7G, mem_limit: 8G}
            big:
              display_name: 8 CPUs, 32 GB
              kubespawner_override: {cpu_guarantee: 7, cpu_limit: 8, mem_guarantee: 30G, mem_limit: 32G}
    - display_name: GPU
      allowed_groups: [gpu-users]
      kubespawner_override:
        image: pangeo/ml-notebook:2024.01.15
        mem_limit: null
        extra_resource_limits: {nvidia.com/gpu: "1"}
        node_selector: {node.kubernetes.io/instance-type: g4dn.xlarge}
        tolerations:
          - {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}
`

// TestImportTypesProfilesThroughRender imports a z2jh profile list using
// every typed KubeSpawner feature: the site holds it as
// spec.singleuser.profiles, validate warns that login gives users no
// groups for allowed_groups, render gives the jupyterhub release the very list, and
// z2jh 4.4.0 (Helm SDK) puts it into the hub's configuration Secret.
func TestImportTypesProfilesThroughRender(t *testing.T) {
	t.Parallel()
	root := fleetCopy(t)
	valuesFile := filepath.Join(t.TempDir(), "values.yaml")
	writeFile(t, valuesFile, []byte(profileListValues))
	r := hubfleet(t, "", "import", "-f", valuesFile, "--site", "profiles", "--root", root, "--host", "profiles.example.org",
		"--tls-mode", "cert-manager", "--cluster-issuer", "letsencrypt-prod", "--write")
	if r.code != exitOK {
		t.Fatalf("import: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"singleuser.profileList: spec.singleuser.profiles (2 profiles; rendered back, the list is the same)",
		"2 profiles or choices are offered only to some groups (allowed_groups); enforced by hubfleet's profile filter",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("the import report lacks %q:\n%s", want, r.stderr)
		}
	}
	siteFile, err := os.ReadFile(filepath.Join(root, "clusters/profiles/site.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"profiles:", "options:", "unlisted:", "validationRegex:", "initContainers:", "extraResourceLimits:", "unset:", "- memoryLimit", "allowedGroups:"} {
		if !strings.Contains(string(siteFile), want) {
			t.Errorf("the site file lacks %q:\n%s", want, siteFile)
		}
	}
	if strings.Contains(string(siteFile), "profileList") {
		t.Errorf("the profile list is typed, yet passed through too:\n%s", siteFile)
	}
	r = hubfleet(t, "", "validate", "--root", root)
	// The site's login gives users no JupyterHub groups: validate warns
	// at the first restricted choice (the filter fails closed).
	if r.code != exitOK || !strings.Contains(r.stderr, "clusters/profiles/site.yaml:") ||
		!strings.Contains(r.stderr, "spec.singleuser.profiles[0].options[0].choices[1].allowedGroups") ||
		!strings.Contains(r.stderr, "spec.auth gives users no JupyterHub groups") {
		t.Errorf("validate: exit %d, want 0 with the no-groups warning\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := hubfleet(t, "", "render", "--root", root); r.code != exitOK {
		t.Fatalf("render: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	hr := readHelmReleaseValues(t, filepath.Join(root, "overlays/profiles"))
	var in map[string]any
	if err := yaml.Unmarshal([]byte(profileListValues), &in); err != nil {
		t.Fatal(err)
	}
	want := in["singleuser"].(map[string]any)["profileList"]
	got := hr["singleuser"].(map[string]any)["profileList"]
	if a, b := jsonOf(t, want), jsonOf(t, got); a != b {
		t.Errorf("the HelmRelease's profileList differs from the input:\ninput    %s\nrendered %s", a, b)
	}

	// z2jh 4.4.0 hands the list to KubeSpawner through the hub Secret.
	_, hv := renderRealHubSecret(t, "profiles", hr)
	inChart := hv["singleuser"].(map[string]any)["profileList"]
	if a, b := jsonOf(t, want), jsonOf(t, inChart); a != b {
		t.Errorf("the hub Secret's profileList differs from the input:\ninput %s\nchart %s", a, b)
	}
	if got := hv["hub"].(map[string]any)["extraConfig"].(map[string]any)[values.ProfileGroupsKey]; got != values.ProfileGroupsConfig {
		t.Errorf("the hub Secret lacks hubfleet's profile filter (hub.extraConfig.%s), got %v", values.ProfileGroupsKey, got)
	}
}

// readHelmReleaseValues reads spec.values of the jupyterhub HelmRelease in
// an overlay (composed) or the jupyterhub part of the daskhub one.
func readHelmReleaseValues(t *testing.T, dir string) map[string]any {
	t.Helper()
	for _, name := range []string{"helmrelease-jupyterhub.yaml", "helmrelease-daskhub.yaml"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			continue
		}
		var hr struct {
			Spec struct {
				Values map[string]any `yaml:"values"`
			} `yaml:"spec"`
		}
		if err := yaml.Unmarshal(b, &hr); err != nil {
			t.Fatal(err)
		}
		if name == "helmrelease-daskhub.yaml" {
			jh, _ := hr.Spec.Values["jupyterhub"].(map[string]any)
			return jh
		}
		return hr.Spec.Values
	}
	t.Fatalf("no hub HelmRelease in %s", dir)
	return nil
}

// renderRealHubSecret renders the HelmRelease values hr with the real
// jupyterhub chart 4.4.0 (served over loopback) and returns the manifest
// and the hub's values as the chart hands them to the hub through its
// Secret (whose data this reads: secrets are not stripped).
func renderRealHubSecret(t *testing.T, site string, hr map[string]any) (string, map[string]any) {
	t.Helper()
	srv := chartrepotest.StartReal(t, "jupyterhub-4.4.0.tgz")
	ro := chart.DefaultResolverOptions()
	ro.CacheDir = t.TempDir()
	res, err := chart.NewResolver(ro)
	if err != nil {
		t.Fatal(err)
	}
	c, err := res.Resolve(context.Background(), chart.Ref{RepoURL: srv.URL, Name: "jupyterhub", Version: "4.4.0"})
	if err != nil {
		t.Fatal(err)
	}
	opts := chart.DefaultRenderOptions()
	opts.CacheDir, opts.Workers, opts.KubeVersion = "", 1, "1.31.0"
	opts.StripSecrets = nil // the hub Secret's data is what the callers read
	rd, err := chart.NewRenderer(opts)
	if err != nil {
		t.Fatal(err)
	}
	out := rd.Render(context.Background(), chart.Request{Site: site, Chart: c, ReleaseName: "jupyterhub", Namespace: "daskhub", Values: hr})
	if !out.OK() {
		t.Fatalf("z2jh does not render the HelmRelease values: %v", out.Problems)
	}
	var hv map[string]any
	if err := yaml.Unmarshal([]byte(hubSecretValues(t, out.Manifest())), &hv); err != nil {
		t.Fatal(err)
	}
	return out.Manifest(), hv
}

// hubSecretValues is the values.yaml z2jh's hub Secret carries.
func hubSecretValues(t *testing.T, manifest string) string {
	t.Helper()
	for _, doc := range strings.Split(manifest, "\n---") {
		var o struct {
			Kind     string `yaml:"kind"`
			Metadata struct{ Name string }
			Data     map[string]string `yaml:"data"`
		}
		if err := yaml.Unmarshal([]byte(doc), &o); err != nil || o.Kind != "Secret" || o.Metadata.Name != "hub" {
			continue
		}
		b, err := base64.StdEncoding.DecodeString(o.Data["values.yaml"])
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	t.Fatalf("no hub Secret in the rendered chart")
	return ""
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestImportReadsPythonProfileLists imports profile lists written in
// Python in the hub's extraConfig: a literal is typed as
// spec.singleuser.profiles and the jupyterhub release gets the same list
// as singleuser.profileList (z2jh hands it to the same trait); code that
// is not a literal passes through unchanged, with the reason printed.
func TestImportReadsPythonProfileLists(t *testing.T) {
	t.Parallel()
	literal := "c.KubeSpawner.profile_list = [\n" +
		"    {'display_name': 'Small', 'slug': 'small', 'default': True,\n" +
		"     'kubespawner_override': {'cpu_limit': 2, 'mem_limit': '4G', 'image': 'pangeo/pangeo-notebook:2024.01.15'}},\n" +
		"    {'display_name': 'GPU', 'kubespawner_override': {'extra_resource_limits': {'nvidia.com/gpu': '1'}, 'mem_limit': None}},\n" +
		"]\n"
	for _, tt := range []struct {
		name, code string
		typed      bool
		report     string
	}{
		{"literal", literal, true, "hub.extraConfig.10-profiles: spec.singleuser.profiles (2 profiles read from the Python literal"},
		{"code", "import os\nc.KubeSpawner.profile_list = [{'display_name': os.environ['X']}]\n", false,
			"hub.extraConfig.10-profiles: the Python profile list passes through unchanged (the code runs as before): the code does more than set c.KubeSpawner.profile_list to a literal"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := fleetCopy(t)
			values := filepath.Join(t.TempDir(), "values.yaml")
			var doc strings.Builder
			doc.WriteString("hub:\n  extraConfig:\n    10-profiles: |\n")
			for _, l := range strings.Split(strings.TrimSuffix(tt.code, "\n"), "\n") {
				doc.WriteString("      " + l + "\n")
			}
			writeFile(t, values, []byte(doc.String()))
			r := hubfleet(t, "", "import", "-f", values, "--site", "py", "--root", root, "--host", "py.example.org",
				"--tls-mode", "cert-manager", "--cluster-issuer", "letsencrypt-prod", "--write")
			if r.code != exitOK {
				t.Fatalf("import: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stderr, tt.report) {
				t.Errorf("the report lacks %q:\n%s", tt.report, r.stderr)
			}
			if r := hubfleet(t, "", "render", "--root", root); r.code != exitOK {
				t.Fatalf("render: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			hr := readHelmReleaseValues(t, filepath.Join(root, "overlays/py"))
			su, _ := hr["singleuser"].(map[string]any)
			hub, _ := hr["hub"].(map[string]any)
			ec, _ := hub["extraConfig"].(map[string]any)
			if !tt.typed {
				if ec["10-profiles"] != tt.code {
					t.Errorf("the code did not pass through unchanged: %q", ec["10-profiles"])
				}
				if su["profileList"] != nil {
					t.Errorf("a profileList was made of code that is not a literal: %v", su["profileList"])
				}
				return
			}
			if _, ok := ec["10-profiles"]; ok {
				t.Errorf("the typed Python profile list is still in extraConfig too")
			}
			want := []any{
				map[string]any{"display_name": "Small", "slug": "small", "default": true,
					"kubespawner_override": map[string]any{"cpu_limit": 2, "mem_limit": "4G", "image": "pangeo/pangeo-notebook:2024.01.15"}},
				map[string]any{"display_name": "GPU", "kubespawner_override": map[string]any{"extra_resource_limits": map[string]any{"nvidia.com/gpu": "1"}, "mem_limit": nil}},
			}
			if a, b := jsonOf(t, want), jsonOf(t, su["profileList"]); a != b {
				t.Errorf("profileList of the Python literal:\nwant %s\ngot  %s", a, b)
			}
		})
	}
}
