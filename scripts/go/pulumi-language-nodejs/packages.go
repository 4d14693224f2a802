// The plugins and packages a program needs, from the @pulumi/* packages it has installed, and `pulumi install`.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func (h *nodeHost) GetRequiredPlugins(
	_ context.Context, req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	plugins, err := dependencies(programDir(req.GetInfo(), req.GetPwd()), func(p pulumiPackage) *pulumirpc.PluginDependency {
		return &pulumirpc.PluginDependency{Name: p.Name, Kind: "resource", Version: p.Version, Server: p.Server}
	})
	if err != nil {
		return nil, err
	}
	return &pulumirpc.GetRequiredPluginsResponse{Plugins: plugins}, nil
}

func (h *nodeHost) GetRequiredPackages(
	_ context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	packages, err := dependencies(req.GetInfo().GetProgramDirectory(), func(p pulumiPackage) *pulumirpc.PackageDependency {
		return &pulumirpc.PackageDependency{Name: p.Name, Kind: "resource", Version: p.Version, Server: p.Server}
	})
	if err != nil {
		return nil, err
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: packages}, nil
}

// dependencies is the program's Pulumi packages as engine messages of one kind: GetRequiredPlugins
// and GetRequiredPackages answer with the same list.
func dependencies[T any](dir string, message func(pulumiPackage) T) ([]T, error) {
	pkgs, err := pulumiPackages(dir)
	if err != nil {
		return nil, err
	}
	var out []T
	for _, p := range pkgs {
		out = append(out, message(p))
	}
	return out, nil
}

// programDir is where the program (or policy pack) lives: the engine's ProgramInfo, else the
// directory the request itself names.
func programDir(info *pulumirpc.ProgramInfo, fallback string) string {
	if dir := info.GetProgramDirectory(); dir != "" {
		return dir
	}
	return fallback
}

// pulumiPackage is the "pulumi" key of an npm package.json that ships a Pulumi resource SDK.
type pulumiPackage struct {
	Resource bool   `json:"resource"`
	Name     string `json:"name"`
	Version  string `json:"version"`
	Server   string `json:"server"`
}

// pulumiPackages walks dir/node_modules (scoped and nested node_modules included) and returns the
// resource plugins that installed packages declare, deduplicated by name and version.
func pulumiPackages(dir string) ([]pulumiPackage, error) {
	if dir == "" {
		return nil, nil
	}
	seen := map[string]pulumiPackage{}
	visited := map[string]bool{}
	var walk func(nodeModules string, depth int)
	walk = func(nodeModules string, depth int) {
		if depth > 12 {
			return
		}
		entries, err := os.ReadDir(nodeModules)
		if err != nil {
			return
		}
		for _, e := range entries {
			name := e.Name()
			if strings.HasPrefix(name, ".") {
				continue
			}
			full := filepath.Join(nodeModules, name)
			if strings.HasPrefix(name, "@") {
				scoped, err := os.ReadDir(full)
				if err != nil {
					continue
				}
				for _, s := range scoped {
					visitPackage(filepath.Join(full, s.Name()), seen, visited, walk, depth)
				}
				continue
			}
			visitPackage(full, seen, visited, walk, depth)
		}
	}
	walk(filepath.Join(dir, "node_modules"), 0)

	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]pulumiPackage, 0, len(keys))
	for _, k := range keys {
		out = append(out, seen[k])
	}
	return out, nil
}

func visitPackage(pkgDir string, seen map[string]pulumiPackage, visited map[string]bool,
	walk func(string, int), depth int,
) {
	// Resolve symlinks (pnpm, npm workspaces) so each real directory is read once.
	real, err := filepath.EvalSymlinks(pkgDir)
	if err != nil || visited[real] {
		return
	}
	visited[real] = true
	data, err := os.ReadFile(filepath.Join(real, "package.json"))
	if err == nil {
		var pj struct {
			Version string          `json:"version"`
			Pulumi  json.RawMessage `json:"pulumi"`
		}
		if json.Unmarshal(data, &pj) == nil && len(pj.Pulumi) > 0 {
			var p pulumiPackage
			if json.Unmarshal(pj.Pulumi, &p) == nil && p.Resource && p.Name != "" {
				if p.Version == "" {
					p.Version = pj.Version
				}
				p.Version = strings.TrimPrefix(p.Version, "v")
				seen[p.Name+"@"+p.Version] = p
			}
		}
	}
	walk(filepath.Join(real, "node_modules"), depth+1)
}

// InstallDependencies (`pulumi install`) runs the project's package manager in the program
// directory: the `packagemanager` runtime option, else the one whose lock file is there, else npm.
func (h *nodeHost) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest,
	stream grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse],
) error {
	dir := programDir(req.GetInfo(), req.GetDirectory())
	manager, _ := req.GetInfo().GetOptions().AsMap()["packagemanager"].(string)
	if manager == "" || manager == "auto" {
		manager = "npm"
		for _, l := range [][2]string{
			{"yarn.lock", "yarn"}, {"pnpm-lock.yaml", "pnpm"}, {"bun.lock", "bun"}, {"bun.lockb", "bun"},
		} {
			if _, err := os.Stat(filepath.Join(dir, l[0])); err == nil {
				manager = l[1]
				break
			}
		}
	}
	bin, err := exec.LookPath(manager)
	if err != nil {
		return status.Errorf(codes.FailedPrecondition, "%s not found on PATH: %v", manager, err)
	}
	cmd := exec.CommandContext(stream.Context(), bin, "install")
	cmd.Dir = dir
	// stdout and stderr are copied by two goroutines; a gRPC stream takes one sender at a time.
	var mu sync.Mutex
	send := func(resp *pulumirpc.InstallDependenciesResponse) error {
		mu.Lock()
		defer mu.Unlock()
		return stream.Send(resp)
	}
	cmd.Stdout = streamWriter(func(b []byte) error {
		return send(&pulumirpc.InstallDependenciesResponse{Stdout: b})
	})
	cmd.Stderr = streamWriter(func(b []byte) error {
		return send(&pulumirpc.InstallDependenciesResponse{Stderr: b})
	})
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s install in %s: %w", manager, dir, err)
	}
	return nil
}
