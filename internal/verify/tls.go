package verify

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// traefikDefaultCN is the subject of the self-signed certificate Traefik
// (z2jh's autohttps) serves when ACME has not issued one.
const traefikDefaultCN = "TRAEFIK DEFAULT CERT"

func (s *siteRun) checkTLS(ctx context.Context) Result {
	host := s.t.Host
	cc := certContext{Host: host, Roots: s.v.opts.RootCAs, Now: s.v.opts.Clock.Now(), Mode: s.t.TLS, Namespace: s.t.Namespace}
	if st := s.hubConn.val; s.hubConn.ok && st != nil && len(st.PeerCertificates) > 0 {
		// hub-health's fresh connection verified; judge what it was served.
		return judgeCertificate(st.PeerCertificates, cc)
	}
	raw, err := s.v.dialer(ctx, "tcp", net.JoinHostPort(host, "443"))
	if err != nil {
		return s.v.connFailure(ctx, host+":443", hubEndpoint, err)
	}
	defer raw.Close()
	// Verification is done below by hand, so that every way a chain is
	// wrong gets its own explanation.
	conn := tls.Client(raw, &tls.Config{ServerName: host, InsecureSkipVerify: true, MinVersion: tls.VersionTLS12}) //nolint:gosec // verified in judgeCertificate
	// HandshakeContext is bound by ctx (the per-check timeout).
	if err := conn.HandshakeContext(ctx); err != nil {
		if timedOut(ctx, err) {
			return fail(fmt.Sprintf("TLS handshake with %s:443 did not finish within %s", host, s.v.opts.CheckTimeout),
				"check the TLS terminator (ingress controller or autohttps pod)", err)
		}
		return fail(fmt.Sprintf("TLS handshake with %s:443 failed: %s", host, clip(err.Error(), 120)),
			"check the TLS terminator (ingress controller or autohttps pod)", err)
	}
	return judgeCertificate(conn.ConnectionState().PeerCertificates, cc)
}

// certContext is what a served certificate chain is judged against.
type certContext struct {
	Host      string
	Roots     *x509.CertPool // nil: system roots
	Now       time.Time
	Mode      TLSMode
	Namespace string
}

// judgeCertificate explains what is wrong with a served chain. Expiry is
// judged relative to the certificate's lifetime: cert-manager renews at 2/3
// of it, so less than 1/3 left means renewal is not happening.
func judgeCertificate(chain []*x509.Certificate, c certContext) Result {
	if len(chain) == 0 {
		return fail("the server sent no certificate", "check the TLS terminator", nil)
	}
	leaf := chain[0]
	restartAutoHTTPS := fmt.Sprintf("kubectl -n %s delete pod -l component=autohttps", c.Namespace)
	if leaf.Subject.CommonName == traefikDefaultCN || leaf.Issuer.CommonName == traefikDefaultCN {
		return fail(fmt.Sprintf("%s serves Traefik's self-signed %q: autohttps could not get a Let's Encrypt certificate", c.Host, traefikDefaultCN),
			fmt.Sprintf("make %s resolve to proxy-public's address (see the dns check), then restart the autohttps pod once: %s", c.Host, restartAutoHTTPS), nil)
	}
	if name, ok := stagingIssuer(chain); ok {
		fix := "switch the ClusterIssuer to https://acme-v02.api.letsencrypt.org/directory and delete the certificate's Secret to reissue"
		if c.Mode == TLSAutoHTTPS {
			fix = "remove proxy.https.letsencrypt.acmeServer (the staging URL), then restart the autohttps pod: " + restartAutoHTTPS
		}
		return fail(fmt.Sprintf("the certificate for %s comes from Let's Encrypt STAGING (%s), which no browser trusts", c.Host, name), fix, nil)
	}
	renew := renewHint(c)
	if c.Now.Before(leaf.NotBefore) {
		return fail(fmt.Sprintf("the certificate is not valid until %s (%s from now): a post-dated certificate or a wrong clock", leaf.NotBefore.UTC().Format(time.RFC3339), leaf.NotBefore.Sub(c.Now).Round(time.Minute)),
			"check the clocks of the issuer and of this machine; reissue the certificate", nil)
	}
	if !c.Now.Before(leaf.NotAfter) {
		return fail(fmt.Sprintf("the certificate expired at %s (%s ago)", leaf.NotAfter.UTC().Format(time.RFC3339), days(c.Now.Sub(leaf.NotAfter))),
			renew, nil)
	}
	if err := leaf.VerifyHostname(c.Host); err != nil {
		return fail(fmt.Sprintf("the certificate is for %s, not %s", certNames(leaf), c.Host),
			"issue a certificate whose SAN includes "+c.Host+" (check the Ingress tls hosts / proxy.https.hosts)", err)
	}
	inter := x509.NewCertPool()
	for _, ic := range chain[1:] {
		inter.AddCert(ic)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: c.Host, Roots: c.Roots, Intermediates: inter, CurrentTime: c.Now}); err != nil {
		if selfSigned(leaf) {
			return fail(fmt.Sprintf("the certificate for %s is self-signed (issuer %q)", c.Host, leaf.Issuer.CommonName),
				"serve a certificate from a public CA: "+renew, err)
		}
		var ua x509.UnknownAuthorityError
		if errors.As(err, &ua) {
			return fail(fmt.Sprintf("the certificate chain does not lead to a trusted root (issuer %q): an untrusted CA or a missing intermediate", leaf.Issuer.CommonName),
				"serve the full chain (leaf + intermediates) from a public CA", err)
		}
		return fail(fmt.Sprintf("the certificate does not verify: %s", clip(err.Error(), 120)), renew, err)
	}
	life := leaf.NotAfter.Sub(leaf.NotBefore)
	left := leaf.NotAfter.Sub(c.Now)
	pct := int(100 * left / life)
	summary := fmt.Sprintf("expires %s, %s left of a %s lifetime (%d%%)", leaf.NotAfter.UTC().Format("2006-01-02"), days(left), days(life), pct)
	switch {
	case left < life/10:
		return fail("renewal is overdue: "+summary+"; renewal is due at 2/3 of the lifetime", renew, nil)
	case left < life/3:
		return warn("renewal is overdue: "+summary+"; renewal is due at 2/3 of the lifetime", renew)
	}
	return pass(fmt.Sprintf("valid for %s, issued by %q, %s", c.Host, leaf.Issuer.CommonName, summary))
}

func renewHint(c certContext) string {
	switch c.Mode {
	case TLSCertManager:
		return fmt.Sprintf("kubectl -n %s describe certificate (and its CertificateRequest/Order/Challenge) to see why cert-manager does not renew", c.Namespace)
	case TLSAutoHTTPS:
		return fmt.Sprintf("check the autohttps logs, then restart it: kubectl -n %s delete pod -l component=autohttps", c.Namespace)
	default:
		return "renew the certificate and update the TLS Secret"
	}
}

// stagingIssuer recognises Let's Encrypt's staging hierarchy ("(STAGING)
// Pretend Pear X1", "(STAGING) Artificial Apricot R3", older "Fake LE").
func stagingIssuer(chain []*x509.Certificate) (string, bool) {
	for _, c := range chain {
		for _, n := range append([]string{c.Issuer.CommonName}, c.Issuer.Organization...) {
			if strings.Contains(n, "(STAGING)") || strings.HasPrefix(n, "Fake LE") {
				return c.Issuer.CommonName, true
			}
		}
	}
	return "", false
}

func selfSigned(c *x509.Certificate) bool {
	return c.Issuer.String() == c.Subject.String() && c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}

func certNames(c *x509.Certificate) string {
	names := append([]string{}, c.DNSNames...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 {
		return fmt.Sprintf("CN=%q (no SAN)", c.Subject.CommonName)
	}
	return strings.Join(names, ", ")
}

func days(d time.Duration) string {
	if d >= 48*time.Hour {
		return fmt.Sprintf("%dd", int(d.Hours()/24))
	}
	return d.Round(time.Minute).String()
}
