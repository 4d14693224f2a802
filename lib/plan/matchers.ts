/**
 * The one writer of Traefik's rule language and of the Gateway API's hostnames. Every argument is
 * a checked value of lib/vocabulary.ts (or text derived here from one), none of which can hold a
 * backtick or another character the rule parser reads as syntax: no value adds a matcher or an
 * operator. The chart line decides the spelling (Traefik v2 or v3).
 */
import type { ChartProfile } from "../traefik/profile";
import type { AlpnProtocol, HostName, RoutePath, SniHost, SourceRange, WildcardHost } from "../vocabulary";

/** Matchers the program writes: TCP (HostSNI, HostSNIRegexp, ALPN, ClientIP) and HTTP (Host, PathPrefix). */
type MatcherName = "HostSNI" | "HostSNIRegexp" | "ALPN" | "ClientIP" | "Host" | "PathPrefix";

// Backticks: a raw string to Traefik's parser, whose only end is the next backtick.
function matcher(name: MatcherName, ...args: string[]): string {
    return `${name}(${args.map((a) => `\`${a}\``).join(", ")})`;
}

export function isWildcard(host: SniHost): host is WildcardHost {
    return host.startsWith("*.");
}

/** The host part of a TCP rule: HostSNI (every client without a host), or for a wildcard what the chart line's Traefik takes. */
export function sniMatcher(host: SniHost | undefined, profile: ChartProfile): string {
    if (host === undefined || !isWildcard(host)) {
        return matcher("HostSNI", host ?? "*");
    }
    // A host name's characters are [a-z0-9.-]: only '.' means something in a regular expression.
    const rest = host.slice(2);
    switch (profile.sniWildcard) {
        case "HostSNI":
            return matcher("HostSNI", host);
        case "HostSNIRegexp-v3":
            return matcher("HostSNIRegexp", `(?i)^[^.]+\\.${rest.replace(/\./g, "\\.")}$`);
        case "HostSNIRegexp-v2":
            // Traefik v2's template syntax: {name:pattern}, the literal parts quoted by Traefik.
            return matcher("HostSNIRegexp", `{subdomain:[^.]+}.${rest}`);
    }
}

/** The ALPN part: one matcher of several protocols on v2, one matcher per protocol on v3. */
export function alpnMatcher(protocols: readonly AlpnProtocol[], profile: ChartProfile): string {
    if (profile.traefikMajor === 2 || protocols.length === 1) {
        return matcher("ALPN", ...protocols);
    }
    return `(${protocols.map((p) => matcher("ALPN", p)).join(" || ")})`;
}

/** Clients by address: ClientIP of an address or range, one matcher per range (v2 and v3 alike). */
export function clientIpMatcher(ranges: readonly SourceRange[]): string {
    return ranges.length === 1 ? matcher("ClientIP", ranges[0]) : `(${ranges.map((r) => matcher("ClientIP", r)).join(" || ")})`;
}

/** A TCP route's rule: its host (or every client) and, with TLS, its ALPN protocols. */
export function tcpRule(host: SniHost | undefined, alpn: readonly AlpnProtocol[] | undefined, profile: ChartProfile): string {
    return [sniMatcher(host, profile), ...(alpn && alpn.length > 0 ? [alpnMatcher(alpn, profile)] : [])].join(" && ");
}

export function hostMatcher(host: HostName): string {
    return matcher("Host", host);
}

/** An HTTP route's rule: its host, if any, and its path prefix. */
export function httpRule(host: HostName | undefined, path: RoutePath): string {
    return host ? `${hostMatcher(host)} && ${matcher("PathPrefix", path)}` : matcher("PathPrefix", path);
}

/** A Gateway listener's or TLSRoute's hostnames: the Gateway API takes the same host and `*.` forms. */
export function gatewayHostnames(host: SniHost | undefined): SniHost[] {
    return host === undefined ? [] : [host];
}
