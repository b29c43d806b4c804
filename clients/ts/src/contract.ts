// Runtime half of the contract check: the generated types prove at compile time that the client
// code matches openapi/openapi.json; this proves at run time that what the server answers matches
// the same document (documented status, documented content type, body valid against the schema).
// A small JSON Schema subset: exactly the keywords the document uses ($ref, type, required,
// properties, additionalProperties, items, oneOf, anyOf, allOf, enum, const, format, minimum).

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export interface Schema {
  $ref?: string;
  type?: string | string[];
  required?: string[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  minimum?: number;
  maximum?: number;
}

interface MediaType {
  schema?: Schema;
}

interface ResponseObject {
  description?: string;
  content?: Record<string, MediaType>;
}

interface Operation {
  operationId?: string;
  responses: Record<string, ResponseObject>;
}

export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

/** The committed document, openapi/openapi.json (two levels above this package). */
export const DOCUMENT_PATH = fileURLToPath(new URL("../../../openapi/openapi.json", import.meta.url));

export function loadDocument(path: string = DOCUMENT_PATH): OpenApiDocument {
  return JSON.parse(readFileSync(path, "utf8")) as OpenApiDocument;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function jsonType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v; // string, boolean, object
}

function typeMatches(actual: string, wanted: string): boolean {
  return actual === wanted || (wanted === "number" && actual === "integer");
}

export class Contract {
  constructor(readonly doc: OpenApiDocument) {}

  resolve(s: Schema): Schema {
    let cur = s;
    for (let hops = 0; cur.$ref !== undefined; hops++) {
      const m = /^#\/components\/schemas\/(.+)$/.exec(cur.$ref);
      const target = m?.[1] !== undefined ? this.doc.components.schemas[m[1]] : undefined;
      if (target === undefined || hops > 32) throw new Error(`unresolvable $ref ${cur.$ref}`);
      cur = target;
    }
    return cur;
  }

  /** Every way `value` breaks `schema`, as "at: message" lines (empty when valid). */
  validate(value: unknown, schema: Schema, at = "$"): string[] {
    const s = this.resolve(schema);
    const errs: string[] = [];
    if (s.allOf) {
      for (const sub of s.allOf) errs.push(...this.validate(value, sub, at));
    }
    if (s.oneOf) {
      const results = s.oneOf.map((sub) => this.validate(value, sub, at));
      const ok = results.filter((r) => r.length === 0).length;
      if (ok !== 1) {
        errs.push(`${at}: matches ${ok} of the ${s.oneOf.length} oneOf branches (exactly one expected)`);
        if (ok === 0) results.forEach((r, i) => r.forEach((e) => errs.push(`  branch ${i}: ${e}`)));
      }
    }
    if (s.anyOf && !s.anyOf.some((sub) => this.validate(value, sub, at).length === 0)) {
      errs.push(`${at}: matches none of the anyOf branches`);
    }
    const actual = jsonType(value);
    if (s.type !== undefined) {
      const wanted = Array.isArray(s.type) ? s.type : [s.type];
      if (!wanted.some((w) => typeMatches(actual, w))) {
        errs.push(`${at}: is ${actual}, the document says ${wanted.join(" or ")}`);
        return errs;
      }
    }
    if (s.enum && !s.enum.some((e) => e === value)) {
      errs.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(s.enum)}`);
    }
    if (s.const !== undefined && s.const !== value) {
      errs.push(`${at}: ${JSON.stringify(value)} is not ${JSON.stringify(s.const)}`);
    }
    if (typeof value === "string" && s.format !== undefined) {
      const re = s.format === "uuid" ? UUID : s.format === "date" ? DATE : s.format === "date-time" ? DATE_TIME : undefined;
      if (re && !re.test(value)) errs.push(`${at}: ${JSON.stringify(value)} is not a ${s.format}`);
    }
    if (typeof value === "number") {
      if (s.format === "int32" && (value < -(2 ** 31) || value >= 2 ** 31)) errs.push(`${at}: ${value} is out of int32`);
      if (s.minimum !== undefined && value < s.minimum) errs.push(`${at}: ${value} is below ${s.minimum}`);
      if (s.maximum !== undefined && value > s.maximum) errs.push(`${at}: ${value} is above ${s.maximum}`);
    }
    if (actual === "object") {
      const obj = value as Record<string, unknown>;
      for (const name of s.required ?? []) {
        if (!(name in obj)) errs.push(`${at}: required property "${name}" is missing`);
      }
      const props = s.properties ?? {};
      for (const [name, v] of Object.entries(obj)) {
        const p = props[name];
        if (p !== undefined) {
          errs.push(...this.validate(v, p, `${at}.${name}`));
        } else if (s.additionalProperties === false) {
          errs.push(`${at}: property "${name}" is not in the document (additionalProperties: false)`);
        } else if (typeof s.additionalProperties === "object") {
          errs.push(...this.validate(v, s.additionalProperties, `${at}.${name}`));
        }
      }
    }
    if (actual === "array" && s.items) {
      (value as unknown[]).forEach((v, i) => errs.push(...this.validate(v, s.items as Schema, `${at}[${i}]`)));
    }
    return errs;
  }

  /**
   * Checks one answer against the operation `method path`: the status is documented, the content
   * type is documented for it, and the body is valid. Returns the problems (empty when it conforms).
   */
  checkResponse(method: string, path: string, status: number, contentType: string | null, body: unknown): string[] {
    const op = this.doc.paths[path]?.[method.toLowerCase()];
    if (op === undefined) return [`${method.toUpperCase()} ${path} is not in the document`];
    const documented = op.responses[String(status)] ?? op.responses["default"];
    if (documented === undefined) {
      return [`status ${status} is not documented (documented: ${Object.keys(op.responses).join(", ")})`];
    }
    const content = documented.content;
    if (content === undefined || Object.keys(content).length === 0) {
      return body === undefined || body === null || body === "" ? [] : [`status ${status} documents no body but one came`];
    }
    const media = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
    const mt = content[media];
    if (mt === undefined) {
      return [`content type "${media}" is not documented for ${status} (documented: ${Object.keys(content).join(", ")})`];
    }
    return mt.schema ? this.validate(body, mt.schema, "body") : [];
  }
}
