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
	"flag"
	"fmt"
	"os"
	"os/exec"
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
