package verify

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkVerify100Sites verifies 100 sites served on loopback, one of
// them slow (every hub endpoint answers after slowDelay), and reports the
// fleet's wall time against the slow site's alone. The issue asks for
// fleet < 1.5 x slowest single site.
func BenchmarkVerify100Sites(b *testing.B) {
	for _, slowDelay := range []time.Duration{250 * time.Millisecond, time.Second} {
		b.Run("slow="+slowDelay.String(), func(b *testing.B) { benchmarkFleet(b, slowDelay) })
	}
}

func benchmarkFleet(b *testing.B, slowDelay time.Duration) {
	w := newWorld(b)
	var sites []Target
	for i := range 100 {
		s := egiSite(fmt.Sprintf("site%03d", i))
		w.addSite(s, "203.0.113.10")
		sites = append(sites, s)
	}
	slow := sites[len(sites)-1]
	w.hub(slow.Host, func(h *hubState) { h.delay = slowDelay })
	opts := w.options()
	opts.CheckTimeout = 10 * time.Second
	ctx := context.Background()

	var single, fleet time.Duration
	var conns int64
	for b.Loop() {
		v := New(opts) // cold connections, as on a real run
		t0 := time.Now()
		one := v.VerifySite(ctx, slow)
		for _, r := range one {
			if r.Status != Pass {
				b.Fatalf("slow site %s: %s %s", r.Check, r.Status, r.Detail)
			}
		}
		single += time.Since(t0)
		v.Close()

		v = New(opts)
		before := w.accepted.Load()
		t0 = time.Now()
		rs := v.Verify(ctx, sites)
		fleet += time.Since(t0)
		conns += w.accepted.Load() - before
		v.Close()
		if len(rs) != 100*len(one) || Worst(rs) != Pass {
			b.Fatalf("fleet: %d results, %s", len(rs), Summary(rs))
		}
	}
	n := float64(b.N)
	b.ReportMetric(float64(single.Milliseconds())/n, "slowest-site-ms")
	b.ReportMetric(float64(fleet.Milliseconds())/n, "fleet-ms")
	b.ReportMetric(float64(fleet)/float64(single), "fleet/slowest")
	b.ReportMetric(float64(conns)/n, "tls-conns/op")
}
