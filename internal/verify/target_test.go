package verify

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/pflag"
)

func TestTargetURLs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		base, wantHealth, wantCallback string
	}{
		{base: "", wantHealth: "https://hub.example.org/hub/health", wantCallback: "https://hub.example.org/hub/oauth_callback"},
		{base: "/", wantHealth: "https://hub.example.org/hub/health", wantCallback: "https://hub.example.org/hub/oauth_callback"},
		{base: "/jhub/", wantHealth: "https://hub.example.org/jhub/hub/health", wantCallback: "https://hub.example.org/jhub/hub/oauth_callback"},
		{base: "jhub", wantHealth: "https://hub.example.org/jhub/hub/health", wantCallback: "https://hub.example.org/jhub/hub/oauth_callback"},
	} {
		t.Run(tc.base, func(t *testing.T) {
			t.Parallel()
			tg := Target{Host: "hub.example.org", BaseURL: tc.base}
			got := []string{tg.URL("hub/health"), tg.CallbackURL()}
			if diff := cmp.Diff([]string{tc.wantHealth, tc.wantCallback}, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestTargetValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		mutate func(*Target)
		want   []string // substrings of the error; none means valid
	}{
		{name: "valid", mutate: func(*Target) {}},
		{name: "host with scheme", mutate: func(t *Target) { t.Host = "https://hub.example.org" }, want: []string{"is not a DNS name"}},
		{name: "http issuer and no client id", mutate: func(t *Target) { t.Auth.Issuer = "http://idp"; t.Auth.ClientID = "" },
			want: []string{"is not an https URL", "client id is empty"}},
		{name: "unknown modes", mutate: func(t *Target) { t.TLS = "acme"; t.Exposure = "NodePort"; t.Auth.Provider = "ldap" },
			want: []string{`unknown TLS mode "acme"`, `unknown exposure "NodePort"`, `unknown auth provider "ldap"`}},
		{name: "native needs no issuer", mutate: func(t *Target) { t.Auth = Auth{Provider: ProviderNative} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tg := egiSite("alpha")
			tc.mutate(&tg)
			err := tg.Validate()
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate = nil, want %v", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestParseHostOverrides(t *testing.T) {
	t.Parallel()
	got, err := ParseHostOverrides([]string{"hub.example.org=127.0.0.1:8443", "idp.example.org=[::1]:9443"})
	if err != nil {
		t.Fatal(err)
	}
	want := HostOverrides{"hub.example.org": "127.0.0.1:8443", "idp.example.org": "[::1]:9443"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	_, err = ParseHostOverrides([]string{"hub.example.org", "=1.2.3.4:1", "x=1.2.3.4"})
	for _, w := range []string{`"hub.example.org": want host=addr:port`, `"=1.2.3.4:1": want host=addr:port`, `"x=1.2.3.4"`} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error %v lacks %q", err, w)
		}
	}
}

func TestCheckKind(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"helmrelease/daskhub": CheckHelmRelease, "deployment/hub": CheckDeployment,
		CheckTLS: CheckTLS, CheckOAuthAuthorize: CheckOAuthAuthorize,
	} {
		if got := CheckKind(in); got != want {
			t.Errorf("CheckKind(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNetFlags(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ca := newTestCA(t, pkix.Name{CommonName: "flags CA"}, time.Now())
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.cert.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	var f NetFlags
	fs := pflag.NewFlagSet("verify", pflag.ContinueOnError)
	f.AddFlags(fs)
	if err := fs.Parse([]string{"--connect-to", "hub.example.org=127.0.0.1:8443", "--cacert", caFile}); err != nil {
		t.Fatal(err)
	}
	o := DefaultOptions()
	if err := f.Apply(&o); err != nil {
		t.Fatal(err)
	}
	if o.Dial == nil || o.RootCAs == nil {
		t.Fatalf("Apply left Dial or RootCAs unset")
	}
	leaf, err := x509.ParseCertificate(ca.issue(t, leafSpec{cn: "hub.example.org", hosts: []string{"hub.example.org"},
		notBefore: time.Now().Add(-time.Hour), notAfter: time.Now().Add(time.Hour)}).Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: o.RootCAs, DNSName: "hub.example.org"}); err != nil {
		t.Errorf("--cacert pool does not trust the CA: %v", err)
	}
	bad := NetFlags{CAFiles: []string{filepath.Join(dir, "missing.pem")}}
	if err := bad.Apply(&o); err == nil || !strings.Contains(err.Error(), "--cacert") {
		t.Errorf("Apply(missing CA file) = %v, want a --cacert error", err)
	}
}
