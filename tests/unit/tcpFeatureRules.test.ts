/** Issue 15's rules, each with a failing config and its exact message. */
import { strict as assert } from "assert";
import { Catalog } from "../../lib/catalog";
import { projectCatalog } from "../../lib/config/catalogFiles";
import { devWith, problemsOf } from "../support/helpers";

/** Validation's problems for dev changed by `change` (dbPassword, when set, a secret), each as formatted. */
function refused(change: (v: Record<string, any>) => void): string[] {
    const raw = devWith(change);
    raw.secretKeys.add("dbPassword");
    return problemsOf(raw);
}

const dns = { entryPoint: { name: "dns", port: 5353, nodePort: 30053 } };
const prodPair = (v: Record<string, any>) => {
    v.apps.db = { host: "db.example.com", tls: { passthrough: true, certificate: { secretName: "db-tls" } } };
    v.apps.cache = { host: "cache.example.com", tls: { passthrough: true, certificate: { secretName: "cache-tls" } } };
    v.dbPassword = "x";
};

describe("TCP feature rules", () => {
    describe("who may connect", () => {
        it("accepts addresses and ranges, refuses what is neither", () => {
            assert.deepEqual(refused((v) => { v.apps["tcp-demo"].ipAllowList = ["10.0.0.0/8", "192.0.2.1", "2001:db8::/32"]; v.apps["tcp-demo"].maxConnections = 5; }), []);
            assert.deepEqual(refused((v) => { v.apps["tcp-demo"].ipAllowList = ["10.0.0.0/33"]; }), [
                `tcp-platform:apps.tcp-demo.ipAllowList[0]: has the prefix length "/33": an IPv4 prefix is 0 to 32, in decimal without leading zeros (got "10.0.0.0/33"). Fix: write an address (192.0.2.10, 2001:db8::1) or a range (10.0.0.0/8, 2001:db8::/32), as Go's net/netip parses them`,
            ]);
            assert.deepEqual(refused((v) => { v.apps["tcp-demo"].maxConnections = 0; }), [
                "tcp-platform:apps.tcp-demo.maxConnections: must be >=1 (got 0). Fix: bring it within that range",
            ]);
        });

        it("refuses middlewares on UDP and HTTP apps, which Traefik cannot give them", () => {
            assert.deepEqual(refused((v) => { v.apps["dns-demo"] = { ...dns, ipAllowList: ["10.0.0.0/8"], maxConnections: 3 }; }), [
                'tcp-platform:apps.dns-demo.ipAllowList: does not apply to the UDP app dns-demo: Traefik has no UDP middlewares (got ["10.0.0.0/8"]). Fix: remove it',
                "tcp-platform:apps.dns-demo.maxConnections: does not apply to the UDP app dns-demo: Traefik has no UDP middlewares, and UDP has no connections (got 3). Fix: remove it",
            ]);
            assert.deepEqual(refused((v) => { v.apps["hello-api"].ipAllowList = ["10.0.0.0/8"]; }), [
                'tcp-platform:apps.hello-api.ipAllowList: does not apply to the HTTP app hello-api: it is a TCP middleware, and HTTP apps are routed by an IngressRoute on web (got ["10.0.0.0/8"]). Fix: remove it',
            ]);
        });
    });

    describe("PROXY protocol", () => {
        it("accepts headers only on an entryPoint the app declares", () => {
            assert.deepEqual(refused((v) => { prodPair(v); v.apps.db.entryPoint = { name: "websecure", proxyProtocol: { trustedIPs: ["10.0.0.0/8"] } }; }), [
                'tcp-platform:apps.db.entryPoint.proxyProtocol: only applies to an entryPoint this app declares (got {"trustedIPs":["10.0.0.0/8"]}). Fix: add entryPoint.port to declare "websecure", or remove proxyProtocol',
            ]);
        });

        it("refuses it on a UDP app, and versions other than 1 and 2", () => {
            assert.deepEqual(refused((v) => { v.apps["dns-demo"] = { entryPoint: { ...dns.entryPoint, proxyProtocol: { trustedIPs: ["10.0.0.0/8"] } }, proxyProtocol: { version: 2 } }; }), [
                "tcp-platform:apps.dns-demo.proxyProtocol: does not apply to the UDP app dns-demo: Traefik speaks the PROXY protocol on TCP only (got {\"version\":2}). Fix: remove it",
                "tcp-platform:apps.dns-demo.entryPoint.proxyProtocol: does not apply to the UDP app dns-demo: Traefik speaks the PROXY protocol on TCP only (got {\"trustedIPs\":[\"10.0.0.0/8\"]}). Fix: remove it",
            ]);
            assert.match(refused((v) => { v.apps["tcp-demo"].proxyProtocol = { version: 3 }; })[0], /^tcp-platform:apps\.tcp-demo\.proxyProtocol\.version: /);
        });
    });

    describe("graceful shutdown", () => {
        it("refuses a pod grace period shorter than Traefik's shutdown", () => {
            assert.deepEqual(refused((v) => { v.traefik.gracePeriod = { graceTimeOut: "1m", requestAcceptGraceTimeout: 10, terminationGracePeriodSeconds: 60 }; }), [
                "tcp-platform:traefik.gracePeriod.terminationGracePeriodSeconds: is shorter than Traefik's shutdown: a 5 s preStop drain, then 10 s accepting (requestAcceptGraceTimeout) " +
                "and 60 s serving open connections (graceTimeOut); Kubernetes would kill Traefik while it still serves them (got 60). Fix: set it to at least 75, or leave it out (80)",
            ]);
            assert.deepEqual(refused((v) => { v.traefik.gracePeriod = { graceTimeOut: "1m", requestAcceptGraceTimeout: 10, terminationGracePeriodSeconds: 75 }; }), []);
        });

        it("refuses what is not a duration", () => {
            assert.deepEqual(refused((v) => { v.traefik.gracePeriod = { graceTimeOut: "30 seconds" }; }), [
                `tcp-platform:traefik.gracePeriod.graceTimeOut: is not a duration (got "30 seconds"). Fix: write whole seconds (30) or a duration in Go's syntax, as Traefik takes it: "30s", "1m30s", "500ms", "1h"`,
            ]);
        });
    });

    describe("SNI matching", () => {
        it("refuses overlapping hosts on one entryPoint, unless ALPN tells them apart", () => {
            assert.deepEqual(refused((v) => { prodPair(v); v.apps.db.host = "*.example.com"; }), [
                'tcp-platform:apps.cache.host: overlaps app db\'s host *.example.com on "websecure": a client would match both routes, and Traefik would pick one by the length of its rule, not by intent ' +
                '(got "cache.example.com"). Fix: use host names that no other app\'s pattern covers on this entryPoint, or set alpn to tell them apart',
            ]);
            assert.deepEqual(refused((v) => { prodPair(v); v.apps.cache.host = "db.example.com"; v.apps.db.alpn = ["postgresql"]; v.apps.cache.alpn = ["redis", "postgresql"]; }), [
                'tcp-platform:apps.cache.host: is already routed on "websecure" by app db (ALPN postgresql on both) (got "db.example.com"). Fix: use a different host name, or ALPN protocols of its own',
            ]);
            assert.deepEqual(refused((v) => { prodPair(v); v.apps.cache.host = "db.example.com"; v.apps.db.alpn = ["postgresql"]; v.apps.cache.alpn = ["redis"]; }), []);
            assert.deepEqual(refused((v) => { prodPair(v); v.apps.db.host = "*.db.example.com"; v.apps.cache.host = "*.cache.example.com"; }), []);
        });

        it("takes one wildcard label, and refuses wildcards where Traefik has none", () => {
            assert.match(refused((v) => { prodPair(v); v.apps.db.host = "*.*.example.com"; })[0], /^tcp-platform:apps\.db\.host: has '\*' other than as the whole first label: Traefik's wildcard stands for one label \(got "\*\.\*\.example\.com"\)/);
            assert.deepEqual(refused((v) => { v.apps["hello-api"].host = "*.example.com"; }), [
                'tcp-platform:apps.hello-api.host: is a wildcard, which Traefik\'s HTTP Host() rule does not take (got "*.example.com"). Fix: use a host name such as hello.example.com',
            ]);
        });

        it("refuses ALPN without TLS, on which a client sends none", () => {
            assert.deepEqual(refused((v) => { v.apps["tcp-demo"].alpn = ["echo"]; }), [
                'tcp-platform:apps.tcp-demo.alpn: needs TLS: Traefik reads ALPN from the TLS ClientHello, which a plain-TCP client does not send (got ["echo"]). ' +
                "Fix: add tls: {passthrough: true, certificate: ...} or tls: {secretName: ...}, or remove alpn",
            ]);
        });
    });

    describe("TLS options", () => {
        it("refuses them with passthrough, where Traefik negotiates nothing", () => {
            assert.deepEqual(refused((v) => { prodPair(v); v.apps.db.tls.options = { minVersion: "1.3" }; }), [
                'tcp-platform:apps.db.tls.options: does not apply with passthrough: Traefik hands the TLS stream to the app unopened and negotiates nothing (got {"minVersion":"1.3"}). ' +
                "Fix: set the TLS version and client certificates in db's own server, or let Traefik terminate TLS: tls: {secretName: <kubernetes.io/tls Secret>, options: ...}",
            ]);
        });

        it("requires the CA Secrets where client certificates are verified", () => {
            assert.deepEqual(refused((v) => { prodPair(v); v.apps.cache.tls = { secretName: "cache-tls", options: { clientAuth: {} } }; }), [
                "tcp-platform:apps.cache.tls.options.clientAuth.secretNames: is required with mode RequireAndVerifyClientCert: Traefik verifies client certificates against the CAs these Secrets hold (got nothing). " +
                "Fix: name Secrets in backend that hold the CA as ca.crt (or tls.ca), e.g. secretNames: [cache-client-ca]",
            ]);
            assert.deepEqual(refused((v) => { prodPair(v); v.apps.cache.tls = { secretName: "cache-tls", options: { clientAuth: { mode: "RequireAnyClientCert" } } }; }), []);
            assert.match(refused((v) => { prodPair(v); v.apps.cache.tls = { secretName: "cache-tls", options: { minVersion: "1.4" } }; })[0],
                /^tcp-platform:apps\.cache\.tls\.options\.minVersion: is not a TLS version \(got "1\.4"\)\. Fix: use one of "1\.0", "1\.1", "1\.2", "1\.3" \(or Traefik's VersionTLS10, VersionTLS11, VersionTLS12, VersionTLS13\)$/);
        });
    });

    describe("canary", () => {
        it("refuses a canary of a database, of an HTTP app, and one that changes nothing", () => {
            assert.deepEqual(refused((v) => { v.apps["mysql-demo"].canary = { newTag: "8.4.4", weight: 10 }; }), [
                'tcp-platform:apps.mysql-demo.canary: is refused for mysql-demo, which keeps data: a second workload would be a second, empty database behind the same route (got {"newTag":"8.4.4","weight":10}). ' +
                "Fix: roll the new tag out through images (one primary), or remove canary",
            ]);
            assert.deepEqual(refused((v) => { v.apps["hello-api"].canary = { newTag: "v2", weight: 10 }; }), [
                "tcp-platform:apps.hello-api.canary: does not apply to the HTTP app hello-api: the canary splits connections of a TCP or UDP route; an HTTP app's IngressRoute splits requests " +
                '(got {"newTag":"v2","weight":10}). Fix: remove it',
            ]);
            assert.deepEqual(refused((v) => { v.apps["tcp-demo"].canary = { newTag: "1.0", weight: 10 }; }), [
                'tcp-platform:apps.tcp-demo.canary.newTag: is the tag tcp-demo already runs (iceymoss/tcp-echo:1.0): the canary would change nothing (got "1.0"). Fix: set the tag to try',
            ]);
            assert.match(refused((v) => { v.apps["tcp-demo"].canary = { newTag: "1.1", weight: 101 }; })[0], /^tcp-platform:apps\.tcp-demo\.canary\.weight: must be <=100 \(got 101\)/);
        });
    });

    describe("UDP apps", () => {
        it("need an entryPoint of their own", () => {
            assert.deepEqual(refused((v) => { v.apps["dns-demo"] = {}; }), [
                "tcp-platform:apps.dns-demo.entryPoint: is required: UDP app dns-demo needs an entryPoint of its own (got nothing). Fix: add entryPoint: {name: <name>, port: <1024-65535>, nodePort: <30000-32767>}",
            ]);
            assert.deepEqual(refused((v) => { v.apps["dns-demo"] = dns; v.apps.cache = { entryPoint: { name: "dns" }, host: "cache.example.com", tls: { passthrough: true, certificate: { secretName: "cache-tls" } } }; }), [
                'tcp-platform:apps.cache.entryPoint.name: is app dns-demo\'s UDP entryPoint: a TCP route cannot bind to it (got "dns"). Fix: give this app a TCP entryPoint',
            ]);
            assert.deepEqual(refused((v) => { v.apps["dns-demo"] = { entryPoint: { name: "mytcp" } }; }), [
                'tcp-platform:apps.dns-demo.entryPoint.name: is not a UDP entryPoint of dns-demo\'s own: UDP has no host name to tell routes apart, so one UDP entryPoint serves one app (got "mytcp"). ' +
                "Fix: declare an entryPoint of its own: entryPoint: {name: <name>, port: <1024-65535>, nodePort: <30000-32767>}",
            ]);
        });

        it("share a number with a TCP entryPoint, never with another UDP one", () => {
            // tcp-demo's entryPoint is TCP 9999, NodePort 30999.
            assert.deepEqual(refused((v) => { v.apps["dns-demo"] = { entryPoint: { name: "dns", port: 9999, nodePort: 30999 } }; }), []);
            const catalog = projectCatalog();
            const twoUdp: Catalog = { ...catalog, "dns-two": { ...catalog["dns-demo"], deploymentName: "dns-two", stem: "dns2", selector: { app: "dns2" } } };
            const both = devWith((v) => { v.apps["dns-demo"] = { entryPoint: { name: "dns", port: 5353, nodePort: 30053 } }; v.apps["dns-two"] = { entryPoint: { name: "dns2", port: 5353, nodePort: 30053 } }; });
            assert.deepEqual(problemsOf(both, twoUdp), [
                'tcp-platform:apps.dns-two.entryPoint.port: is already used by app dns-demo\'s entryPoint "dns" (got 5353). Fix: choose a free port',
                "tcp-platform:apps.dns-two.entryPoint.nodePort: is already the NodePort of app dns-demo (got 30053). Fix: choose a free NodePort",
            ]);
        });

        it("take no host, TLS or ALPN", () => {
            assert.deepEqual(refused((v) => { v.apps["dns-demo"] = { entryPoint: { name: "dns", port: 5353, nodePort: 30053 }, host: "dns.example.com" }; }), [
                'tcp-platform:apps.dns-demo.host: does not apply to the UDP app dns-demo: a datagram carries no TLS handshake, so there is no host name to match (got "dns.example.com"). Fix: remove it',
            ]);
        });
    });
});
