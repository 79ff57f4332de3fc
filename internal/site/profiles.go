package site

import (
	"fmt"
	"maps"
	"slices"
)

// SpawnerOverride is what a profile, or one choice of it, sets on the
// user's server: KubeSpawner's kubespawner_override, typed.
type SpawnerOverride struct {
	// Image is the user image, with its tag.
	Image string `yaml:"image,omitempty"`
	// ImagePullPolicy is Always, IfNotPresent or Never.
	ImagePullPolicy string `yaml:"imagePullPolicy,omitempty"`
	CPU             CPU    `yaml:"cpu,omitempty"`
	Memory          Memory `yaml:"memory,omitempty"`
	// ExtraResourceLimits are further resource limits, e.g. GPUs:
	// {nvidia.com/gpu: "1"}.
	ExtraResourceLimits map[string]string `yaml:"extraResourceLimits,omitempty"`
	NodeSelector        map[string]string `yaml:"nodeSelector,omitempty"`
	Tolerations         []Toleration      `yaml:"tolerations,omitempty"`
	// DefaultURL is the page users land on, e.g. /rstudio.
	DefaultURL string `yaml:"defaultURL,omitempty"`
	// WorkingDir is the server's working directory.
	WorkingDir string `yaml:"workingDir,omitempty"`
	// Environment are environment variables of the server.
	Environment map[string]string `yaml:"environment,omitempty"`
	// InitContainers run before the server (Kubernetes containers, as
	// they are).
	InitContainers []map[string]any `yaml:"initContainers,omitempty"`
	// Unset clears what the server would otherwise get (KubeSpawner's
	// null): cpuGuarantee, cpuLimit, memoryGuarantee, memoryLimit, e.g.
	// a GPU profile without a memory limit.
	Unset []string `yaml:"unset,omitempty"`
}

// UnsetKeys are the fields an override may clear, and KubeSpawner's names
// for them.
var UnsetKeys = map[string]string{"cpuGuarantee": "cpu_guarantee", "cpuLimit": "cpu_limit", "memoryGuarantee": "mem_guarantee", "memoryLimit": "mem_limit"}

// ProfileOption is one choice a user makes inside a profile.
type ProfileOption struct {
	// Name is the option's key in profile_options (e.g. image).
	Name        string `yaml:"name"`
	DisplayName string `yaml:"displayName"`
	// Choices are what users pick from.
	Choices []ProfileChoice `yaml:"choices,omitempty"`
	// Unlisted lets users type their own value (unlisted_choice).
	Unlisted *UnlistedChoice `yaml:"unlisted,omitempty"`
	// DynamicImageBuilding offers to build an image from a repository
	// (dynamic_image_building.enabled; 2i2c's profile form with
	// binderhub-service reads it, KubeSpawner does not).
	DynamicImageBuilding bool `yaml:"dynamicImageBuilding,omitempty"`
}

// ProfileChoice is one choice of an option.
type ProfileChoice struct {
	// Name is the choice's key in the option's choices.
	Name        string `yaml:"name"`
	DisplayName string `yaml:"displayName"`
	// Slug, when set, is written as the choice's slug.
	Slug        string `yaml:"slug,omitempty"`
	Description string `yaml:"description,omitempty"`
	// Default marks the choice made unless the user picks another; an
	// explicit false is written as such.
	Default *bool `yaml:"default,omitempty"`
	// AllowedGroups offers the choice only to members of these groups
	// (enforced as for a profile's allowedGroups).
	AllowedGroups []string        `yaml:"allowedGroups,omitempty"`
	Override      SpawnerOverride `yaml:"override,omitempty"`
}

// UnlistedChoice is free text users may give instead of a choice.
type UnlistedChoice struct {
	Enabled     bool   `yaml:"enabled"`
	DisplayName string `yaml:"displayName,omitempty"`
	// DisplayNameInChoices is the entry in the list of choices.
	DisplayNameInChoices string `yaml:"displayNameInChoices,omitempty"`
	Description          string `yaml:"description,omitempty"`
	DescriptionInChoices string `yaml:"descriptionInChoices,omitempty"`
	// ValidationRegex must match the text; ValidationMessage says so.
	ValidationRegex   string `yaml:"validationRegex,omitempty"`
	ValidationMessage string `yaml:"validationMessage,omitempty"`
	// Override applies with the text at {value} (KubeSpawner formats
	// every string with it), e.g. image: "{value}".
	Override SpawnerOverride `yaml:"override,omitempty"`
}

// Empty reports whether the override sets nothing.
func (o SpawnerOverride) Empty() bool {
	return o.Image == "" && o.ImagePullPolicy == "" && o.CPU == (CPU{}) && o.Memory == (Memory{}) && len(o.ExtraResourceLimits) == 0 &&
		len(o.NodeSelector) == 0 && len(o.Tolerations) == 0 && o.DefaultURL == "" && o.WorkingDir == "" && len(o.Environment) == 0 && len(o.InitContainers) == 0 && len(o.Unset) == 0
}

// ProfileImages are the images a site's profiles offer in their choices
// and overrides, in order (hubfleet offers them as dask-gateway worker
// images); a free-text image (unlisted, {value}) adds "*": any image.
func ProfileImages(profiles []Profile) []string {
	var out []string
	add := func(img string) {
		if containsPlaceholder(img) {
			img = "*"
		}
		if img != "" && !slices.Contains(out, img) {
			out = append(out, img)
		}
	}
	for _, p := range profiles {
		add(p.Image)
		if p.Override != nil {
			add(p.Override.Image)
		}
		for _, o := range p.Options {
			for _, c := range o.Choices {
				add(c.Override.Image)
			}
			if o.Unlisted != nil && o.Unlisted.Enabled {
				add(o.Unlisted.Override.Image)
			}
		}
	}
	// "*" last: the listed images stay the ones offered first.
	if i := slices.Index(out, "*"); i >= 0 {
		out = append(append(out[:i:i], out[i+1:]...), "*")
	}
	return out
}

func containsPlaceholder(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '{' {
			return true
		}
	}
	return false
}

var pullPolicies = []string{"Always", "IfNotPresent", "Never"}

func validateOverride(r *reporter, base string, o SpawnerOverride, freeText bool) {
	if !freeText || !containsPlaceholder(o.Image) {
		r.checkImage(base+".image", o.Image)
	}
	if o.ImagePullPolicy != "" && !slices.Contains(pullPolicies, o.ImagePullPolicy) {
		r.add(KindEnum, base+".imagePullPolicy", "use Always, IfNotPresent or Never", "image pull policy %q is not one Kubernetes knows", o.ImagePullPolicy)
	}
	checkResources(r, base, o.CPU, o.Memory)
	checkLabels(r, base+".nodeSelector", o.NodeSelector)
	checkTolerations(r, base+".tolerations", o.Tolerations)
	for i, u := range o.Unset {
		if _, ok := UnsetKeys[u]; !ok {
			r.add(KindEnum, fmt.Sprintf("%s.unset[%d]", base, i), "use cpuGuarantee, cpuLimit, memoryGuarantee or memoryLimit", "%q is not a value an override can clear", u)
		}
	}
	for i, c := range o.InitContainers {
		if n, _ := c["name"].(string); n == "" {
			r.add(KindRequired, fmt.Sprintf("%s.initContainers[%d].name", base, i), "name the init container", "an init container needs a name")
		}
	}
}

// validateProfileFeatures checks a profile's KubeSpawner features.
func validateProfileFeatures(r *reporter, base string, p Profile, umbrella bool) {
	if p.Override != nil {
		validateOverride(r, base+".override", *p.Override, false)
	}
	groups := len(p.AllowedGroups) > 0
	names := map[string]bool{}
	for i, o := range p.Options {
		ob := fmt.Sprintf("%s.options[%d]", base, i)
		if o.Name == "" {
			r.add(KindRequired, ob+".name", "name the option, e.g. image", "an option needs a name")
		} else if names[o.Name] {
			r.add(KindDuplicateKey, ob+".name", "give each option of the profile its own name", "option %q is named twice", o.Name)
		}
		names[o.Name] = true
		if len(o.Choices) == 0 && (o.Unlisted == nil || !o.Unlisted.Enabled) {
			r.add(KindRequired, ob+".choices", "list the choices, or enable unlisted (free text)", "an option offers nothing to choose")
		}
		choices, defaults := map[string]bool{}, 0
		for j, c := range o.Choices {
			cb := fmt.Sprintf("%s.choices[%d]", ob, j)
			if c.Name == "" {
				r.add(KindRequired, cb+".name", "name the choice, e.g. pangeo", "a choice needs a name")
			} else if choices[c.Name] {
				r.add(KindDuplicateKey, cb+".name", "give each choice its own name", "choice %q is named twice", c.Name)
			}
			choices[c.Name] = true
			if c.Default != nil && *c.Default {
				defaults++
			}
			groups = groups || len(c.AllowedGroups) > 0
			validateOverride(r, cb+".override", c.Override, false)
		}
		if defaults > 1 {
			r.add(KindEnum, ob+".choices", "mark one choice default: true", "%d choices are marked default", defaults)
		}
		if u := o.Unlisted; u != nil {
			validateOverride(r, ob+".unlisted.override", u.Override, true)
		}
	}
}

// groupsField is the field of the first profile or choice offered only
// to some groups, "" if none is.
func groupsField(profiles []Profile) string {
	for i, p := range profiles {
		base := fmt.Sprintf("spec.singleuser.profiles[%d]", i)
		if len(p.AllowedGroups) > 0 {
			return base + ".allowedGroups"
		}
		for j, o := range p.Options {
			for k, c := range o.Choices {
				if len(c.AllowedGroups) > 0 {
					return fmt.Sprintf("%s.options[%d].choices[%d].allowedGroups", base, j, k)
				}
			}
		}
	}
	return ""
}

// passedGroupsField is the field of the first profile in a profile list
// passed through in spec.values that restricts itself, a choice or an
// unlisted choice to groups, "" if none does.
func passedGroupsField(values map[string]any) string {
	jh, _ := values["jupyterhub"].(map[string]any)
	su, _ := jh["singleuser"].(map[string]any)
	list, _ := su["profileList"].([]any)
	has := func(v any) bool {
		m, _ := v.(map[string]any)
		_, ok := m["allowed_groups"]
		return ok
	}
	for i, p := range list {
		field := fmt.Sprintf("spec.values.jupyterhub.singleuser.profileList[%d]", i)
		if has(p) {
			return field + ".allowed_groups"
		}
		pm, _ := p.(map[string]any)
		opts, _ := pm["profile_options"].(map[string]any)
		for _, k := range slices.Sorted(maps.Keys(opts)) {
			om, _ := opts[k].(map[string]any)
			if has(om["unlisted_choice"]) {
				return field + ".profile_options." + k + ".unlisted_choice.allowed_groups"
			}
			choices, _ := om["choices"].(map[string]any)
			for _, c := range slices.Sorted(maps.Keys(choices)) {
				if has(choices[c]) {
					return field + ".profile_options." + k + ".choices." + c + ".allowed_groups"
				}
			}
		}
	}
	return ""
}

// validateProfileGroups warns when profiles are offered only to groups
// but login gives users no JupyterHub groups. On the upstream charts
// hubfleet's profile filter (values.ProfileGroupsConfig) enforces
// allowedGroups, as 2i2c's basehub does on its own chart; both read the
// user's JupyterHub groups, so without a group source only groups an
// admin assigns on the hub count. A warning, not an error: basehub
// tolerates it too, admins may assign groups on the hub's admin page,
// and the filter fails closed (a user in no group is offered only the
// unrestricted profiles), so access never widens.
func validateProfileGroups(r *reporter, sp *Spec) {
	field := groupsField(sp.Singleuser.Profiles)
	if field == "" {
		field = passedGroupsField(sp.Values)
	}
	if field == "" || sp.Chart.Umbrella != "" || GroupSource(sp) {
		return
	}
	fix := "let login manage the users' groups: spec.auth.groups.manage: true with spec.auth.groups.authStateKey (e.g. oauth_user.groups), or the provider's groups (cognito, azureAD, oidc allowedGroups); or add the users to these groups on the hub's admin page"
	if sp.Auth.Provider == AuthGitHub {
		fix = "count GitHub teams as org:team, as 2i2c's basehub does: spec.auth.github.populateTeamsInAuthState: true and, in spec.values, jupyterhub.hub.config.GitHubOAuthenticator.enable_auth_state: true and scope: [read:org] (GitHub lists a user's teams only with read:org); or " + fix
	}
	r.warn(KindAuth, field, fix,
		"spec.auth gives users no JupyterHub groups: hubfleet's profile filter (as 2i2c's basehub) offers this only to members of its groups, so nobody gets it until an admin adds users to them")
}

// GroupSource reports whether login gives the site's users JupyterHub
// groups: the authenticator manages them (spec.auth.groups, or a
// provider whose groups hubfleet renders with manage_groups), or the hub
// loads them (jupyterhub.hub.config.JupyterHub.load_groups in spec.values).
func GroupSource(sp *Spec) bool {
	a := &sp.Auth
	if g := a.Groups; g != nil && (g.Manage || g.AuthStateKey != "" || g.ClaimKey != "") {
		return true
	}
	switch {
	case a.Provider == AuthEGICheckin:
		return true
	case a.Cognito != nil && (len(a.Cognito.AllowedGroups) > 0 || len(a.Cognito.AdminGroups) > 0):
		return true
	case a.AzureAD != nil && len(a.AzureAD.AllowedGroups) > 0:
		return true
	case a.OIDC != nil && len(a.OIDC.AllowedGroups) > 0:
		return true
	}
	jh, _ := sp.Values["jupyterhub"].(map[string]any)
	hub, _ := jh["hub"].(map[string]any)
	cfg, _ := hub["config"].(map[string]any)
	class := func(name string) map[string]any { m, _ := cfg[name].(map[string]any); return m }
	if lg, _ := class("JupyterHub")["load_groups"].(map[string]any); len(lg) > 0 {
		return true
	}
	// The filter reads a GitHub user's teams from auth_state, as basehub's.
	if a.Provider == AuthGitHub && a.GitHub != nil && a.GitHub.PopulateTeamsInAuthState {
		return class("GitHubOAuthenticator")["enable_auth_state"] == true || class("Authenticator")["enable_auth_state"] == true
	}
	return false
}

// CheckProfiles checks profiles as validate checks
// spec.singleuser.profiles (import types a profile list only when they
// pass).
func CheckProfiles(profiles []Profile, umbrella bool) ErrorList {
	r := &reporter{file: "profiles"}
	validateSingleuser(r, &Singleuser{Profiles: profiles}, umbrella)
	return r.errs
}

// RestrictsGroups reports whether the site's profile list offers a
// profile or choice only to some groups (allowedGroups typed, or
// allowed_groups in a list passed through in spec.values).
func RestrictsGroups(sp *Spec) bool {
	return groupsField(sp.Singleuser.Profiles) != "" || passedGroupsField(sp.Values) != ""
}
