// Our own small programs for the real node's images (scripts/images.sh): mkimage writes an image
// archive from a directory, tcp-echo is the tcp-echo image's server, whoami stands in for
// traefik/whoami (whose module the Go proxy refuses). Standard library only.
module tcp-platform/cluster/images

go 1.24.0
