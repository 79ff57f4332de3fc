package verify

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
)

// HostOverrides sends connections for host names to other addresses, as
// curl's --connect-to does: the TLS server name and the Host header stay
// the site's, only the TCP destination changes. Keys are host names,
// values host:port.
type HostOverrides map[string]string

// ParseHostOverrides reads "host=addr:port" items.
func ParseHostOverrides(specs []string) (HostOverrides, error) {
	out := HostOverrides{}
	var errs []error
	for _, s := range specs {
		host, addr, ok := strings.Cut(s, "=")
		if !ok || host == "" {
			errs = append(errs, fmt.Errorf("host override %q: want host=addr:port", s))
			continue
		}
		if _, _, err := net.SplitHostPort(addr); err != nil {
			errs = append(errs, fmt.Errorf("host override %q: %w", s, err))
			continue
		}
		out[host] = addr
	}
	return out, errors.Join(errs...)
}

// Dial returns a DialFunc that applies the overrides and dials everything
// else with next (a plain net.Dialer when nil).
func (h HostOverrides) Dial(next DialFunc) DialFunc {
	if next == nil {
		var d net.Dialer
		next = d.DialContext
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if host, _, err := net.SplitHostPort(addr); err == nil {
			if to, ok := h[host]; ok {
				addr = to
			}
		}
		return next(ctx, network, addr)
	}
}

// CertPool returns the system roots plus the PEM certificates in files
// (a private CA, or a test CA).
func CertPool(files ...string) (*x509.CertPool, error) {
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("read CA file: %w", err)
		}
		if !pool.AppendCertsFromPEM(b) {
			return nil, fmt.Errorf("CA file %s holds no PEM certificate", f)
		}
	}
	return pool, nil
}
