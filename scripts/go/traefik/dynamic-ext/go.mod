// Stand-in for github.com/traefik/traefik/dynamic/ext: see ext.go.
module github.com/traefik/traefik/dynamic/ext

go 1.24.0
