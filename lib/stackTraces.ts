/**
 * The Pulumi SDK records a stack trace for every resource and every promise it creates. Under
 * ts-node each one is source-mapped back to TypeScript, and at hundreds of apps that mapping
 * costs more than the rendering itself (measured: 40% of `render` for 500 apps). Scripts that
 * only render use V8's plain stack format instead.
 */
export function useUnmappedStackTraces(): void {
    // Without a prepareStackTrace hook V8 formats stacks itself (the @types say it is always set).
    delete (Error as { prepareStackTrace?: unknown }).prepareStackTrace;
}
