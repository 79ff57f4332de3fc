package verify

import (
	"bytes"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubfleet/hubfleet/internal/golden"
)

func sampleResults() []Result {
	return []Result{
		{Site: "egi-notebooks", Check: CheckHelmRelease + "/daskhub", Status: Pass, Detail: "HelmRelease daskhub/daskhub Ready at chart version 2024.1.1 (generation 3)", Duration: 12 * time.Millisecond},
		{Site: "egi-notebooks", Check: CheckDNS, Status: Fail, Detail: "hub.egi.example.org resolves to 198.51.100.7, but proxy-public is reachable at 203.0.113.10",
			Fix: "change the DNS record: an A record hub.egi.example.org -> 203.0.113.10", Duration: 3 * time.Millisecond},
		{Site: "egi-notebooks", Check: CheckTLS, Status: Fail, Detail: `hub.egi.example.org serves Traefik's self-signed "TRAEFIK DEFAULT CERT": autohttps could not get a Let's Encrypt certificate`,
			Fix: "make hub.egi.example.org resolve to proxy-public's address (see the dns check), then restart the autohttps pod once: kubectl -n daskhub delete pod -l component=autohttps"},
		{Site: "aws-hub", Check: CheckTLS, Status: Warn, Detail: "renewal is overdue: expires 2026-12-01, 9d left of a 45d lifetime (20%); renewal is due at 2/3 of the lifetime",
			Fix: "kubectl -n hub describe certificate | grep something"},
		{Site: "aws-hub", Check: CheckOAuthLogin, Status: Fail, Detail: "GET https://hub.aws.example.org/hub/oauth_login: no answer within 10s",
			Fix: "the endpoint hangs", Err: errors.New("context deadline exceeded")},
	}
}

func TestRenderers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file  string
		write func(io.Writer, []Result) error
	}{
		{file: "report.txt", write: WriteTable},
		{file: "report.json", write: WriteJSON},
		{file: "report.md", write: WriteMarkdown},
	} {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			if err := tc.write(&b, sampleResults()); err != nil {
				t.Fatal(err)
			}
			golden.Assert(t, filepath.Join("testdata", tc.file), b.String())
		})
	}
}

func TestStatusDescription(t *testing.T) {
	t.Parallel()
	rs := sampleResults()
	for _, tc := range []struct {
		name string
		in   []Result
		want string
	}{
		{name: "first failure", in: rs[:3], want: "fail dns: hub.egi.example.org resolves to 198.51.100.7, but proxy-public is reachable at 203.0.113.10"},
		{name: "warning only", in: rs[3:4], want: "warn tls: renewal is overdue: expires 2026-12-01, 9d left of a 45d lifetime (20%); renewal is due at 2/3 of the lifetime"},
		{name: "all pass", in: rs[:1], want: "all 1 checks pass"},
		{name: "clipped to 140", in: []Result{{Check: "x", Status: Fail, Detail: strings.Repeat("a", 200)}}, want: "fail x: " + strings.Repeat("a", 131) + "…"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := StatusDescription(tc.in)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if n := len([]rune(got)); n > 140 {
				t.Errorf("%d characters, GitHub allows 140", n)
			}
		})
	}
}

func TestExitCode(t *testing.T) {
	t.Parallel()
	rs := sampleResults()
	for _, tc := range []struct {
		name string
		in   []Result
		want int
	}{
		{name: "none", in: nil, want: 0},
		{name: "pass", in: rs[:1], want: 0},
		{name: "warn", in: rs[3:4], want: 0},
		{name: "fail", in: rs, want: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := ExitCode(tc.in); got != tc.want {
				t.Errorf("ExitCode = %d, want %d", got, tc.want)
			}
		})
	}
}
