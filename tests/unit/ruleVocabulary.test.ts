/**
 * No value a user types can add a matcher or an operator to a Traefik rule (issue 21): for
 * generated adversarial strings of each kind, either the vocabulary refuses the value (with a
 * problem and a fix), or the rule the one builder renders holds exactly one quoted argument per
 * value, and reading it back (tests/support/ruleParser.ts) gives the value.
 */
import { strict as assert } from "assert";
import fc from "fast-check";
import { alpnMatcher, clientIpMatcher, httpRule, tcpRule } from "../../lib/plan/matchers";
import { chartProfile } from "../../lib/traefik/profile";
import { alpnProtocol, Checked, hostName, imageDigest, known, routePath, sniHost, sourceRange } from "../../lib/vocabulary";
import { hostOf, matchersOf } from "../support/ruleParser";
import { devWith, problemsOf } from "../support/helpers";

// Chart 26: Traefik v2 (HostSNIRegexp templates); 30: v3 before 3.7 (regexps); 41: HostSNI(`*.x`).
const profiles = ["26.0.0", "30.0.0", "41.3.0"].map(chartProfile);
const runs = { seed: 21, numRuns: 1500 };

// What an attacker reaches for: the rule language's syntax, white space, and bits of valid values.
const syntax = ["`", '"', "'", "(", ")", ",", "&&", "||", "!", " ", "\t", "\n", "\r", "\\", "$", "{", "}", "[", "]", "^", "%", "/", ":", "*", ".", "-", "_", "~", "@"];
const pieces = [...syntax, "a", "z", "0", "9", "A", "db", "example", "com", "HostSNI", "ALPN", "ClientIP", "Host", "PathPrefix", "10", "255", "::", "ff", "sha256", "é", "\u0000"];
const injections = ["`) || HostSNI(`*", "`) || ALPN(`h2", "`, `*", '") || HostSNI("*', "`)||!HostSNI(`x", "`) && ClientIP(`0.0.0.0/0", "/`) || PathPrefix(`/"];
const adversarial = fc.oneof(
    fc.array(fc.constantFrom(...pieces), { maxLength: 12 }).map((p) => p.join("")),
    fc.string({ maxLength: 40 }),
    fc.tuple(fc.constantFrom("db.example.com", "*.db.example.com", "h2", "10.0.0.0/8", "/api", "2001:db8::/32"), fc.constantFrom(...injections), fc.constantFrom("", "db.example.com", "`", ")")).map((t) => t.join("")),
    fc.domain(),
    fc.domain().map((d) => `*.${d}`),
    fc.ipV4().chain((ip) => fc.integer({ min: 0, max: 40 }).map((bits) => `${ip}/${bits}`)),
    fc.ipV6(),
    fc.ipV4Extended(),
);

// How many generated values each property accepted: a property that refuses everything proves nothing.
let accepted = 0;

/** Either refused with a problem and a fix, or accepted and checked by `then`. */
function refusedOr<T>(checked: Checked<T>, then: (value: T) => void): void {
    accepted += checked.ok ? 1 : 0;
    if (!checked.ok) {
        assert.ok(checked.problem.length > 0 && checked.fix.length > 0, "a refusal names the problem and the fix");
        return;
    }
    then(checked.value);
}

describe("rule vocabulary: no value adds a matcher or an operator", () => {
    beforeEach(() => { accepted = 0; });
    afterEach(function () {
        if (this.currentTest?.title.includes("refused, or") && this.currentTest.state === "passed") {
            assert.ok(accepted >= runs.numRuns / 10, `only ${accepted} generated values were accepted`);
        }
    });

    it("the reader sees an injected matcher when a value is pasted in unchecked (so the properties below can fail)", () => {
        const pasted = `HostSNI(\`${"db.example.com`) || HostSNI(`*"}\`)`;
        assert.deepEqual(matchersOf(pasted).map((m) => m.args[0]), ["db.example.com", "*"]);
    });

    it("SNI hosts: refused, or one HostSNI/HostSNIRegexp whose argument reads back as the host, on every chart line", () => {
        fc.assert(fc.property(adversarial, (text) => refusedOr(sniHost(text), (host) => {
            for (const profile of profiles) {
                const matchers = matchersOf(tcpRule(host, undefined, profile));
                assert.equal(matchers.length, 1, tcpRule(host, undefined, profile));
                assert.equal(matchers[0].args.length, 1);
                assert.equal(hostOf(matchers[0]), text);
            }
        })), runs);
    });

    it("ALPN protocols: refused, or exactly one argument per protocol, read back in order, beside the host", () => {
        fc.assert(fc.property(fc.array(adversarial, { minLength: 1, maxLength: 3 }), (texts) => {
            const checked = texts.map(alpnProtocol);
            const protocols = checked.flatMap((c) => (c.ok ? [c.value] : []));
            checked.forEach((c) => refusedOr(c, () => undefined));
            if (protocols.length === 0) {
                return;
            }
            for (const profile of profiles) {
                const rule = tcpRule(known(sniHost, "db.example.com"), protocols, profile);
                const matchers = matchersOf(rule);
                assert.deepEqual(matchers.filter((m) => m.name !== "ALPN").map(hostOf), ["db.example.com"], rule);
                assert.deepEqual(matchers.filter((m) => m.name === "ALPN").flatMap((m) => m.args), protocols, rule);
                assert.equal(matchers.length, 1 + (profile.traefikMajor === 2 ? 1 : protocols.length), rule);
                assert.deepEqual(matchersOf(alpnMatcher(protocols, profile)).flatMap((m) => m.args), protocols);
            }
        }), runs);
    });

    it("source ranges: refused, or one ClientIP per range, read back as written", () => {
        fc.assert(fc.property(fc.array(adversarial, { minLength: 1, maxLength: 3 }), (texts) => {
            const checked = texts.map(sourceRange);
            checked.forEach((c) => refusedOr(c, () => undefined));
            const ranges = checked.flatMap((c) => (c.ok ? [c.value] : []));
            if (ranges.length > 0) {
                const matchers = matchersOf(clientIpMatcher(ranges));
                assert.deepEqual(matchers.map((m) => [m.name, m.args]), ranges.map((r) => ["ClientIP", [r]]));
            }
        }), runs);
    });

    it("HTTP hosts and paths: refused, or exactly Host(host) && PathPrefix(path)", () => {
        fc.assert(fc.property(adversarial, adversarial.map((p) => `/${p}`), (hostText, pathText) => {
            refusedOr(hostName(hostText), (host) => refusedOr(routePath(pathText), (path) => {
                assert.deepEqual(matchersOf(httpRule(host, path)), [{ name: "Host", args: [hostText] }, { name: "PathPrefix", args: [pathText] }]);
            }));
        }), runs);
    });

    it("image digests: refused, or a known algorithm with exactly its lowercase hex length", () => {
        const exact = fc.constantFrom(["sha256", 64] as const, ["sha512", 128] as const).chain(([a, n]) => fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: n, maxLength: n }).map((h) => `${a}:${h}`));
        const digests = fc.oneof(adversarial, exact, exact, fc.tuple(fc.constantFrom("sha256", "sha512", "md5", "SHA256", "sha384"), fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEFg"), minLength: 60, maxLength: 130 })).map(([a, h]) => `${a}:${h}`));
        fc.assert(fc.property(digests, (text) => refusedOr(imageDigest(text), () => {
            assert.match(text, /^(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$/);
        })), runs);
    });

    it("accepts the forms users write, as Go's net/netip and DNS take them", () => {
        for (const ok of ["10.0.0.0/8", "192.0.2.10", "0.0.0.0/0", "2001:db8::/32", "::1", "::", "::ffff:192.0.2.1", "fe80::/10", "1:2:3:4:5:6:7:8/128"]) {
            assert.ok(sourceRange(ok).ok, ok);
        }
        for (const bad of ["010.0.0.1", "10.0.0.0/33", "10.0.0.0/08", "fe80::1%eth0", "1.2.3", "::/129", "10.0.0.0/+8", "1::2::3"]) {
            assert.ok(!sourceRange(bad).ok, bad);
        }
        for (const ok of ["db.example.com", "*.db.example.com", "a", "x-1.example"]) {
            assert.ok(sniHost(ok).ok, ok);
        }
        for (const bad of ["Db.example.com", "db.example.com.", "10.0.0.1", "db..example.com", "-db.example.com", "*.*.example.com", "db.*.com", `${"a".repeat(64)}.com`]) {
            assert.ok(!sniHost(bad).ok, bad);
        }
        assert.ok(alpnProtocol("http/1.1").ok && alpnProtocol("postgresql").ok && !alpnProtocol("h2`").ok && !alpnProtocol("").ok);
        assert.ok(imageDigest(`sha256:${"a".repeat(64)}`).ok && !imageDigest(`sha256:${"a".repeat(63)}`).ok && !imageDigest(`sha512:${"a".repeat(64)}`).ok);
    });

    it("refuses the issue's host, which would make db's websecure route match every TLS client, saying why and what to write", () => {
        const problems = problemsOf(devWith((v) => { v.apps.db.host = "db.dev.example.com`) || HostSNI(`*"; }));
        assert.deepEqual(problems, [
            'tcp-platform:apps.db.host: holds "`", which Traefik\'s rule language reads as syntax (a value with it could end its argument and add a matcher or an operator): a host name is lowercase letters, digits, \'-\' and \'.\' (got "db.dev.example.com`) || HostSNI(`*"). Fix: write a DNS name in lowercase letters, digits, \'-\' and \'.\', such as db.example.com',
        ]);
    });
});
