package importer

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hubfleet/hubfleet/internal/valuetree"
)

// Layout kinds: how a values file nests the z2jh values.
const (
	// LayoutZ2JH is the jupyterhub chart's own values (hub:, proxy:,
	// singleuser: at the top).
	LayoutZ2JH = "z2jh"
	// LayoutDaskHub is dask/helm-chart's daskhub umbrella (jupyterhub:,
	// dask-gateway:, rbac:, dask-kubernetes: at the top).
	LayoutDaskHub = "daskhub"
	// LayoutBase is a base chart that nests z2jh under jupyterhub: beside
	// sibling charts (nfs:, jupyterhub-home-nfs:, binderhub-service:,
	// dask-gateway:), such as 2i2c's basehub.
	LayoutBase = "base"
	// LayoutUmbrella wraps one of the others in one top-level key, such
	// as 2i2c's daskhub chart (basehub: beside dask-gateway:).
	LayoutUmbrella = "umbrella"
)

// z2jhTopKeys are the top-level keys of the jupyterhub chart's values.
var z2jhTopKeys = map[string]bool{
	"hub": true, "proxy": true, "singleuser": true, "scheduling": true, "prePuller": true,
	"ingress": true, "cull": true, "debug": true, "rbac": true, "imagePullSecret": true,
	"imagePullSecrets": true, "custom": true, "global": true, "fullnameOverride": true,
	"nameOverride": true, "enabled": true, "cleanup": true, "Chart": true, "Release": true,
	"auth": true, // the login block of z2jh before 0.11 (legacyauth.go)
}

// daskhubTopKeys are the top-level keys of dask/helm-chart's daskhub.
var daskhubTopKeys = map[string]bool{"jupyterhub": true, "dask-gateway": true, "rbac": true, "dask-kubernetes": true, "global": true}

// Layout is what import found (or was told) about the nesting.
type Layout struct {
	// Kind is z2jh, daskhub, base or umbrella.
	Kind string
	// Key is the wrapping key of an umbrella (basehub, daskhub).
	Key string
	// Inner is the layout inside the umbrella key.
	Inner string
	// Siblings are the top-level keys beside jupyterhub that are other
	// charts' values (base layout, also inside an umbrella).
	Siblings []string
}

// String says the layout in words, for the report.
func (l Layout) String() string {
	var s string
	switch l.Kind {
	case LayoutZ2JH:
		s = "plain z2jh values (hub:, proxy:, singleuser: at the top)"
	case LayoutDaskHub:
		s = "dask/helm-chart daskhub values (jupyterhub: and dask-gateway: at the top)"
	case LayoutBase:
		s = "a base chart: z2jh under jupyterhub:"
	case LayoutUmbrella:
		s = fmt.Sprintf("an umbrella key %s: around %s", l.Key, Layout{Kind: l.Inner}.String())
	}
	var charts, own []string
	for _, k := range l.Siblings {
		if isChartName(k) {
			charts = append(charts, k)
		} else {
			own = append(own, k)
		}
	}
	if len(charts) > 0 {
		s += ", with sibling charts " + strings.Join(charts, ", ")
	}
	if len(own) > 0 {
		s += ", with the chart's own values " + strings.Join(own, ", ")
	}
	return s
}

// Flag is the --layout spelling of the layout.
func (l Layout) Flag() string {
	if l.Kind == LayoutUmbrella {
		return LayoutUmbrella + ":" + l.Key
	}
	return l.Kind
}

// ParseLayout reads a --layout value: z2jh, daskhub, base or umbrella:KEY.
func ParseLayout(s string) (Layout, error) {
	switch {
	case s == LayoutZ2JH || s == LayoutDaskHub || s == LayoutBase:
		return Layout{Kind: s}, nil
	case strings.HasPrefix(s, LayoutUmbrella+":") && len(s) > len(LayoutUmbrella)+1:
		return Layout{Kind: LayoutUmbrella, Key: strings.TrimPrefix(s, LayoutUmbrella+":")}, nil
	}
	return Layout{}, fmt.Errorf("--layout %q: use z2jh, daskhub, base or umbrella:KEY (e.g. umbrella:basehub)", s)
}

// detectLayout guesses the layout from the top-level keys.
func detectLayout(v map[string]any) (Layout, error) {
	keys := slices.Sorted(maps.Keys(v))
	if _, ok := v["jupyterhub"]; ok {
		var sib []string
		for _, k := range keys {
			if !daskhubTopKeys[k] {
				sib = append(sib, k)
			}
		}
		if len(sib) == 0 {
			return Layout{Kind: LayoutDaskHub}, nil
		}
		return Layout{Kind: LayoutBase, Siblings: sib}, nil
	}
	z2jh := 0
	for _, k := range keys {
		if z2jhTopKeys[k] {
			z2jh++
		}
	}
	if z2jh > 0 && z2jh == len(keys) {
		return Layout{Kind: LayoutZ2JH}, nil
	}
	// An umbrella: exactly one key (besides dask-gateway) whose value
	// holds jupyterhub: or z2jh keys.
	var wrap []string
	for _, k := range keys {
		m, ok := v[k].(map[string]any)
		if !ok || k == "dask-gateway" {
			continue
		}
		if _, ok := m["jupyterhub"]; ok {
			wrap = append(wrap, k)
			continue
		}
		if _, ok := m["hub"]; ok {
			wrap = append(wrap, k)
		} else if _, ok := m["singleuser"]; ok {
			wrap = append(wrap, k)
		}
	}
	if len(wrap) == 1 {
		inner, err := detectLayout(v[wrap[0]].(map[string]any))
		if err != nil {
			return Layout{}, err
		}
		if inner.Kind == LayoutUmbrella {
			return Layout{}, fmt.Errorf("the values nest umbrella keys twice (%s: then %s:): pass --layout", wrap[0], inner.Key)
		}
		return Layout{Kind: LayoutUmbrella, Key: wrap[0], Inner: inner.Kind, Siblings: inner.Siblings}, nil
	}
	if z2jh > 0 {
		return Layout{Kind: LayoutZ2JH}, nil
	}
	return Layout{}, fmt.Errorf("cannot tell the layout from the top-level keys %s: pass --layout z2jh, daskhub, base or umbrella:KEY", strings.Join(keys, ", "))
}

// canonical maps the merged values onto the daskhub layout (jupyterhub:,
// dask-gateway:, rbac:, dask-kubernetes: and sibling chart keys at the
// top). from maps each canonical top-level key to the input path it came
// from, so the report names the operator's own paths.
func canonical(v map[string]any, l Layout) (tree map[string]any, from map[string]Path, both *overlap, err error) {
	tree, from, both = map[string]any{}, map[string]Path{}, &overlap{outer: map[string]bool{}}
	put := func(v map[string]any, prefix Path, kind string) error {
		switch kind {
		case LayoutZ2JH:
			tree["jupyterhub"] = v
			from["jupyterhub"] = prefix
			return nil
		case LayoutDaskHub, LayoutBase:
			for k, e := range v {
				tree[k] = e
				from[k] = prefix.plus(k)
			}
			return nil
		}
		return fmt.Errorf("layout %s cannot nest inside an umbrella key", kind)
	}
	switch l.Kind {
	case LayoutUmbrella:
		inner, ok := v[l.Key].(map[string]any)
		if !ok {
			return nil, nil, nil, fmt.Errorf("--layout umbrella:%s: the values have no map at %s:", l.Key, l.Key)
		}
		kind := l.Inner
		if kind == "" {
			il, err := detectLayout(inner)
			if err != nil {
				return nil, nil, nil, fmt.Errorf("inside %s: %w", l.Key, err)
			}
			kind = il.Kind
		}
		if err := put(inner, Path{l.Key}, kind); err != nil {
			return nil, nil, nil, err
		}
		for k, e := range v {
			if k == l.Key {
				continue
			}
			if in, dup := tree[k]; dup {
				im, ok1 := in.(map[string]any)
				em, ok2 := e.(map[string]any)
				if !ok1 || !ok2 {
					return nil, nil, nil, fmt.Errorf("%s is set both at the top and inside %s: pass --layout to say which the chart reads", k, l.Key)
				}
				// Both: merged, the top-level block winning; the importer
				// reports the inner leaves it replaced.
				both.key = k
				for _, lf := range Leaves(em) {
					cp := append(Path{k}, lf.Path...)
					both.outer[key(cp)] = true
					if _, ok := getPath(im, lf.Path); ok {
						both.shadowed = append(both.shadowed, append(Path{l.Key, k}, lf.Path...))
					}
				}
				valuetree.Merge(im, em)
				continue
			}
			tree[k] = e
			from[k] = Path{k}
		}
	default:
		if err := put(v, nil, l.Kind); err != nil {
			return nil, nil, nil, err
		}
	}
	return tree, from, both, nil
}

// overlap records a key set both inside an umbrella key and beside it.
type overlap struct {
	key string
	// outer holds the daskhub-layout paths of the leaves that came from
	// the top-level block.
	outer map[string]bool
	// shadowed are the input paths of inner leaves the outer replaced.
	shadowed []Path
}

func key(p Path) string { return strings.Join(p, "\x00") }
