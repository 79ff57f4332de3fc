package importer

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/hubfleet/hubfleet/internal/site"
)

var (
	limitRE   = regexp.MustCompile(`^c\.ClusterConfig\.(cluster_max_cores|cluster_max_memory|cluster_max_workers|idle_timeout)\s*=\s*(.+)$`)
	commentRE = regexp.MustCompile(`^\s*(#.*)?$`)
)

func (im *importer) gateway() {
	sp := &im.s.Spec
	_, hasGateway := im.v["dask-gateway"]
	enabled, hasEnabled := getPath(im.v, dotted("dask-gateway.enabled"))
	off := !im.gatewayOn
	if off && im.owner != nil {
		// The owners' chart installs no gateway: its values (enabled:
		// false among them) reach the chart where they were, unchanged.
		f := false
		sp.DaskGateway.Enabled = &f
		if v, ok := im.take(Path{"dask-gateway"}); ok && len(im.owner.DaskGatewayPath) > 0 {
			setPath(im.outside, im.owner.DaskGatewayPath, v)
		}
		im.remark("the values install no dask-gateway: spec.daskGateway.enabled false (the %s chart gets its dask-gateway values as they were)", im.owner.Chart)
		hasGateway, hasEnabled, off = false, false, false
	}
	if hasEnabled {
		im.take(dotted("dask-gateway.enabled"))
		im.note(Typed, dotted("dask-gateway.enabled"), "spec.daskGateway.enabled: %v", enabled)
	}
	if off {
		f := false
		sp.DaskGateway.Enabled = &f
		sp.Chart.Mode = site.ModeComposed
		if hasGateway {
			im.remark("dask-gateway is disabled: spec.chart.mode composed installs the jupyterhub chart alone (the daskhub chart installs dask-gateway whatever enabled says)")
			if v, ok := im.take(Path{"dask-gateway"}); ok {
				for _, l := range Leaves(map[string]any{"dask-gateway": v}) {
					im.note(Dropped, l.Path, "dask-gateway is disabled")
				}
			}
		} else {
			im.remark("the values install no dask-gateway: spec.daskGateway.enabled false, spec.chart.mode composed (the jupyterhub chart alone)")
		}
	}
	if v, ok := im.take(dotted("dask-kubernetes.enabled")); ok {
		sp.DaskKubernetes = v == true
		im.note(Typed, dotted("dask-kubernetes.enabled"), "spec.daskKubernetes: %v", v)
	}
	extra, _ := getPath(im.v, dotted("dask-gateway.gateway.extraConfig"))
	em, _ := extra.(map[string]any)
	for _, key := range sortedKeys(em) {
		code, ok := em[key].(string)
		if !ok {
			continue
		}
		p := dotted("dask-gateway.gateway.extraConfig").plus(key)
		if l, ok := parseLimits(code); ok {
			sp.DaskGateway.Limits = l
			im.take(p)
			im.note(Migrated, p, "into spec.daskGateway.limits (the code only set cluster limits)")
		}
	}
	if len(em) > 0 {
		im.remark("dask-gateway.gateway.extraConfig passes through unchanged where it is more than cluster limits; when it sets c.Backend.cluster_options, hubfleet writes no options form of its own")
	}
}

// parseLimits reads code made only of c.ClusterConfig limit assignments
// (and comments); anything else and it is left as code.
func parseLimits(code string) (site.ClusterLimits, bool) {
	var l site.ClusterLimits
	n := 0
	for _, line := range strings.Split(code, "\n") {
		line = strings.TrimSpace(line)
		if commentRE.MatchString(line) {
			continue
		}
		m := limitRE.FindStringSubmatch(line)
		if m == nil {
			return site.ClusterLimits{}, false
		}
		val := strings.Trim(strings.TrimSpace(m[2]), `"'`)
		var err error
		switch m[1] {
		case "cluster_max_cores":
			l.MaxCores, err = strconv.ParseFloat(val, 64)
		case "cluster_max_workers":
			l.MaxWorkers, err = strconv.Atoi(val)
		case "idle_timeout":
			l.IdleTimeout, err = strconv.Atoi(val)
		case "cluster_max_memory":
			norm, ok := site.NormalizeByteSpec(val)
			if !ok {
				err = fmt.Errorf("not a byte size")
			}
			l.MaxMemory = norm
		}
		if err != nil {
			return site.ClusterLimits{}, false
		}
		n++
	}
	return l, n > 0
}

// gatewayInstalled reports whether the values install dask-gateway: the
// daskhub umbrella always does unless told enabled: false (hubfleet then
// runs the jupyterhub chart alone); a base chart only when its
// dask-gateway.enabled condition is true; plain z2jh never.
func gatewayInstalled(tree map[string]any, l Layout) bool {
	kind := l.Kind
	if kind == LayoutUmbrella {
		kind = l.Inner
	}
	enabled, has := getPath(tree, Path{"dask-gateway", "enabled"})
	switch kind {
	case LayoutDaskHub:
		return !(has && enabled == false)
	case LayoutBase:
		return enabled == true
	}
	return false
}
