package site

import (
	"os"
	"testing"
)

// testFleet is testdata/fleet.yaml decoded as bases/daskhub/fleet.yaml.
func testFleet(t *testing.T) *Fleet {
	t.Helper()
	f, err := DecodeFleet("bases/daskhub/fleet.yaml", readTestdata(t, "testdata/fleet.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// readTestdata reads a file of testdata.
func readTestdata(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
