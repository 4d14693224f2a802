/**
 * The values a user types that reach Traefik's rule language, its IP checker or the runtime: host
 * names, wildcard hosts, ALPN protocol ids, source ranges, HTTP path prefixes and image digests.
 * Each is a branded string that only its checked constructor here makes (eslint refuses an `as`
 * cast to them elsewhere), so a builder that takes one cannot be handed raw text. The config
 * schema (lib/config/primitives.ts) and the catalog's use these constructors: one grammar each.
 */
import { isIP } from "net";

declare const brand: unique symbol;
type Term<K extends string> = string & { readonly [brand]: K };

/** A DNS-1123 subdomain that is not an address: what a TLS client sends as SNI, an HTTP Host. */
export type HostName = Term<"HostName">;
/** Traefik's wildcard host: `*.` and a host name, the `*` standing for exactly one label. */
export type WildcardHost = Term<"WildcardHost">;
export type SniHost = HostName | WildcardHost;
/** A TLS ALPN protocol id, as clients send it (IANA's registry: `h2`, `postgresql`, `redis`). */
export type AlpnProtocol = Term<"AlpnProtocol">;
/** An IP address or a CIDR range as Go's net/netip parses them (Traefik's allow-lists, ClientIP, trustedIPs). */
export type SourceRange = Term<"SourceRange">;
/** An HTTP path prefix: `/` and URI path characters (unencoded) Traefik's rule language gives no meaning to. */
export type RoutePath = Term<"RoutePath">;
/** An image digest: a known algorithm and its lowercase hex of the right length. */
export type ImageDigest = Term<"ImageDigest">;

/** Why a value is refused, and what to write instead. */
export interface Refusal {
    problem: string;
    fix: string;
}

export type Checked<T> = { ok: true; value: T } | ({ ok: false } & Refusal);

const refuse = <T>(problem: string, fix: string): Checked<T> => ({ ok: false, problem, fix });
const accept = <T extends string>(text: string): Checked<T> => ({ ok: true, value: text as T });

/** Characters Traefik's rule parser gives meaning to: a value holding one could end its argument. */
export const RULE_SYNTAX = new Set(["`", '"', "'", "(", ")", ",", "&", "|", "!"]);

const isSyntax = (ch: string) => RULE_SYNTAX.has(ch) || /\s/.test(ch);

function describeChar(ch: string): string {
    if (RULE_SYNTAX.has(ch)) {
        return `${JSON.stringify(ch)}, which Traefik's rule language reads as syntax (a value with it could end its argument and add a matcher or an operator)`;
    }
    if (/\s/.test(ch)) {
        return `white space (${JSON.stringify(ch)})`;
    }
    return ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) > 0x7e ? `the character ${JSON.stringify(ch)} (outside printable ASCII)` : JSON.stringify(ch);
}

const HOST_FIX = "write a DNS name in lowercase letters, digits, '-' and '.', such as db.example.com";

export function hostName(text: string): Checked<HostName> {
    if (text === "") {
        return refuse("is empty", HOST_FIX);
    }
    // Syntax first: it is what makes a value dangerous, and what the message must say.
    const bad = [...text].find(isSyntax) ?? [...text].find((ch) => !/[a-z0-9.-]/.test(ch));
    if (bad !== undefined) {
        return /[A-Z]/.test(bad) && /^[A-Za-z0-9.-]+$/.test(text)
            ? refuse("holds uppercase letters: host names are written in lowercase (Kubernetes and the Gateway API refuse others)", `write "${text.toLowerCase()}"`)
            : refuse(`holds ${describeChar(bad)}: a host name is lowercase letters, digits, '-' and '.'`, HOST_FIX);
    }
    if (text.endsWith(".")) {
        return refuse("ends in '.': TLS clients send the name without it, so an SNI route with it matches no client", `write "${text.replace(/\.+$/, "")}"`);
    }
    if (text.length > 253) {
        return refuse(`is ${text.length} characters long, more than the 253 of a DNS name`, "use a shorter name");
    }
    const labels = text.split(".");
    const label = labels.find((l) => l === "" || l.length > 63 || l.startsWith("-") || l.endsWith("-"));
    if (label !== undefined) {
        return refuse(label === "" ? "has an empty label ('..', or a leading '.')" : label.length > 63 ? `has a label of ${label.length} characters ("${label.slice(0, 20)}..."), more than DNS's 63` : `has a label that starts or ends with '-' ("${label}")`, HOST_FIX);
    }
    if (/^[0-9]+$/.test(labels[labels.length - 1])) {
        return refuse(
            "is an IP address (or ends in an all-numeric label, which no DNS name does): TLS clients send no SNI for an address (RFC 6066), and Kubernetes and the Gateway API refuse one as a host",
            "use the DNS name clients connect to; to match every client of an entryPoint, leave host out (HostSNI(`*`))",
        );
    }
    return accept(text);
}

/** A host name, or Traefik's wildcard `*.` + host name. */
export function sniHost(text: string): Checked<SniHost> {
    const wildcard = text.startsWith("*.") && ![...text].some(isSyntax);
    if (wildcard && text.slice(2).includes("*")) {
        return refuse("has '*' other than as the whole first label: Traefik's wildcard stands for one label", 'write "*." and a host name, e.g. *.db.example.com');
    }
    if (wildcard) {
        const rest = hostName(text.slice(2));
        return rest.ok ? accept(text) : refuse(`is a wildcard whose name after '*.' ${rest.problem}`, rest.fix);
    }
    if (text.includes("*") && ![...text].some(isSyntax)) {
        return refuse("has '*' other than as the whole first label: Traefik's wildcard stands for one label", 'write "*." and a host name, e.g. *.db.example.com');
    }
    return hostName(text);
}

export function alpnProtocol(text: string): Checked<AlpnProtocol> {
    const fix = "write the protocol id clients send, e.g. postgresql or h2 (printable ASCII without quotes, parentheses, ',', '&', '|', '!' or spaces)";
    if (text.length < 1 || text.length > 255) {
        return refuse(`is ${text.length} characters long: an ALPN protocol id has 1 to 255`, fix);
    }
    const bad = [...text].find((ch) => ch.charCodeAt(0) < 0x21 || ch.charCodeAt(0) > 0x7e || RULE_SYNTAX.has(ch));
    return bad === undefined ? accept(text) : refuse(`holds ${describeChar(bad)}, which no ALPN protocol id the project can route has`, fix);
}

const RANGE_FIX = "write an address (192.0.2.10, 2001:db8::1) or a range (10.0.0.0/8, 2001:db8::/32), as Go's net/netip parses them";

/**
 * Node's isIP takes IPv4 without leading zeros and IPv6 in every form Go's netip.ParseAddr takes;
 * it also takes an IPv6 zone, which netip.ParsePrefix and Traefik's IP checker refuse.
 */
export function sourceRange(text: string): Checked<SourceRange> {
    if (/^[0-9A-Fa-f:.]+%[^/]*(\/[0-9]+)?$/.test(text)) {
        return refuse("has an IPv6 zone ('%'), which Traefik's IP checker refuses", "leave the zone out");
    }
    const bad = [...text].find((ch) => !/[0-9A-Fa-f.:/]/.test(ch));
    if (bad !== undefined) {
        return refuse(`holds ${describeChar(bad)}, which no address or range has`, RANGE_FIX);
    }
    const [address, bits, extra] = text.split("/");
    if (extra !== undefined) {
        return refuse("has more than one '/'", RANGE_FIX);
    }
    const family = isIP(address);
    if (family === 0) {
        return /^[0-9.]+$/.test(address) && address.split(".").some((o) => /^0[0-9]/.test(o))
            ? refuse("has an IPv4 part with a leading zero, which Go reads as an error (not octal, not decimal)", `write "${address.split(".").map((o) => String(Number(o))).join(".")}${bits === undefined ? "" : `/${bits}`}"`)
            : refuse("is not an IP address or CIDR range", RANGE_FIX);
    }
    const max = family === 4 ? 32 : 128;
    if (bits !== undefined && (!/^(0|[1-9][0-9]{0,2})$/.test(bits) || Number(bits) > max)) {
        return refuse(`has the prefix length "/${bits}": an IPv${family} prefix is 0 to ${max}, in decimal without leading zeros`, RANGE_FIX);
    }
    return accept(text);
}

export function routePath(text: string): Checked<RoutePath> {
    const fix = "write a path prefix starting with '/', in URI path characters (letters, digits, '-', '.', '_', '~', '/', ':', '@', '$', '*', '+', ';', '='), unencoded";
    if (!text.startsWith("/")) {
        return refuse("does not start with '/'", fix);
    }
    if (text.includes("%")) {
        // Traefik matches PathPrefix against the path with its escapes decoded: an escape in the rule matches nothing.
        return refuse("holds '%': Traefik compares a path prefix with the request's decoded path, so an escape in it never matches", fix);
    }
    const bad = [...text].find((ch) => !/[A-Za-z0-9\-._~$*+;=:@/]/.test(ch));
    return bad === undefined ? accept(text) : refuse(`holds ${describeChar(bad)}`, fix);
}

/** Hex digits each digest algorithm the OCI image spec registers takes. */
const DIGEST_HEX: Record<string, number> = { sha256: 64, sha512: 128 };

export function imageDigest(text: string): Checked<ImageDigest> {
    const fix = "write sha256:<64 lowercase hex digits> (or sha512:<128>), as `docker buildx imagetools inspect` prints it";
    const colon = text.indexOf(":");
    const [algorithm, hex] = colon < 0 ? [text, ""] : [text.slice(0, colon), text.slice(colon + 1)];
    const length = DIGEST_HEX[algorithm];
    if (colon < 0 || !Object.hasOwn(DIGEST_HEX, algorithm)) {
        return refuse(colon < 0 ? "has no algorithm (sha256:...)" : `names the algorithm "${algorithm}", which is none of ${Object.keys(DIGEST_HEX).join(", ")}`, fix);
    }
    if (/^[0-9a-fA-F]*$/.test(hex) && /[A-F]/.test(hex)) {
        return refuse("holds uppercase hex digits: a digest is written in lowercase", `write "${algorithm}:${hex.toLowerCase()}"`);
    }
    if (!/^[0-9a-f]*$/.test(hex)) {
        return refuse(`holds ${describeChar([...hex].find((ch) => !/[0-9a-f]/.test(ch)) ?? "")} after "${algorithm}:", where only hex digits go`, fix);
    }
    return hex.length === length ? accept(text) : refuse(`has ${hex.length} hex digits after "${algorithm}:", which takes ${length}`, fix);
}

/** A value the program itself writes (tests, defaults): refused values are a bug, thrown. */
export function known<T>(check: (text: string) => Checked<T>, text: string): T {
    const checked = check(text);
    if (!checked.ok) {
        throw new Error(`${JSON.stringify(text)} ${checked.problem}`);
    }
    return checked.value;
}
