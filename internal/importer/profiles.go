package importer

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/hubfleet/hubfleet/internal/secretscan"
	"github.com/hubfleet/hubfleet/internal/site"
	"github.com/hubfleet/hubfleet/internal/values"
)

// profiles types a z2jh singleuser.profileList as spec.singleuser.profiles
// when the whole list fits the typed form: every key is one the site
// model types, the typed profiles validate, and rendering them gives back
// the very list (compared as the HelmRelease carries it, JSON). Otherwise
// the list passes through unchanged, and the report says what did not fit.
func (im *importer) profiles() {
	p := dotted("jupyterhub.singleuser.profileList")
	v, ok := getPath(im.v, p)
	if !ok {
		return
	}
	if n := countKey(v, "allowed_groups"); n > 0 && im.owner == nil {
		im.remark("singleuser.profileList: %d profiles or choices are offered only to some groups (allowed_groups); the owners' chart (2i2c basehub) enforces that, KubeSpawner does not: on the upstream charts every user is offered them. To keep the restriction, import with --route owner", n)
	}
	typed, why := typeProfiles(v, im.owner != nil)
	if why == "" && guarded(v) {
		// The list passes through, where the guard takes out the
		// profiles that hold the secret (rest, secrets).
		why = "it holds a value the secret guard refuses (reported below)"
	}
	if why != "" {
		im.remark("singleuser.profileList passes through unchanged (KubeSpawner reads it as it is): %s; hubfleet derives nothing from it", why)
		return
	}
	im.take(p)
	im.s.Spec.Singleuser.Profiles = typed
	im.note(Typed, p, "spec.singleuser.profiles (%d profiles; rendered back, the list is the same)", len(typed))
	if imgs := site.ProfileImages(typed); len(imgs) > 0 && im.gatewayOn {
		im.remark("spec.singleuser.profiles: hubfleet offers the images of the profiles and their choices (%d) as dask-gateway worker images, with spec.singleuser.image, unless the site sets its own gateway options", len(imgs))
	}
}

// typeProfiles converts a profile list, or says why it does not fit.
func typeProfiles(v any, umbrella bool) ([]site.Profile, string) {
	list, ok := v.([]any)
	if !ok {
		return nil, "it is not a list of profiles"
	}
	if len(list) == 0 {
		return nil, "it is empty (no options form)"
	}
	var out []site.Profile
	for i, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, fmt.Sprintf("profile %d is not a map", i)
		}
		name, _ := m["display_name"].(string)
		where := fmt.Sprintf("profile %d (%s)", i, name)
		pr, why := typeProfile(m)
		if why != "" {
			return nil, where + ": " + why
		}
		out = append(out, pr)
	}
	if errs := site.CheckProfiles(out, umbrella).Errors(); len(errs) > 0 {
		return nil, "the typed profiles would not validate: " + errs[0].Msg
	}
	back := values.ProfileList(out)
	a, _ := json.Marshal(list)
	b, _ := json.Marshal(back)
	if string(a) != string(b) {
		return nil, "the typed profiles would not render back to the same list"
	}
	return out, ""
}

func typeProfile(m map[string]any) (site.Profile, string) {
	var p site.Profile
	for _, k := range sortedKeys(m) {
		v := m[k]
		var ok bool
		switch k {
		case "display_name":
			p.Name, ok = v.(string)
		case "slug":
			p.Slug, ok = v.(string)
		case "description":
			p.Description, ok = v.(string)
		case "default":
			p.Default, ok = v.(bool)
			ok = ok && p.Default
		case "allowed_groups":
			p.AllowedGroups, ok = stringsOf(v)
		case "kubespawner_override":
			o, why := typeOverride(v)
			if why != "" {
				return p, "kubespawner_override: " + why
			}
			if !o.Empty() {
				p.Override = &o
			}
			ok = true
		case "profile_options":
			opts, why := typeOptions(v)
			if why != "" {
				return p, "profile_options: " + why
			}
			p.Options, ok = opts, true
		default:
			return p, fmt.Sprintf("key %s is not typed", k)
		}
		if !ok {
			return p, fmt.Sprintf("%s: %v is not what the typed form holds", k, v)
		}
	}
	return p, ""
}

func typeOptions(v any) ([]site.ProfileOption, string) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, "not a map"
	}
	var out []site.ProfileOption
	for _, name := range sortedKeys(m) {
		om, ok := m[name].(map[string]any)
		if !ok {
			return nil, name + " is not a map"
		}
		o := site.ProfileOption{Name: name}
		for _, k := range sortedKeys(om) {
			switch k {
			case "display_name":
				if o.DisplayName, ok = om[k].(string); !ok {
					return nil, name + ".display_name is not text"
				}
			case "choices":
				cm, ok := om[k].(map[string]any)
				if !ok {
					return nil, name + ".choices is not a map"
				}
				for _, cn := range sortedKeys(cm) {
					c, why := typeChoice(cn, cm[cn])
					if why != "" {
						return nil, name + ".choices." + cn + ": " + why
					}
					o.Choices = append(o.Choices, c)
				}
			case "dynamic_image_building":
				if en, _ := getPath(om, Path{k, "enabled"}); en != true || len(om[k].(map[string]any)) != 1 {
					return nil, name + ".dynamic_image_building is not {enabled: true}"
				}
				o.DynamicImageBuilding = true
			case "unlisted_choice":
				u, why := typeUnlisted(om[k])
				if why != "" {
					return nil, name + ".unlisted_choice: " + why
				}
				o.Unlisted = u
			default:
				return nil, fmt.Sprintf("%s: key %s is not typed", name, k)
			}
		}
		out = append(out, o)
	}
	return out, ""
}

func typeChoice(name string, v any) (site.ProfileChoice, string) {
	c := site.ProfileChoice{Name: name}
	m, ok := v.(map[string]any)
	if !ok {
		return c, "not a map"
	}
	for _, k := range sortedKeys(m) {
		var ok bool
		switch k {
		case "display_name":
			c.DisplayName, ok = m[k].(string)
		case "slug":
			c.Slug, ok = m[k].(string)
		case "description":
			c.Description, ok = m[k].(string)
		case "default":
			var d bool
			d, ok = m[k].(bool)
			c.Default = &d
		case "allowed_groups":
			c.AllowedGroups, ok = stringsOf(m[k])
		case "kubespawner_override":
			o, why := typeOverride(m[k])
			if why != "" {
				return c, "kubespawner_override: " + why
			}
			c.Override, ok = o, true
		default:
			return c, fmt.Sprintf("key %s is not typed", k)
		}
		if !ok {
			return c, fmt.Sprintf("%s: %v is not what the typed form holds", k, m[k])
		}
	}
	return c, ""
}

func typeUnlisted(v any) (*site.UnlistedChoice, string) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, "not a map"
	}
	u := &site.UnlistedChoice{}
	texts := map[string]*string{"display_name": &u.DisplayName, "display_name_in_choices": &u.DisplayNameInChoices,
		"description": &u.Description, "description_in_choices": &u.DescriptionInChoices,
		"validation_regex": &u.ValidationRegex, "validation_message": &u.ValidationMessage}
	for _, k := range sortedKeys(m) {
		var ok bool
		switch {
		case k == "enabled":
			u.Enabled, ok = m[k].(bool)
		case k == "kubespawner_override":
			o, why := typeOverride(m[k])
			if why != "" {
				return nil, "kubespawner_override: " + why
			}
			u.Override, ok = o, true
		case texts[k] != nil:
			*texts[k], ok = m[k].(string)
		default:
			return nil, fmt.Sprintf("key %s is not typed", k)
		}
		if !ok {
			return nil, fmt.Sprintf("%s: %v is not what the typed form holds", k, m[k])
		}
	}
	return u, ""
}

// typeOverride types a kubespawner_override.
func typeOverride(v any) (site.SpawnerOverride, string) {
	var o site.SpawnerOverride
	m, ok := v.(map[string]any)
	if !ok {
		return o, "not a map"
	}
	rev := map[string]string{}
	for typed, ks := range site.UnsetKeys {
		rev[ks] = typed
	}
	for _, k := range sortedKeys(m) {
		val := m[k]
		if val == nil && rev[k] != "" {
			o.Unset = append(o.Unset, rev[k])
			continue
		}
		var ok bool
		switch k {
		case "image":
			o.Image, ok = val.(string)
		case "image_pull_policy":
			o.ImagePullPolicy, ok = val.(string)
		case "cpu_guarantee":
			o.CPU.Guarantee, ok = number(val)
		case "cpu_limit":
			o.CPU.Limit, ok = number(val)
		case "mem_guarantee":
			o.Memory.Guarantee, ok = byteSpec(val)
		case "mem_limit":
			o.Memory.Limit, ok = byteSpec(val)
		case "extra_resource_limits":
			o.ExtraResourceLimits, ok = stringMapOf(val)
		case "node_selector":
			o.NodeSelector, ok = stringMapOf(val)
		case "environment":
			o.Environment, ok = stringMapOf(val)
		case "default_url":
			o.DefaultURL, ok = val.(string)
		case "working_dir":
			o.WorkingDir, ok = val.(string)
		case "tolerations":
			o.Tolerations, ok = tolerationList(val)
		case "init_containers":
			l, isList := val.([]any)
			ok = isList
			for _, c := range l {
				cm, isMap := c.(map[string]any)
				if !isMap {
					ok = false
					break
				}
				o.InitContainers = append(o.InitContainers, cm)
			}
		default:
			return o, fmt.Sprintf("key %s is not typed", k)
		}
		if !ok {
			return o, fmt.Sprintf("%s: %v is not what the typed form holds", k, val)
		}
	}
	return o, ""
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), n != 0
	case float64:
		return n, n != 0
	}
	return 0, false
}

func stringsOf(v any) ([]string, bool) {
	l, ok := v.([]any)
	if !ok || len(l) == 0 {
		return nil, false
	}
	out := make([]string, 0, len(l))
	for _, e := range l {
		s, ok := e.(string)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

func stringMapOf(v any) (map[string]string, bool) {
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 {
		return nil, false
	}
	out := map[string]string{}
	for k, e := range m {
		s, ok := e.(string)
		if !ok {
			return nil, false
		}
		out[k] = s
	}
	return out, true
}

func tolerationList(v any) ([]site.Toleration, bool) {
	l, ok := v.([]any)
	if !ok || len(l) == 0 {
		return nil, false
	}
	var out []site.Toleration
	for _, e := range l {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, false
		}
		var t site.Toleration
		for k, val := range m {
			s, ok := val.(string)
			if !ok || !slices.Contains([]string{"key", "operator", "value", "effect"}, k) {
				return nil, false
			}
			switch strings.ToLower(k) {
			case "key":
				t.Key = s
			case "operator":
				t.Operator = s
			case "value":
				t.Value = s
			case "effect":
				t.Effect = s
			}
		}
		out = append(out, t)
	}
	return out, true
}

// byteSpec is a memory size as text: a byte specification, or a whole
// number of bytes.
func byteSpec(v any) (string, bool) {
	switch n := v.(type) {
	case string:
		return n, true
	case int:
		return strconv.Itoa(n), true
	}
	return "", false
}

// countKey counts the maps in v that hold key.
func countKey(v any, key string) int {
	n := 0
	switch t := v.(type) {
	case map[string]any:
		if _, ok := t[key]; ok {
			n++
		}
		for _, e := range t {
			n += countKey(e, key)
		}
	case []any:
		for _, e := range t {
			n += countKey(e, key)
		}
	}
	return n
}

// pythonProfiles reads a profile list written in Python in the hub's
// extraConfig (c.KubeSpawner.profile_list = [...]) when it is a literal,
// and types it as spec.singleuser.profiles when it fits (as profiles does
// for singleuser.profileList, which z2jh hands to the same trait before
// extraConfig runs). Otherwise the code passes through unchanged, and the
// report says why.
func (im *importer) pythonProfiles() {
	sec := dotted("jupyterhub.hub.extraConfig")
	ec, _ := getPath(im.v, sec)
	m, _ := ec.(map[string]any)
	var entries []string
	for _, k := range sortedKeys(m) {
		if code, ok := m[k].(string); ok && strings.Contains(code, "profile_list") {
			entries = append(entries, k)
		}
	}
	for _, k := range entries {
		p := sec.plus(k)
		in := im.input(p)
		list, why := pythonProfileList(m[k].(string))
		switch {
		case why != "":
		case len(entries) > 1:
			why = fmt.Sprintf("%d extraConfig entries touch profile_list (%s): they run in order, so none is read alone", len(entries), strings.Join(entries, ", "))
		case im.has(dotted("jupyterhub.singleuser.profileList")) || len(im.s.Spec.Singleuser.Profiles) > 0:
			why = "the values also set singleuser.profileList, which this code replaces at run time"
		}
		var typed []site.Profile
		if why == "" {
			typed, why = typeProfiles(list, im.owner != nil)
		}
		if why == "" && guarded(list) {
			why = "it holds a value the secret guard refuses (reported below)"
		}
		if why != "" {
			im.remark("%s: the Python profile list passes through unchanged (the code runs as before): %s", in, why)
			continue
		}
		im.take(p)
		im.s.Spec.Singleuser.Profiles = typed
		im.note(Typed, p, "spec.singleuser.profiles (%d profiles read from the Python literal; rendered as singleuser.profileList, which z2jh hands to the same trait, the list is the same)", len(typed))
		if n := countKey(list, "allowed_groups"); n > 0 && im.owner == nil {
			im.remark("%s: %d profiles or choices are offered only to some groups (allowed_groups); KubeSpawner does not enforce that: on the upstream charts every user is offered them", in, n)
		}
	}
}

// guarded reports whether the secret guard finds anything in v: import
// types no profile that holds a secret (the guard's findings in values
// passed through are taken out and reported, leaf by leaf).
func guarded(v any) bool {
	return len(secretscan.Tree("", map[string]any{"profileList": v}, secretscan.Options{})) > 0
}
