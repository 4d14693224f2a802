import Ajv2020 from "ajv/dist/2020";
import { strict as assert } from "assert";
import { traefikValues } from "../../lib/plan/chartValues";
import { chartProfile } from "../../lib/traefik/profile";
import { chartFile, validDev } from "../support/helpers";

function devValues(version: string): Record<string, any> {
    return traefikValues({ ...validDev().traefik, profile: chartProfile(version) });
}

describe("Traefik chart values", () => {
    it("knows what changed between chart versions", () => {
        const v26 = chartProfile("26.0.0");
        assert.equal(v26.exposeAsObject, false);
        assert.equal(v26.accessLogKey, "logs.access");
        assert.equal(v26.builtinEntryPoints.find((b) => b.name === "traefik")?.port, 9000);
        assert.equal(chartProfile("27.0.0").exposeAsObject, true);
        assert.equal(chartProfile("32.1.0").builtinEntryPoints.find((b) => b.name === "traefik")?.port, 9000);
        assert.equal(chartProfile("33.0.0").builtinEntryPoints.find((b) => b.name === "traefik")?.port, 8080);
        const v41 = chartProfile("41.3.0");
        assert.equal(v41.exposeAsObject, true);
        assert.equal(v41.accessLogKey, "accessLog");
    });

    it("matches each chart's own default ports (read from its values.yaml)", () => {
        for (const version of ["26.0.0", "41.3.0"]) {
            const valuesYaml = chartFile(version, "values.yaml");
            for (const builtin of chartProfile(version).builtinEntryPoints) {
                const block = new RegExp(`\\n  ${builtin.name}:\\n(?:    .*\\n|\\s*#.*\\n)*?    port: (\\d+)`).exec(valuesYaml);
                assert.ok(block, `${version}: no ports.${builtin.name}`);
                assert.equal(Number(block[1]), builtin.port, `${version}: ports.${builtin.name}.port`);
            }
        }
    });

    it("writes expose as a boolean for chart 26 and as {default: true} for chart 41", () => {
        assert.deepEqual(devValues("26.0.0").ports.mytcp, { port: 9999, expose: true, exposedPort: 9999, protocol: "TCP", nodePort: 30999 });
        assert.deepEqual(devValues("41.3.0").ports.mytcp, { port: 9999, expose: { default: true }, exposedPort: 9999, protocol: "TCP", nodePort: 30999 });
    });

    it("sets the Service type where each chart reads it", () => {
        assert.deepEqual(devValues("26.0.0").service, { type: "NodePort" });
        assert.deepEqual(chartProfile("39.0.9").serviceTypeInSpec, false);
        assert.deepEqual(devValues("41.3.0").service, { spec: { type: "NodePort" } });
    });

    it("turns on the JSON access log under each chart's key", () => {
        assert.deepEqual(devValues("26.0.0").logs, { access: { enabled: true, format: "json" } });
        assert.equal(devValues("26.0.0").accessLog, undefined);
        assert.deepEqual(devValues("41.3.0").accessLog, { enabled: true, format: "json" });
        assert.equal(devValues("41.3.0").logs, undefined);
    });

    it("drains a terminating Traefik pod before it stops accepting, in both chart formats", () => {
        for (const version of ["26.0.0", "41.3.0"]) {
            assert.deepEqual(devValues(version).deployment.lifecycle, { preStop: { sleep: { seconds: 5 } } }, version);
            assert.match(chartFile(version, "templates/_podtemplate.tpl"), /with \.Values\.deployment\.lifecycle/, `${version} renders deployment.lifecycle`);
        }
    });

    it("gives chart 41.3.0 values its values.schema.json accepts, and the boolean expose it refuses", () => {
        const ajv = new Ajv2020({ strict: false, allErrors: true });
        const validate = ajv.compile(JSON.parse(chartFile("41.3.0", "values.schema.json")));
        const values = devValues("41.3.0");
        assert.ok(validate(values), JSON.stringify(validate.errors, null, 1));
        const old = devValues("26.0.0");
        assert.equal(validate({ ...values, ports: old.ports }), false, "the chart's schema refuses expose: true");
    });

    it("leaves nodePort out when the Service is ClusterIP", () => {
        const values = traefikValues({ ...validDev().traefik, serviceType: "ClusterIP", labels: {} }) as any;
        assert.equal(values.ports.mytcp.nodePort, undefined);
        assert.deepEqual(values.service, { type: "ClusterIP" });
        assert.equal(values.commonLabels, undefined);
    });
});
