package verify

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"strings"
	"testing"
	"time"
)

// TestJudgeCertificateLifetime judges expiry relative to the lifetime, not
// by a fixed number of days.
func TestJudgeCertificateLifetime(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	ca := newTestCA(t, pkix.Name{CommonName: "lifetime CA"}, now)
	day := 24 * time.Hour
	for _, tc := range []struct {
		name       string
		life, left time.Duration
		want       Status
		detail     string
	}{
		{name: "45-day certificate with 20 days left is fine", life: 45 * day, left: 20 * day, want: Pass, detail: "20d left of a 45d lifetime (44%)"},
		{name: "90-day certificate with 31 days left is fine", life: 90 * day, left: 31 * day, want: Pass},
		{name: "90-day certificate past renewal", life: 90 * day, left: 29 * day, want: Warn, detail: "renewal is overdue"},
		{name: "1-year certificate with 60 days left is fine", life: 365 * day, left: 130 * day, want: Pass},
		{name: "1-year certificate with 30 days left is overdue", life: 365 * day, left: 30 * day, want: Fail, detail: "30d left of a 365d lifetime (8%)"},
		{name: "6-day certificate with 1 day left", life: 6 * day, left: day, want: Warn, detail: "24h0m0s left of a 6d lifetime (16%)"},
		{name: "6-day certificate with 3 hours left", life: 6 * day, left: 3 * time.Hour, want: Fail},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			host := "hub.example.org"
			c := ca.issue(t, leafSpec{cn: host, hosts: []string{host}, notBefore: now.Add(tc.left - tc.life), notAfter: now.Add(tc.left)})
			leaf, err := x509.ParseCertificate(c.Certificate[0])
			if err != nil {
				t.Fatal(err)
			}
			r := judgeCertificate([]*x509.Certificate{leaf}, certContext{Host: host, Roots: ca.pool, Now: now, Mode: TLSCertManager, Namespace: "hub"})
			if r.Status != tc.want || !strings.Contains(r.Detail, tc.detail) {
				t.Errorf("got %s %q, want %s containing %q", r.Status, r.Detail, tc.want, tc.detail)
			}
		})
	}
}
