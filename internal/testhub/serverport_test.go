package testhub

import (
	"net"
	"strconv"
	"strings"
	"testing"
)

// TestOneServerPortIsBelowTheEphemeralRange: the port a one-server hub
// gives its servers is free and is never one that listening on port 0
// hands out, so no other process can answer the hub's poll of a failed
// server's port.
func TestOneServerPortIsBelowTheEphemeralRange(t *testing.T) {
	low := ephemeralLow()
	for range 20 {
		p, err := oneServerPort()
		if err != nil {
			t.Fatal(err)
		}
		if p >= low || p <= 1024 {
			t.Fatalf("port %d is not below the ephemeral range (from %d)", p, low)
		}
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
		if err != nil {
			t.Fatalf("port %d is not free: %v", p, err)
		}
		_ = l.Close()
	}
	// What the kernel hands out for port 0 is in the range.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if p := l.Addr().(*net.TCPAddr).Port; p < low {
		t.Errorf("port 0 gave %d, below the ephemeral range read as starting at %d", p, low)
	}
}

func TestSpawnerConfigSetsTheOneServerPort(t *testing.T) {
	cfg := spawnerConfig(SpawnerOptions{}, "/d", "m", 23456)
	if want := "c.Spawner.port = 23456\n"; !strings.Contains(cfg, want) {
		t.Errorf("config lacks %q:\n%s", want, cfg)
	}
	if cfg := spawnerConfig(SpawnerOptions{}, "/d", "m", 0); strings.Contains(cfg, "c.Spawner.port") {
		t.Errorf("a random port is JupyterHub's default, yet the config sets one:\n%s", cfg)
	}
}
