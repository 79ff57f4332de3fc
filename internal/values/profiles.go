package values

import (
	"strconv"

	"github.com/hubfleet/hubfleet/internal/site"
)

// overrideValues is a typed override as KubeSpawner's
// kubespawner_override.
func overrideValues(o site.SpawnerOverride) map[string]any {
	m := map[string]any{}
	set := func(k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	set("image", o.Image)
	set("image_pull_policy", o.ImagePullPolicy)
	if o.CPU.Guarantee != 0 {
		m["cpu_guarantee"] = o.CPU.Guarantee
	}
	if o.CPU.Limit != 0 {
		m["cpu_limit"] = o.CPU.Limit
	}
	if o.Memory.Guarantee != "" {
		m["mem_guarantee"] = byteValue(o.Memory.Guarantee)
	}
	if o.Memory.Limit != "" {
		m["mem_limit"] = byteValue(o.Memory.Limit)
	}
	if len(o.ExtraResourceLimits) > 0 {
		m["extra_resource_limits"] = stringMap(o.ExtraResourceLimits)
	}
	if len(o.NodeSelector) > 0 {
		m["node_selector"] = stringMap(o.NodeSelector)
	}
	if len(o.Tolerations) > 0 {
		m["tolerations"] = tolerations(o.Tolerations)
	}
	set("default_url", o.DefaultURL)
	set("working_dir", o.WorkingDir)
	if len(o.Environment) > 0 {
		m["environment"] = stringMap(o.Environment)
	}
	for _, u := range o.Unset {
		if k, ok := site.UnsetKeys[u]; ok {
			m[k] = nil
		}
	}
	if len(o.InitContainers) > 0 {
		l := make([]any, len(o.InitContainers))
		for i, c := range o.InitContainers {
			l[i] = c
		}
		m["init_containers"] = l
	}
	return m
}

// profileOptions are typed options as KubeSpawner's profile_options.
func profileOptions(opts []site.ProfileOption) map[string]any {
	out := map[string]any{}
	for _, o := range opts {
		e := map[string]any{"display_name": o.DisplayName}
		if len(o.Choices) > 0 {
			choices := map[string]any{}
			for _, c := range o.Choices {
				ce := map[string]any{"display_name": c.DisplayName, "kubespawner_override": overrideValues(c.Override)}
				if c.Slug != "" {
					ce["slug"] = c.Slug
				}
				if c.Description != "" {
					ce["description"] = c.Description
				}
				if c.Default != nil {
					ce["default"] = *c.Default
				}
				if len(c.AllowedGroups) > 0 {
					ce["allowed_groups"] = anyStrings(c.AllowedGroups)
				}
				choices[c.Name] = ce
			}
			e["choices"] = choices
		}
		if u := o.Unlisted; u != nil {
			ue := map[string]any{"enabled": u.Enabled, "kubespawner_override": overrideValues(u.Override)}
			for k, v := range map[string]string{"display_name": u.DisplayName, "display_name_in_choices": u.DisplayNameInChoices,
				"description": u.Description, "description_in_choices": u.DescriptionInChoices,
				"validation_regex": u.ValidationRegex, "validation_message": u.ValidationMessage} {
				if v != "" {
					ue[k] = v
				}
			}
			e["unlisted_choice"] = ue
		}
		if o.DynamicImageBuilding {
			e["dynamic_image_building"] = map[string]any{"enabled": true}
		}
		out[o.Name] = e
	}
	return out
}

func anyStrings(l []string) []any {
	out := make([]any, len(l))
	for i, s := range l {
		out[i] = s
	}
	return out
}

// ProfileList is KubeSpawner's profile_list (z2jh singleuser.profileList)
// of typed profiles, as the jupyterhub release gets it.
func ProfileList(profiles []site.Profile) []any {
	b := builder{s: &site.Site{Spec: site.Spec{Singleuser: site.Singleuser{Profiles: profiles}}}}
	return b.profiles()
}

// byteValue is a byte specification as KubeSpawner reads it: a number of
// bytes without a suffix must be a number, not text (JupyterHub's
// ByteSpecification refuses "1073741824", it takes 1073741824).
func byteValue(s string) any {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n
	}
	return s
}
