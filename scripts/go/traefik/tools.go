//go:build tools

// Package tools pins the Traefik proxy this project's end-to-end tests run
// (scripts/traefik.sh builds it). Nothing here is compiled: the blank import
// only makes `go mod tidy` record the module graph of ./cmd/traefik.
package tools

import (
	_ "github.com/traefik/traefik/v3/cmd/traefik"
)
