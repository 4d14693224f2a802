/**
 * A stateful app's claims against what the cluster holds: claims grow only where their class
 * allows, never shrink, never change class, and do not stay behind in another namespace.
 */
import { LiveMeta, LiveRead, objectKey } from "./cluster";
import { PlatformPlan } from "../model";
import { parseQuantity } from "../quantity";
import { PROJECT } from "../constants";
import { Problem } from "../problems";

/** What the storage checks read of the cluster (LiveFacts holds it). */
export interface StorageFacts {
    objects: Map<string, LiveRead>;
    /** The StorageClasses of existing claims the plan would grow. */
    storageClasses: Map<string, LiveRead>;
    /** The stack's claims, wherever they are. */
    ownClaims: LiveMeta[];
}

/** Each planned claim that exists, with what it holds now and whether the plan grows it. */
export function liveClaims(plan: PlatformPlan, objects: Map<string, LiveRead>) {
    return plan.apps.flatMap(({ namespace, storage }) => (storage?.claims ?? []).flatMap((name) => {
        const live = objects.get(objectKey({ kind: "PersistentVolumeClaim", namespace, name }));
        if (!storage || typeof live !== "object" || !live.claim?.size) {
            return [];
        }
        const [wanted, now] = [parseQuantity(storage.size)!, parseQuantity(live.claim.size)!];
        return [{ name, storage, live: { size: live.claim.size, storageClass: live.claim.storageClass }, grows: wanted > now, shrinks: wanted < now }];
    }));
}

/**
 * Claims can grow only where their class allows it, never shrink, and never change class: refused
 * at preview with what to do, instead of an update that fails half-way.
 */
export function storageProblems(plan: PlatformPlan, facts: StorageFacts): Problem[] {
    return [...movedClaims(plan, facts), ...liveClaims(plan, facts.objects).flatMap(({ name, storage, live, grows, shrinks }) => {
        const problems: Problem[] = [];
        if (storage.storageClass !== undefined && live.storageClass !== undefined && storage.storageClass !== live.storageClass) {
            problems.push({
                path: storage.paths.storageClass, value: storage.storageClass,
                problem: `differs from the class of claim ${name} (${live.storageClass}), and a claim keeps its class`,
                fix: `keep ${live.storageClass}; moving the data to another class means a new claim: dump the database, remove its claim, up, restore`,
            });
        }
        if (shrinks) {
            problems.push({
                path: storage.paths.size, value: storage.size,
                problem: `is smaller than claim ${name} (${live.size}), and Kubernetes cannot shrink a claim`,
                fix: `keep ${live.size} or more`,
            });
        }
        const storageClass = live.storageClass ? facts.storageClasses.get(live.storageClass) : undefined;
        if (grows && !(typeof storageClass === "object" && storageClass.allowVolumeExpansion)) {
            problems.push({
                path: storage.paths.size, value: storage.size,
                problem: `would grow claim ${name} from ${live.size}, but its StorageClass ${live.storageClass ?? "(none)"} does not allow volume expansion`,
                fix: `keep ${live.size}; or, where the class's provisioner can grow volumes, set allowVolumeExpansion: true on StorageClass ${live.storageClass ?? ""} first (kubectl patch storageclass ${live.storageClass ?? "<class>"} -p '{"allowVolumeExpansion": true}')`,
            });
        }
        return problems;
    })];
}

/**
 * A stateful app whose namespace changes (namespaceSuffix) would start with empty claims while its
 * data stays in the claims of the old namespace: refused, not silently lost.
 */
function movedClaims(plan: PlatformPlan, facts: Pick<StorageFacts, "objects" | "ownClaims">): Problem[] {
    return plan.apps.flatMap((app) => (app.storage?.claims ?? []).flatMap((name) => {
        const here = facts.objects.get(objectKey({ kind: "PersistentVolumeClaim", namespace: app.namespace, name }));
        const elsewhere = facts.ownClaims.find((c) => c.name === name && c.namespace !== app.namespace);
        return elsewhere && typeof here !== "object" ? [{
            path: `${PROJECT}:namespaceSuffix`, value: app.namespace,
            problem: `would start ${app.id} in namespace ${app.namespace} with an empty claim ${name}, while its data stays in the claim of namespace ${elsewhere.namespace}`,
            fix: `keep the namespace ${elsewhere.namespace}; to move the data, dump the database, move, and restore it (or copy the claim's volume to a claim ${name} in ${app.namespace} first)`,
        }] : [];
    }));
}
