package verify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
)

func (s *siteRun) checkDNS(ctx context.Context) Result {
	host := s.t.Host
	want := s.addrs.val
	got, err := s.v.opts.Resolver.LookupHost(ctx, host)
	if err == nil && !s.addrs.ok {
		// The host resolves, but to what it should is unknown: proxy-public
		// reports why (or there is no cluster access).
		r := warn(fmt.Sprintf("%s resolves to %s, but proxy-public's address to compare with is unknown (%s)", host, strings.Join(got, ", "), s.addrs.why),
			"see the proxy-public check")
		r.transient = s.t.Kube != nil
		return r
	}
	if err != nil {
		if r, ok := s.v.withoutResolver(ctx, err); ok {
			return r
		}
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
			return fail(fmt.Sprintf("%s has no DNS record", host),
				fmt.Sprintf("create %s", recordHint(host, want)), err)
		}
		if timedOut(ctx, err) {
			return fail(fmt.Sprintf("DNS lookup of %s timed out", host), "check the resolver and the zone's name servers", err)
		}
		return fail(fmt.Sprintf("DNS lookup of %s failed: %s", host, clip(err.Error(), 120)),
			"check the zone's name servers", err)
	}
	// The public address is IPs (AKS, OpenStack, ingress) or a hostname
	// (EKS): resolve hostnames so both compare as IP sets.
	wantIPs := map[string]bool{}
	for _, a := range want {
		if ip := net.ParseIP(a); ip != nil {
			wantIPs[ip.String()] = true
			continue
		}
		ips, err := s.v.opts.Resolver.LookupHost(ctx, a)
		if err != nil {
			return fail(fmt.Sprintf("cannot resolve the LoadBalancer hostname %s", a),
				"check the load balancer exists in the cloud console", err)
		}
		for _, ip := range ips {
			wantIPs[net.ParseIP(ip).String()] = true
		}
	}
	var match, stray []string
	for _, g := range got {
		ip := net.ParseIP(g)
		if ip != nil && wantIPs[ip.String()] {
			match = append(match, g)
		} else {
			stray = append(stray, g)
		}
	}
	switch {
	case len(match) == 0:
		return fail(fmt.Sprintf("%s resolves to %s, but proxy-public is reachable at %s", host, strings.Join(got, ", "), strings.Join(want, ", ")),
			"change the DNS record: "+recordHint(host, want), nil)
	case len(stray) > 0:
		return warn(fmt.Sprintf("%s resolves to %s as well as to proxy-public's %s", host, strings.Join(stray, ", "), strings.Join(match, ", ")),
			"remove the stray records: "+recordHint(host, want))
	}
	return pass(fmt.Sprintf("%s resolves to %s", host, strings.Join(got, ", ")))
}

func recordHint(host string, want []string) string {
	if len(want) == 0 {
		return "an A record (or a CNAME) for " + host + " pointing at proxy-public's LoadBalancer or Ingress address"
	}
	for _, a := range want {
		if net.ParseIP(a) == nil {
			return fmt.Sprintf("a CNAME %s -> %s", host, a)
		}
	}
	return fmt.Sprintf("an A record %s -> %s", host, strings.Join(want, ", "))
}
