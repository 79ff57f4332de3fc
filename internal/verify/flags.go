package verify

import (
	"fmt"

	"github.com/spf13/pflag"
)

// NetFlags are command-line options for reaching sites from somewhere
// unusual: a private CA, a hub not yet in DNS, or a test harness on
// loopback (internal/testhub).
type NetFlags struct {
	ConnectTo []string
	CAFiles   []string
}

// AddFlags registers --connect-to and --cacert on fs.
func (f *NetFlags) AddFlags(fs *pflag.FlagSet) {
	fs.StringSliceVar(&f.ConnectTo, "connect-to", nil,
		"connect to ADDR:PORT for HOST, keeping HOST for TLS and HTTP (HOST=ADDR:PORT, repeatable)")
	fs.StringSliceVar(&f.CAFiles, "cacert", nil, "also trust the PEM certificates in this file (repeatable)")
}

// Apply sets o.Dial and o.RootCAs from the flags; without flags o is
// unchanged.
func (f *NetFlags) Apply(o *Options) error {
	if len(f.ConnectTo) > 0 {
		h, err := ParseHostOverrides(f.ConnectTo)
		if err != nil {
			return fmt.Errorf("--connect-to: %w", err)
		}
		o.Dial = h.Dial(o.Dial)
	}
	if len(f.CAFiles) > 0 {
		pool, err := CertPool(f.CAFiles...)
		if err != nil {
			return fmt.Errorf("--cacert: %w", err)
		}
		o.RootCAs = pool
	}
	return nil
}
