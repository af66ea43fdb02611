import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import assert from 'node:assert/strict';

// Validates Berth's /api/v2.0 responses against Harbor's own swagger
// (test/fixtures/harbor-swagger.yaml, Harbor's published swagger): same paths, same fields, same types.

type Json = Record<string, unknown>;

interface Swagger {
  basePath: string;
  paths: Record<
    string,
    Record<string, { operationId?: string; responses?: Record<string, { schema?: Json; $ref?: string }> }>
  >;
  definitions: Record<string, Json>;
  responses: Record<string, { schema?: Json }>;
}

// Harbor's swagger, kept in the repository so the tests run from any checkout.
const swaggerPath = new URL('../fixtures/harbor-swagger.yaml', import.meta.url);
const swagger = parseYaml(readFileSync(swaggerPath, 'utf8')) as Swagger;

/** Swagger 2.0's `x-nullable` becomes JSON Schema's null type; everything else passes through. */
function nullable(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(nullable);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Json = {};
  for (const [key, value] of Object.entries(schema as Json)) out[key] = nullable(value);
  if (out['x-nullable'] === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  return out;
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addFormat('int', { type: 'number', validate: (n: number) => Number.isInteger(n) });
ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) });
ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
ajv.addFormat('float64', { type: 'number', validate: (n: number) => Number.isFinite(n) });
ajv.addFormat('password', true);
ajv.addSchema({ $id: 'harbor', definitions: nullable(swagger.definitions) as Json });

const compiled = new Map<string, ValidateFunction>();

/** Harbor's operation for a method and a path template such as "/projects/{project_name_or_id}". */
export function harborOperation(method: string, template: string) {
  const op = swagger.paths[template]?.[method.toLowerCase()];
  assert.ok(op, `Harbor's swagger has no ${method} ${template}`);
  return op;
}

/**
 * Asserts that `body`, answered with `status` to `method template`, matches the
 * swagger's response schema for that status (an undocumented status fails).
 */
export function assertHarborSchema(method: string, template: string, status: number, body: unknown): void {
  const op = harborOperation(method, template);
  const response = op.responses?.[String(status)];
  assert.ok(
    response,
    `Harbor documents no ${status} for ${method} ${template} (documented: ${Object.keys(op.responses ?? {}).join(', ')})`,
  );
  const schema = response.$ref ? swagger.responses[response.$ref.replace('#/responses/', '')]?.schema : response.schema;
  if (!schema) return;
  const key = `${method} ${template} ${status}`;
  let validate = compiled.get(key);
  if (!validate) {
    const rewritten = JSON.parse(
      JSON.stringify(nullable(schema)).replaceAll('"#/definitions/', '"harbor#/definitions/'),
    ) as Json;
    validate = ajv.compile(rewritten);
    compiled.set(key, validate);
  }
  const ok = validate(body);
  assert.ok(
    ok,
    `${key}: response does not match Harbor's schema: ${ajv.errorsText(validate.errors, { separator: '; ' })}\n${JSON.stringify(body).slice(0, 800)}`,
  );
}

/**
 * Asserts that `body` is Harbor's error body (definitions/Errors), for the answers Harbor
 * gives without documenting them per operation (412 for an immutable tag, 409 for a duplicate).
 */
export function assertHarborErrors(body: unknown): void {
  let validate = compiled.get('Errors');
  if (!validate) {
    validate = ajv.compile({ $ref: 'harbor#/definitions/Errors' });
    compiled.set('Errors', validate);
  }
  assert.ok(validate(body), `not Harbor's error body: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body)}`);
  assert.ok(((body as { errors?: unknown[] }).errors ?? []).length > 0, 'the error body names an error');
}

/** Every operation in Harbor's swagger, for the coverage table. */
export function harborOperations(): { method: string; path: string; operationId: string }[] {
  return Object.entries(swagger.paths).flatMap(([path, methods]) =>
    Object.entries(methods)
      .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete', 'head'].includes(method))
      .map(([method, op]) => ({ method: method.toUpperCase(), path, operationId: op.operationId ?? '' })),
  );
}
