/** The project's app catalog on disk (catalog/<id>.yaml), read and validated once per directory. */
import * as path from "path";
import type { Catalog } from "../catalog";
import { readCatalogDir } from "./catalogSchema";

/** Where the project's app definitions live: one `<id>.yaml` per app. */
export const CATALOG_DIR = path.resolve(__dirname, "..", "..", "catalog");

const loaded = new Map<string, Catalog>();

/** The project's apps, read and validated from catalog/ once (a bad file is refused, naming it, the key, the value and the fix). */
export function projectCatalog(): Catalog {
    return loadCatalog(CATALOG_DIR);
}

/** The apps defined in `dir` (`<id>.yaml` each), validated; every problem of every file at once. */
export function loadCatalog(dir: string): Catalog {
    let catalog = loaded.get(dir);
    if (!catalog) {
        catalog = readCatalogDir(dir);
        loaded.set(dir, catalog);
    }
    return catalog;
}
