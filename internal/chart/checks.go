package chart

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
)

func runChecks(p *parsed, req Request) []Check {
	return []Check{
		checkProxyPublic(p, req.Expect),
		checkIngress(p, req.Expect),
		checkDaskGateway(p, req.Expect),
		checkDuplicates(p),
		checkValuesFacts(req),
	}
}

// CheckValuesFacts compares the jupyterhub chart the values were written
// for with the one the release renders.
const CheckValuesFacts = "values-facts"

// checkValuesFacts fails when the values were written for another
// jupyterhub chart than the one rendered: version-dependent keys (such as
// OAuthenticator 16's claim_groups_key against 17's manage_groups) then
// do not match the hub that runs.
func checkValuesFacts(req Request) Check {
	c := Check{Name: CheckValuesFacts}
	want := req.Expect.JupyterHubChart
	if want == "" || req.Chart == nil {
		c.Status, c.Detail = CheckSkip, "no expected jupyterhub chart"
		return c
	}
	got, ok := req.Chart.Info.Find("jupyterhub")
	switch {
	case !ok:
		c.Status, c.Detail = CheckFail, fmt.Sprintf("the values are written for jupyterhub chart %s, but chart %s %s holds no jupyterhub chart", want, req.Chart.Info.Name, req.Chart.Info.Version)
	case got.Version != want:
		c.Status, c.Detail = CheckFail, fmt.Sprintf("the values are written for jupyterhub chart %s, but chart %s %s renders jupyterhub %s (JupyterHub %s): version-dependent values (OAuthenticator keys) may be wrong; add the chart's facts to internal/catalog and render again", want, req.Chart.Info.Name, req.Chart.Info.Version, got.Version, got.AppVersion)
	default:
		c.Status, c.Detail = CheckPass, fmt.Sprintf("values written for the jupyterhub chart rendered (%s, JupyterHub %s)", got.Version, got.AppVersion)
	}
	return c
}

func (p *parsed) find(kind string, match func(o Object, doc map[string]any) bool) []int {
	var out []int
	for i, o := range p.objects {
		if o.Kind == kind && match(o, p.docs[i]) {
			out = append(out, i)
		}
	}
	return out
}

func str(m map[string]any, path ...string) string {
	var cur any = m
	for _, k := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			return ""
		}
		cur = mm[k]
	}
	s, _ := cur.(string)
	return s
}

func list(m map[string]any, path ...string) []any {
	var cur any = m
	for _, k := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = mm[k]
	}
	l, _ := cur.([]any)
	return l
}

func checkProxyPublic(p *parsed, e Expectations) Check {
	c := Check{Name: CheckProxyPublic}
	if e.ProxyServiceType == "" {
		c.Status, c.Detail = CheckSkip, "no expected service type"
		return c
	}
	found := p.find("Service", func(o Object, _ map[string]any) bool { return o.Name == "proxy-public" })
	if len(found) == 0 {
		c.Status, c.Detail = CheckFail, "the chart renders no proxy-public Service"
		return c
	}
	typ := str(p.docs[found[0]], "spec", "type")
	if typ == "" {
		typ = "ClusterIP"
	}
	if typ != e.ProxyServiceType {
		c.Status, c.Detail = CheckFail, fmt.Sprintf("proxy-public Service is %s, the site's TLS mode needs %s", typ, e.ProxyServiceType)
		return c
	}
	c.Status, c.Detail = CheckPass, "proxy-public Service is "+typ
	return c
}

func checkIngress(p *parsed, e Expectations) Check {
	c := Check{Name: CheckIngress}
	if e.IngressHost == "" {
		c.Status, c.Detail = CheckSkip, "no expected ingress host"
		return c
	}
	var hosts []string
	var routed, tlsOK bool
	var tlsSecrets []string
	for _, i := range p.find("Ingress", func(Object, map[string]any) bool { return true }) {
		doc := p.docs[i]
		for _, rule := range list(doc, "spec", "rules") {
			rm, _ := rule.(map[string]any)
			h := str(rm, "host")
			hosts = append(hosts, h)
			if h == e.IngressHost {
				routed = true
			}
		}
		for _, t := range list(doc, "spec", "tls") {
			tm, _ := t.(map[string]any)
			for _, h := range list(tm, "hosts") {
				if h == e.IngressHost {
					secret := str(tm, "secretName")
					tlsSecrets = append(tlsSecrets, secret)
					if e.IngressTLSSecret == "" || secret == e.IngressTLSSecret {
						tlsOK = true
					}
				}
			}
		}
	}
	switch {
	case !routed && len(hosts) == 0:
		c.Status, c.Detail = CheckFail, fmt.Sprintf("no Ingress routes %s", e.IngressHost)
	case !routed:
		sort.Strings(hosts)
		c.Status, c.Detail = CheckFail, fmt.Sprintf("no Ingress routes %s (ingress hosts: %s)", e.IngressHost, strings.Join(hosts, ", "))
	case e.IngressTLSSecret != "" && !tlsOK && len(tlsSecrets) == 0:
		c.Status, c.Detail = CheckFail, fmt.Sprintf("Ingress for %s has no TLS entry (want secret %s)", e.IngressHost, e.IngressTLSSecret)
	case e.IngressTLSSecret != "" && !tlsOK:
		c.Status, c.Detail = CheckFail, fmt.Sprintf("Ingress TLS secret for %s is %s, want %s", e.IngressHost, strings.Join(tlsSecrets, ", "), e.IngressTLSSecret)
	default:
		c.Status, c.Detail = CheckPass, "Ingress routes "+e.IngressHost
		if e.IngressTLSSecret != "" {
			c.Detail += " with TLS secret " + e.IngressTLSSecret
		}
	}
	return c
}

func checkDaskGateway(p *parsed, e Expectations) Check {
	c := Check{Name: CheckDaskGateway}
	if e.NoDaskGateway {
		return checkNoDaskGateway(p, c)
	}
	if e.DaskGatewayPrefix == "" {
		c.Status, c.Detail = CheckSkip, "no expected dask-gateway prefix"
		return c
	}
	// The dask-gateway charts route their API at gateway.prefix itself
	// (templates/gateway/ingressroute.yaml: PathPrefix(`{{ .Values.gateway.prefix }}`)),
	// with a middleware stripping the prefix. The traefik dashboard's own
	// route (PathPrefix(`/dashboard`) || PathPrefix(`/api`)) does not count.
	want := gatewayRoute(e.DaskGatewayPrefix)
	var matches []string
	for _, i := range p.find("IngressRoute", func(o Object, _ map[string]any) bool {
		return strings.HasPrefix(o.APIVersion, "traefik.io/") || strings.HasPrefix(o.APIVersion, "traefik.containo.us/")
	}) {
		for _, route := range list(p.docs[i], "spec", "routes") {
			rm, _ := route.(map[string]any)
			m := str(rm, "match")
			matches = append(matches, m)
			if strings.Contains(m, want) {
				c.Status, c.Detail = CheckPass, "dask-gateway routed at "+e.DaskGatewayPrefix
				return c
			}
		}
	}
	if len(matches) == 0 {
		c.Status, c.Detail = CheckFail, "no traefik IngressRoute for dask-gateway is rendered"
		return c
	}
	slices.Sort(matches)
	c.Status, c.Detail = CheckFail, fmt.Sprintf("dask-gateway is not routed at %s (IngressRoute matches: %s)", e.DaskGatewayPrefix, strings.Join(matches, ", "))
	return c
}

func checkDuplicates(p *parsed) Check {
	c := Check{Name: CheckNoDuplicates}
	var dups []string
	for i := 1; i < len(p.objects); i++ {
		// objects are sorted by ID
		if id := p.objects[i].ID(); id == p.objects[i-1].ID() && (len(dups) == 0 || dups[len(dups)-1] != id) {
			dups = append(dups, id)
		}
	}
	if len(dups) > 0 {
		c.Status, c.Detail = CheckFail, "duplicate objects: "+strings.Join(dups, "; ")
		return c
	}
	c.Status, c.Detail = CheckPass, fmt.Sprintf("%d objects, none duplicated", len(p.objects))
	return c
}

// gatewayRoute is the traefik match of the dask-gateway API route for a
// prefix ("/services/dask-gateway", or "<baseURL>/services/dask-gateway").
func gatewayRoute(prefix string) string {
	p := strings.TrimSuffix(prefix, "/")
	if p == "" {
		p = "/"
	}
	return "PathPrefix(`" + p + "`)"
}

// hubGatewayServiceKey is the key z2jh's hub Secret holds for a hub
// service named dask-gateway (its API token).
const hubGatewayServiceKey = "hub.services.dask-gateway.apiToken"

// checkNoDaskGateway fails when a site that runs no dask-gateway still
// gets it: objects from a dask-gateway chart (the daskhub umbrella's
// subchart has no condition, so dask-gateway.enabled=false does not remove
// it) or the hub service the umbrella's glue registers for it.
func checkNoDaskGateway(p *parsed, c Check) Check {
	kinds := map[string]int{}
	var hubService bool
	for i, o := range p.objects {
		if fromGatewayChart(o.Source) || group(o.APIVersion) == "gateway.dask.org" {
			k := o.Kind
			if o.CRD {
				k = "CRD"
			}
			kinds[k]++
		}
		if o.Kind == "Secret" && o.Name == "hub" && p.docs[i] != nil {
			if data, ok := p.docs[i]["data"].(map[string]any); ok {
				_, hubService = data[hubGatewayServiceKey]
			}
		}
	}
	if len(kinds) == 0 && !hubService {
		c.Status, c.Detail = CheckPass, "no dask-gateway objects, no hub service for it"
		return c
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(kinds)) {
		parts = append(parts, fmt.Sprintf("%d %s", kinds[k], k))
	}
	if hubService {
		parts = append(parts, "the hub's dask-gateway service")
	}
	c.Status, c.Detail = CheckFail, "the site runs no dask-gateway, but the chart renders it: "+strings.Join(parts, ", ")
	return c
}

// fromGatewayChart reports whether a template or CRD path belongs to a
// dask-gateway chart, standalone or vendored.
func fromGatewayChart(source string) bool {
	return strings.HasPrefix(source, "dask-gateway/") || strings.Contains(source, "/charts/dask-gateway/")
}
