package testhub

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
)

// A single-user server whose command fails leaves its port free while
// JupyterHub goes on polling it (until the spawner's http_timeout, 30 s by
// default), and JupyterHub takes any HTTP answer other than a 5xx for the
// server coming up. With JupyterHub's default, a random ephemeral port,
// any process on the machine that listens on port 0 meanwhile (another
// package's test servers, another hub's single-user server, an API
// server) may be given that port, answer the hub's poll, and make a
// failed spawn look ready. OneServerPort avoids that: it picks a port
// below the kernel's ephemeral range, which listening on port 0 never
// hands out.

// ephemeralLow is the first port of the kernel's ephemeral range
// (net.ipv4.ip_local_port_range), 32768 when it cannot be read.
func ephemeralLow() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 32768
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return 32768
	}
	lo, err := strconv.Atoi(f[0])
	if err != nil || lo <= 1024 {
		return 32768
	}
	return lo
}

// oneServerPort returns a free port below the ephemeral range, free on
// every address (a server listening on all addresses would answer the
// hub's poll of 127.0.0.1 too).
func oneServerPort() (int, error) {
	hi := ephemeralLow()
	lo := max(hi-12000, 1025)
	if hi-lo < 100 {
		return 0, fmt.Errorf("the ephemeral port range starts at %d: no room below it for a single-user server port", hi)
	}
	var errs []error
	for range 50 {
		p := lo + rand.IntN(hi-lo)
		l, err := net.Listen("tcp", ":"+strconv.Itoa(p))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		_ = l.Close()
		return p, nil
	}
	return 0, fmt.Errorf("no free port in %d-%d for the single-user server: %w", lo, hi-1, errors.Join(errs[:3]...))
}
