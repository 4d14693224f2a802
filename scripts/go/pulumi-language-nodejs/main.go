// Command pulumi-language-nodejs is tcp-platform's STAND-IN for Pulumi's Node.js language host.
//
// Why it exists: the upstream host is its own Go module
// (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3) and the Go module proxy
// reachable from this project's machines does not serve it at any version (403), and its source
// is not part of the sdk/v3 3.259.0 or pkg/v3 module zips. The newest sdk/v3 zip that still holds
// a host (v3.68.0, 2023) runs programs with this engine but cannot run policy packs ("could not
// read plugin [policy]: not supported", measured). scripts/toolchain.sh therefore prefers a real
// pulumi-language-nodejs found on PATH and only builds this one when there is none.
//
// What it does: exactly the part of a language host that `pulumi preview/up/destroy` needs for a
// Node.js/TypeScript program. The real work happens in the @pulumi/pulumi npm package's own
// entry point (@pulumi/pulumi/cmd/run), which this host resolves from the program's node_modules and
// starts with node, passing the engine's settings as flags and the stack config as the
// PULUMI_CONFIG / PULUMI_CONFIG_SECRET_KEYS environment variables that the SDK reads. It also reports
// the resource plugins that the installed @pulumi/* packages declare (package.json "pulumi" key).
// `pulumi install` runs the package manager; RunPlugin runs policy packs. Code generation,
// conversion, packing and the `pulumi new` prompts are not implemented (Unimplemented).
//
// Written for this project against the gRPC contract in github.com/pulumi/pulumi/sdk/v3/proto/go;
// it contains no upstream host source.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
)

// version is stamped by scripts/toolchain.sh (-X main.version=...).
var version = "0.0.0-dev"

// The exit code @pulumi/pulumi's run script uses when it has already reported the error to the
// user (nodeJSProcessExitedAfterLoggingUserActionableMessage): the engine should just bail.
const exitCodeErrorAlreadyReported = 32

func main() {
	if len(os.Args) == 2 && (os.Args[1] == "--version" || os.Args[1] == "-version") {
		fmt.Println(version)
		return
	}
	// The engine starts language hosts as `pulumi-language-nodejs [flags] ENGINE_ADDRESS`. Accept
	// (and ignore) the legacy flags the upstream host takes so that older engines still work.
	flags := flag.NewFlagSet("pulumi-language-nodejs", flag.ContinueOnError)
	flags.String("tracing", "", "ignored")
	flags.String("root", "", "ignored")
	flags.String("nodeargs", "", "ignored")
	flags.Bool("typescript", true, "ignored")
	flags.Bool("logtostderr", false, "ignored")
	flags.Int("v", 0, "ignored")
	if err := flags.Parse(os.Args[1:]); err != nil {
		fail(err)
	}
	engineAddress := ""
	if args := flags.Args(); len(args) > 0 {
		engineAddress = args[0]
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Exit when the engine goes away, as the real hosts do.
	if engineAddress != "" {
		if err := rpcutil.Healthcheck(ctx, engineAddress, 5*time.Minute, cancel); err != nil {
			fail(fmt.Errorf("could not start health check of the engine: %w", err))
		}
	}
	cancelChannel := make(chan bool)
	go func() {
		<-ctx.Done()
		close(cancelChannel)
	}()

	host := &nodeHost{}
	host.setEngineAddress(engineAddress)
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancelChannel,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
	})
	if err != nil {
		fail(err)
	}
	// The engine reads the port from our first line of stdout.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: %v\n", err)
	os.Exit(1)
}

type nodeHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	mu            sync.Mutex
	engineAddress string // from the command line, or from Handshake when attached
}

func (h *nodeHost) setEngineAddress(addr string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.engineAddress = addr
}

func (h *nodeHost) getEngineAddress() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.engineAddress
}

func (h *nodeHost) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	if req.GetEngineAddress() != "" {
		h.setEngineAddress(req.GetEngineAddress())
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *nodeHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

func (h *nodeHost) About(context.Context, *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, status.Errorf(codes.FailedPrecondition, "node not found on PATH: %v", err)
	}
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		return nil, status.Errorf(codes.Internal, "node --version: %v", err)
	}
	return &pulumirpc.AboutResponse{
		Executable: node,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "v"),
	}, nil
}

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

// streamWriter sends each write to the engine.
type streamWriter func([]byte) error

func (w streamWriter) Write(p []byte) (int, error) {
	if err := w(append([]byte(nil), p...)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Run starts `node [nodeargs] <@pulumi/pulumi/cmd/run> [flags] <program> [args]` in req.Pwd and
// waits for it. Its stdout and stderr are ours, which the engine shows to the user.
func (h *nodeHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	dir := programDir(info, req.GetPwd())
	opts := info.GetOptions().AsMap()

	node, err := exec.LookPath("node")
	if err != nil {
		return &pulumirpc.RunResponse{Error: "could not find node on the $PATH: " + err.Error()}, nil
	}
	runPath, err := resolveRunScript(ctx, node, dir, "run")
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	var args []string
	if nodeargs, ok := opts["nodeargs"].(string); ok {
		args = append(args, strings.Fields(nodeargs)...)
	}
	args = append(args, runPath)
	addFlag := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name+"="+value)
		}
	}
	addFlag("monitor", req.GetMonitorAddress())
	addFlag("engine", h.getEngineAddress())
	addFlag("organization", req.GetOrganization())
	addFlag("project", req.GetProject())
	addFlag("stack", req.GetStack())
	addFlag("root-directory", info.GetRootDirectory())
	addFlag("pwd", req.GetPwd())
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	if req.GetParallel() > 0 {
		addFlag("parallel", strconv.Itoa(int(req.GetParallel())))
	}
	program := req.GetProgram()
	if program == "" {
		program = "."
	}
	args = append(args, program)
	args = append(args, req.GetArgs()...)

	env, err := programEnv(req, opts)
	if err != nil {
		return nil, err
	}

	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Dir = req.GetPwd()
	cmd.Env = env
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			if exitErr.ExitCode() == exitCodeErrorAlreadyReported {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{
				Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exitErr.ExitCode()),
			}, nil
		}
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

// resolveRunScript finds one of @pulumi/pulumi's entry points (cmd/run, cmd/run-policy-pack)
// the way Node would from programDir.
func resolveRunScript(ctx context.Context, node, programDir, entryPoint string) (string, error) {
	module := "@pulumi/pulumi/cmd/" + entryPoint
	cmd := exec.CommandContext(ctx, node, "-e", `process.stdout.write(require.resolve(process.argv[1]))`, module)
	cmd.Dir = programDir
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("it looks like the Pulumi SDK has not been installed in %s "+
			"(could not resolve %s): have you run `npm install`? (%v)", programDir, module, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// RunPlugin starts a plugin written in Node.js and streams its output to the engine, which reads
// the plugin's port from it. Only policy packs (kind "analyzer") are supported: the engine runs a
// `pulumi preview --policy-pack <dir>` pack through here, as
// `node <@pulumi/pulumi/cmd/run-policy-pack> <engine address> <pack directory>`.
func (h *nodeHost) RunPlugin(
	req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer,
) error {
	if req.GetKind() != "analyzer" {
		return status.Errorf(codes.Unimplemented, "this host runs only policy packs, not %q plugins", req.GetKind())
	}
	ctx := server.Context()
	packDir := programDir(req.GetInfo(), req.GetPwd())
	node, err := exec.LookPath("node")
	if err != nil {
		return fmt.Errorf("could not find node on the $PATH: %w", err)
	}
	script, err := resolveRunScript(ctx, node, packDir, "run-policy-pack")
	if err != nil {
		return err
	}
	args := append([]string{script}, req.GetArgs()...)
	cmd := exec.CommandContext(ctx, node, append(args, packDir)...)
	cmd.Dir = packDir
	cmd.Env = req.GetEnv()
	cmd.Stdout = streamWriter(func(b []byte) error {
		return server.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: b}})
	})
	cmd.Stderr = streamWriter(func(b []byte) error {
		return server.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: b}})
	})
	exitCode := 0
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			return err
		}
		exitCode = exitErr.ExitCode()
	}
	return server.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(exitCode)}})
}

// programEnv is our environment plus the settings @pulumi/pulumi reads from its environment.
func programEnv(req *pulumirpc.RunRequest, opts map[string]any) ([]string, error) {
	config := req.GetConfig()
	if config == nil {
		config = map[string]string{}
	}
	configJSON, err := json.Marshal(config)
	if err != nil {
		return nil, err
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, err
	}
	// Pulumi.yaml `runtime.options.typescript` defaults to true, as upstream.
	typescript := true
	if v, ok := opts["typescript"].(bool); ok {
		typescript = v
	}

	env := os.Environ()
	env = append(env,
		"PULUMI_CONFIG="+string(configJSON),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secretJSON),
		"PULUMI_NODEJS_TYPESCRIPT="+strconv.FormatBool(typescript),
	)
	if tsconfig, ok := opts["tsconfig"].(string); ok && tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+tsconfig)
	}
	return env, nil
}
