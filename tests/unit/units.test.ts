import { strict as assert } from "assert";
import { parseQuantity } from "../../lib/quantity";
import { mapImage } from "../../lib/images";
import { pointerKeys, pointerStep, valueAt } from "../../lib/valuePath";

describe("Kubernetes quantities", () => {
    it("parses what the API server accepts", () => {
        assert.equal(parseQuantity("64Mi"), 64 * 2 ** 20);
        assert.equal(parseQuantity("50m"), 0.05);
        assert.equal(parseQuantity("1.5Gi"), 1.5 * 2 ** 30);
        assert.equal(parseQuantity("2"), 2);
        assert.equal(parseQuantity("500M"), 5e8);
        assert.equal(parseQuantity("1e3"), 1000);
        assert.equal(parseQuantity(".5"), 0.5);
    });

    it("refuses what it refuses", () => {
        for (const bad of ["64MB", "1.5.2", "fifty", "", "Mi", "1 Gi", "0x10"]) {
            assert.equal(parseQuantity(bad), undefined, bad);
        }
    });
});

describe("image mappings (Kustomize images: semantics)", () => {
    it("replaces name and tag of a placeholder", () => {
        assert.deepEqual(mapImage("tcp-echo-server", [{ name: "tcp-echo-server", newName: "iceymoss/tcp-echo", newTag: "1.0" }]), { image: "iceymoss/tcp-echo:1.0", mapped: true });
    });

    it("keeps the tag when only newName is given, and the name when only newTag is", () => {
        assert.equal(mapImage("redis:7.4.2", [{ name: "redis", newName: "registry.company.com/mirror/redis" }]).image, "registry.company.com/mirror/redis:7.4.2");
        assert.equal(mapImage("redis:7.4.2", [{ name: "redis", newTag: "7.4.3" }]).image, "redis:7.4.3");
    });

    it("pins a digest, and matches a registry port without taking it for a tag", () => {
        const digest = "sha256:" + "a".repeat(64);
        assert.equal(mapImage("redis:7.4.2", [{ name: "redis", digest }]).image, `redis@${digest}`);
        assert.equal(mapImage("localhost:5000/app:1", [{ name: "localhost:5000/app", newTag: "2" }]).image, "localhost:5000/app:2");
    });

    it("leaves an unmapped image alone", () => {
        assert.deepEqual(mapImage("mysql:8.4.3", [{ name: "redis", newTag: "x" }]), { image: "mysql:8.4.3", mapped: false });
    });
});

describe("paths into loosely typed values", () => {
    it("reads own keys of objects and arrays, and nothing from the prototype", () => {
        const value = { spec: { ports: [{ name: "mytcp" }] } };
        assert.equal(valueAt(value, ["spec", "ports", 0, "name"]), "mytcp");
        assert.equal(valueAt(value, ["spec", "ports", "0", "name"]), "mytcp");
        assert.equal(valueAt(value, ["spec", "missing", "name"]), undefined);
        assert.equal(valueAt(value, ["constructor"]), undefined);
        assert.equal(valueAt(value, ["spec", "ports", "length"]), 1, "an array's own length");
        assert.equal(valueAt("text", ["length"]), undefined, "a string is not a container");
    });

    it("reads JSON pointers with their escapes, and writes keys back the same way", () => {
        assert.deepEqual(pointerKeys("/metadata/labels/app.kubernetes.io~1name/~0x"), ["metadata", "labels", "app.kubernetes.io/name", "~x"]);
        assert.deepEqual(pointerKeys(""), []);
        assert.equal(pointerStep("a/b~c"), "/a~1b~0c");
        assert.deepEqual(pointerKeys(pointerStep("a/b~c")), ["a/b~c"]);
    });
});
