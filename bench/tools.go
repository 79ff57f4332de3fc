//go:build tools

// This file keeps the helm CLI's dependencies in go.mod and go.sum (go mod
// tidy considers every build tag), so `go build helm.sh/helm/v3/cmd/helm`
// keeps working from this module for the benchmark.
package main

import _ "helm.sh/helm/v3/cmd/helm"
