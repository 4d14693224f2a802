/**
 * Network namespaces for the backends: each backend listens on an address of its own, reached
 * from the host only through a veth pair, so a byte that arrives there went through the address
 * Traefik resolved from the EndpointSlice (nothing else routes to it, nothing listens on it on
 * the host). Needs root and iproute2.
 */
import { execFileSync } from "child_process";

/**
 * Where a test's namespaces live: the prefix of their names and interfaces (its leftovers are
 * removed by it) and the /16 their /30s come from. Test files that may run apart have their own.
 */
export interface NetnsSpace {
    prefix: string;
    /** The first two octets: `10.203`. */
    base: string;
}

/** The bytes-flow test's namespaces: tcpe2e-*, 10.203.x. */
export const BYTES_FLOW: NetnsSpace = { prefix: "tcpe2e-", base: "10.203" };

export interface Netns {
    /** Namespace name (`tcpe2e-<role>`). */
    name: string;
    /** Host end of the veth pair. */
    hostInterface: string;
    /** Host address on the pair: the source address Traefik's connections have. */
    hostAddress: string;
    /** The backend's address inside the namespace. */
    address: string;
}

function ip(...args: string[]): string {
    return execFileSync("ip", args, { encoding: "utf8", timeout: 10_000 });
}

/**
 * A namespace `<prefix><role>` (tcpe2e-<role>) joined to the host by a /30 of <base>.<subnet>.0
 * (10.203.<subnet>.0): the host gets .1, the namespace .2 (and its own loopback, for servers that
 * want one).
 */
export function createNetns(role: string, subnet: number, space: NetnsSpace = BYTES_FLOW): Netns {
    const name = `${space.prefix}${role}`;
    // Interface names are limited to 15 characters.
    const hostInterface = `${name}-h`.slice(0, 15);
    const inner = `${name}-n`.slice(0, 15);
    if (hostInterface === inner || name.length > 13) {
        throw new Error(`role name too long for interface names: ${role}`);
    }
    const netns: Netns = { name, hostInterface, hostAddress: `${space.base}.${subnet}.1`, address: `${space.base}.${subnet}.2` };
    ip("netns", "add", name);
    try {
        ip("link", "add", hostInterface, "type", "veth", "peer", "name", inner);
        ip("link", "set", inner, "netns", name);
        ip("addr", "add", `${netns.hostAddress}/30`, "dev", hostInterface);
        ip("link", "set", hostInterface, "up");
        ip("-n", name, "addr", "add", `${netns.address}/30`, "dev", inner);
        ip("-n", name, "link", "set", inner, "up");
        ip("-n", name, "link", "set", "lo", "up");
    } catch (err) {
        deleteNetns(netns);
        throw err;
    }
    return netns;
}

/** Removes a namespace and its veth pair (deleting either end deletes both). Never throws. */
export function deleteNetns(netns: Pick<Netns, "name" | "hostInterface">): void {
    for (const args of [["link", "del", netns.hostInterface], ["netns", "del", netns.name]]) {
        try {
            ip(...args);
        } catch {
            // Already gone.
        }
    }
}

/**
 * Removes what an earlier run that was killed before its cleanup left behind: the servers still
 * running in our namespaces (a namespace lives on while a process is in it), then the namespaces.
 */
export function deleteLeftovers(space: NetnsSpace = BYTES_FLOW): void {
    for (const line of ip("netns", "list").split("\n")) {
        const name = line.split(" ")[0];
        if (!name.startsWith(space.prefix)) {
            continue;
        }
        for (const pid of ip("netns", "pids", name).split("\n").filter((p) => /^\d+$/.test(p))) {
            try {
                process.kill(Number(pid), "SIGKILL");
            } catch {
                // Exited meanwhile.
            }
        }
        deleteNetns({ name, hostInterface: `${name}-h`.slice(0, 15) });
    }
}

/**
 * Connections accepted in the namespace so far (TCP PassiveOpens of its own network stack): a
 * count of what reached its server, whatever protocol the server speaks.
 */
export function passiveOpens(netns: Pick<Netns, "name">): number {
    const snmp = execFileSync("ip", ["netns", "exec", netns.name, "cat", "/proc/net/snmp"], { encoding: "utf8", timeout: 10_000 });
    const [names, values] = snmp.split("\n").filter((line) => line.startsWith("Tcp:"));
    return Number(values.split(/\s+/)[names.split(/\s+/).indexOf("PassiveOpens")]);
}
