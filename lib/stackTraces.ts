/**
 * The Pulumi SDK records a stack trace for every resource and every promise it creates. Under
 * ts-node each one is source-mapped back to TypeScript, and at hundreds of apps that mapping
 * costs more than the rendering itself (measured: 40% of `render` for 500 apps, and 60% of
 * evaluating the program in a no-op `pulumi up` of 50 apps).
 */

// V8's CallSite formats itself as one "at" line of a stack; @types/node leaves toString out.
type CallSite = NodeJS.CallSite & { toString(): string };
type PrepareStackTrace = (error: Error, frames: CallSite[]) => unknown;
/** Error's hook as a plain function-valued property (the @types declare it as a method). */
export type ErrorWithHook = { prepareStackTrace?: PrepareStackTrace };

/** The format V8 uses when no hook is installed: what an unmapped `error.stack` reads. */
function plainStack(error: Error, frames: CallSite[]): string {
    const header = error.message ? `${error.name}: ${error.message}` : error.name;
    return [header, ...frames.map((frame) => `    at ${frame.toString()}`)].join("\n");
}

/** Scripts that only render use V8's plain stack format for every stack. */
export function useUnmappedStackTraces(): void {
    // Without a prepareStackTrace hook V8 formats stacks itself (the @types say it is always set).
    delete (Error as ErrorWithHook).prepareStackTrace;
}

/**
 * For `pulumi up/preview`: the promise traces the SDK keeps only for its leak report stay
 * unmapped; every other stack (errors users read, resources' source positions) is still mapped
 * to TypeScript lines.
 */
export function skipSourceMapsForPromiseTraces(): void {
    const hooks = Error as ErrorWithHook;
    const mapped = hooks.prepareStackTrace;
    if (!mapped) {
        return;
    }
    hooks.prepareStackTrace = (error, frames) =>
        frames[0]?.getFunctionName() === "debuggablePromise" ? plainStack(error, frames) : mapped(error, frames);
}
