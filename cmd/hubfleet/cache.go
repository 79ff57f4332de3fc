package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/hubfleet/hubfleet/internal/chart"
	"github.com/hubfleet/hubfleet/internal/output"
)

type cacheOptions struct {
	dir      string
	maxBytes int64
	prune    bool
	output   string
}

func newCacheCmd(s streams) *cobra.Command {
	o := &cacheOptions{}
	cmd := &cobra.Command{
		Use:   "cache",
		Short: "Show (or --prune) the chart render cache and its size limit",
		Long: `plan and the GitHub Action cache each release's rendered chart on disk, keyed by
(chart digest, values, render options), so re-plans cost a file read. The
cache is bounded: after a run that wrote results, the least recently used
results are removed until the cache is at most 3/4 of its limit (default
1 GiB). Cached results are only an optimisation: removing any of them, or the
whole directory, only costs a render next time.

cache prints where the cache is, its size and its limit. With --prune it
trims the cache to the limit first (--max-bytes to choose another one).`,
		Example: `  hubfleet cache
  hubfleet cache --prune --max-bytes 268435456
  hubfleet cache -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCache(o, s)
		},
	}
	cmd.Flags().StringVar(&o.dir, "dir", chart.DefaultResultCacheDir(), "render cache directory")
	cmd.Flags().Int64Var(&o.maxBytes, "max-bytes", chart.DefaultCacheMaxBytes, "size limit in bytes")
	cmd.Flags().BoolVar(&o.prune, "prune", false, "remove the least recently used results until the cache is at most 3/4 of the limit")
	outputFlag(cmd, &o.output, output.Machine)
	return cmd
}

func runCache(o *cacheOptions, s streams) error {
	f, err := output.ParseFormat(o.output, output.Machine)
	if err != nil {
		return err
	}
	if o.maxBytes <= 0 {
		return fmt.Errorf("--max-bytes %d: give a positive size in bytes", o.maxBytes)
	}
	st, err := chart.CacheStatsOf(o.dir, o.maxBytes, o.prune)
	if err != nil {
		return fmt.Errorf("render cache %s: %w", o.dir, err)
	}
	return output.Print(s.out, f, cacheResult{Header: output.NewHeader("cache"), CacheStats: st, Pruned: o.prune}, output.Style{})
}

func cacheSize(b int64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
	case b >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(b)/(1<<10))
	}
	return fmt.Sprintf("%d B", b)
}
