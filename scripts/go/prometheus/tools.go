//go:build tools

// Package tools pins what scripts/prometheus.sh builds: Prometheus's server and promtool, from
// the upstream module at the version go.mod requires (no source of ours).
package tools

import (
	_ "github.com/prometheus/prometheus/cmd/prometheus"
	_ "github.com/prometheus/prometheus/cmd/promtool"
)
