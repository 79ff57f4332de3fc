package main

import (
	"crypto/x509"
	"errors"
	"fmt"
	"strings"

	"github.com/hubfleet/hubfleet/internal/actionmode"
	"github.com/hubfleet/hubfleet/internal/targets"
	"github.com/hubfleet/hubfleet/internal/verify"
)

// actionVerifier is the verify mode's verifier with the action's network
// inputs, the Action's counterparts of `verify --connect-to`, `--resolve`
// and `--cacert`, for hubs reached from a self-hosted runner before a DNS
// cut-over or behind a private CA:
//
//	HUBFLEET_CONNECT_TO  HOST=ADDR:PORT items (input connect-to)
//	HUBFLEET_RESOLVE     HOST=IP items (input resolve)
//	HUBFLEET_CACERT      PEM certificates to trust besides the system's (input cacert)
//
// Items are separated by newlines or commas. Without them it returns
// base unchanged.
func actionVerifier(getenv func(string) string, base actionmode.Verifier) (actionmode.Verifier, error) {
	connect, resolve := envItems(getenv("HUBFLEET_CONNECT_TO")), envItems(getenv("HUBFLEET_RESOLVE"))
	pem := strings.TrimSpace(getenv("HUBFLEET_CACERT"))
	if len(connect) == 0 && len(resolve) == 0 && pem == "" {
		return base, nil
	}
	opts := verify.DefaultOptions()
	if tv, ok := base.(targets.Verifier); ok {
		opts = tv.Options
	}
	var errs []error
	if _, err := verify.ParseHostOverrides(connect); err != nil {
		errs = append(errs, fmt.Errorf("verify: the connect-to input (HUBFLEET_CONNECT_TO): %w", err))
	}
	if _, err := verify.ParseStaticHosts(resolve); err != nil {
		errs = append(errs, fmt.Errorf("verify: the resolve input (HUBFLEET_RESOLVE): %w", err))
	}
	if len(errs) == 0 {
		nf := verify.NetFlags{ConnectTo: connect, Resolve: resolve}
		if err := nf.Apply(&opts); err != nil {
			errs = append(errs, fmt.Errorf("verify: %w", err))
		}
	}
	if pem != "" {
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM([]byte(pem)) {
			errs = append(errs, errors.New("verify: the cacert input (HUBFLEET_CACERT) holds no PEM certificate: paste the CA's certificate, -----BEGIN CERTIFICATE----- included"))
		}
		opts.RootCAs = pool
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return targets.Verifier{Options: opts}, nil
}

// envItems splits an input on newlines and commas, dropping blanks.
func envItems(v string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == '\n' || r == ',' }) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
