package site

import (
	"fmt"
	"strings"
	"testing"
)

// bigSite is a valid site file whose spec.values holds n keys, spread
// over maps of 1,000 keys each.
func bigSite(n int) []byte {
	var b strings.Builder
	b.WriteString("apiVersion: hubfleet.dev/v1alpha1\nkind: Site\nmetadata:\n  name: big\n  annotations: {config.kubernetes.io/local-config: \"true\"}\nspec:\n  host: big.example.org\n  tls: {mode: secret, secretName: big-tls}\n  auth: {provider: native}\n  values:\n    jupyterhub:\n      hub:\n        extraEnv:\n")
	for i := 0; i < n; i++ {
		if i%1000 == 0 {
			fmt.Fprintf(&b, "          G%d:\n", i/1000)
		}
		fmt.Fprintf(&b, "            k%d: %d\n", i, i)
	}
	return []byte(b.String())
}

// BenchmarkDecodeSiteValues decodes and validates site files with 10k,
// 100k and 1M values keys: the time per key stays flat (linear growth).
//
//	go test -run=NONE -bench=DecodeSiteValues -benchtime=1x ./internal/site
func BenchmarkDecodeSiteValues(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		data := bigSite(n)
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				s, err := DecodeSite("big.yaml", data)
				if err != nil {
					b.Fatal(err)
				}
				if len(Check(s, nil).Errors()) != 0 {
					b.Fatal(Check(s, nil))
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/key")
		})
	}
}
