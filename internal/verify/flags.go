package verify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/spf13/pflag"
)

// NetFlags are command-line options for reaching sites from somewhere
// unusual: a private CA, a hub not yet in DNS, or a test harness on
// loopback (internal/testhub).
type NetFlags struct {
	ConnectTo []string
	Resolve   []string
	CAFiles   []string
}

// AddFlags registers --connect-to, --resolve and --cacert on fs.
func (f *NetFlags) AddFlags(fs *pflag.FlagSet) {
	fs.StringSliceVar(&f.ConnectTo, "connect-to", nil,
		"connect to ADDR:PORT for HOST, keeping HOST for TLS and HTTP (HOST=ADDR:PORT, repeatable)")
	fs.StringSliceVar(&f.Resolve, "resolve", nil,
		"resolve HOST to these IP addresses, for the DNS check and for connections, as before a DNS cut-over; other names use the system resolver (HOST=ADDR[,ADDR...], repeatable)")
	fs.StringSliceVar(&f.CAFiles, "cacert", nil, "also trust the PEM certificates in this file (repeatable)")
}

// Apply sets o.Resolver, o.Dial and o.RootCAs from the flags; without
// flags o is unchanged. --connect-to wins over --resolve for connections.
func (f *NetFlags) Apply(o *Options) error {
	dial := o.Dial
	if len(f.Resolve) > 0 {
		h, err := ParseStaticHosts(f.Resolve)
		if err != nil {
			return fmt.Errorf("--resolve: %w", err)
		}
		o.Resolver = h.Resolver(o.Resolver)
		dial = h.Dial(dial)
	}
	if len(f.ConnectTo) > 0 {
		h, err := ParseHostOverrides(f.ConnectTo)
		if err != nil {
			return fmt.Errorf("--connect-to: %w", err)
		}
		dial = h.Dial(dial)
	}
	o.Dial = dial
	if len(f.CAFiles) > 0 {
		pool, err := CertPool(f.CAFiles...)
		if err != nil {
			return fmt.Errorf("--cacert: %w", err)
		}
		o.RootCAs = pool
	}
	return nil
}

// StaticHosts gives host names fixed IP addresses, as curl's --resolve
// does: lookups of those names (the DNS check's) answer with them, and
// connections to them go there on the port asked for. Keys are lower-case
// host names without a trailing dot.
type StaticHosts map[string][]string

// ParseStaticHosts reads "host=ip" items; "host=ip,ip" arrives from a
// comma-split flag as "host=ip" then "ip", and an item that is only an IP
// adds to the host before it. A host given twice has all its addresses.
func ParseStaticHosts(specs []string) (StaticHosts, error) {
	out := StaticHosts{}
	var errs []error
	last := ""
	for _, s := range specs {
		host, addr, ok := strings.Cut(s, "=")
		if !ok {
			host, addr = last, s
		}
		host = hostKey(host)
		if host == "" {
			errs = append(errs, fmt.Errorf("resolve %q: want host=ip[,ip...]", s))
			continue
		}
		ip := net.ParseIP(strings.TrimSuffix(strings.TrimPrefix(addr, "["), "]"))
		if ip == nil {
			errs = append(errs, fmt.Errorf("resolve %q: %q is not an IP address", s, addr))
			continue
		}
		out[host] = append(out[host], ip.String())
		last = host
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

func hostKey(host string) string { return strings.ToLower(strings.TrimSuffix(host, ".")) }

// Resolver returns a Resolver that answers the static hosts and asks next
// (net.DefaultResolver when nil) for every other name.
func (h StaticHosts) Resolver(next Resolver) Resolver {
	if next == nil {
		next = net.DefaultResolver
	}
	return staticResolver{hosts: h, next: next}
}

type staticResolver struct {
	hosts StaticHosts
	next  Resolver
}

func (r staticResolver) LookupHost(ctx context.Context, host string) ([]string, error) {
	if a, ok := r.hosts[hostKey(host)]; ok {
		return append([]string(nil), a...), nil
	}
	return r.next.LookupHost(ctx, host)
}

// Dial returns a DialFunc that connects to a static host's addresses in
// turn (keeping the port) and dials everything else with next (a plain
// net.Dialer when nil). When every address fails, the first error is
// returned, as net.Dialer does.
func (h StaticHosts) Dial(next DialFunc) DialFunc {
	if next == nil {
		var d net.Dialer
		next = d.DialContext
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return next(ctx, network, addr)
		}
		ips, ok := h[hostKey(host)]
		if !ok {
			return next(ctx, network, addr)
		}
		var first error
		for _, ip := range ips {
			c, err := next(ctx, network, net.JoinHostPort(ip, port))
			if err == nil {
				return c, nil
			}
			if first == nil {
				first = err
			}
			if ctx.Err() != nil {
				break
			}
		}
		return nil, first
	}
}
