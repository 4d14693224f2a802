/** ingress-nginx's TCP/UDP ConfigMaps (in progress). */
import type { ImportFiles } from "./importOutput";

export function importIngressNginx(_files: string[], _services: string | undefined, _trusted: string | undefined, _out: string, _projectDir: string): Promise<ImportFiles> {
    return Promise.reject(new Error("not yet"));
}
