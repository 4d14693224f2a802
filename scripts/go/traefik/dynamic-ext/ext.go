// Package ext stands in for Traefik's dynamic-configuration extension point.
//
// Upstream keeps it as a nested module (pkg/config/dynamic/ext) that its go.mod reaches with a
// directory replace; nested modules are not part of the v3 module zip and the module proxy does
// not serve this one, so a build from modules needs these declarations from somewhere. In open
// source Traefik both types are empty structs, embedded inline in dynamic.HTTP and dynamic.Router
// as hooks for other distributions: they add no fields, so an empty type of our own is exactly
// equivalent. Written for this project; no upstream source is copied here.
package ext

// HTTP is embedded in dynamic.HTTP.
type HTTP struct{}

// Router is embedded in dynamic.Router.
type Router struct{}
