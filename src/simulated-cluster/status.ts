// meta/v1 Status bodies with the exact wording of kube-apiserver 1.32 (fixtures bodies/errors/),
// and the error type the handlers throw to answer one.
import type { ResourceSpec } from './registry.js';

/** A cause inside `details.causes` (422 Invalid, 403 NamespaceTerminating). */
export interface StatusCause {
  reason?: string;
  message: string;
  field?: string;
}

/** The meta/v1 Status object kube-apiserver answers for errors and for some deletes. */
export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: { name?: string; group?: string; kind?: string; uid?: string; causes?: StatusCause[] };
  code?: number;
}

/** Thrown by handlers; the server turns it into the HTTP status and Status body. */
export class ApiError extends Error {
  readonly status: StatusBody;
  readonly code: number;

  constructor(body: StatusBody) {
    super(body.message ?? body.reason ?? 'error');
    this.status = body;
    this.code = body.code ?? 500;
  }
}

/** A Failure Status; `details` is left out when undefined, as the real encoder omits it. */
export function failure(code: number, reason: string | undefined, message: string, details?: StatusBody['details']): StatusBody {
  const body: StatusBody = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message };
  if (reason !== undefined) body.reason = reason;
  if (details !== undefined) body.details = details;
  body.code = code;
  return body;
}

/** `deployments.apps`, or `secrets` for the core group: how kube names a resource in messages. */
export function qualifiedResource(spec: Pick<ResourceSpec, 'group' | 'resource'>): string {
  return spec.group === '' ? spec.resource : `${spec.resource}.${spec.group}`;
}

function resourceDetails(spec: Pick<ResourceSpec, 'group' | 'resource'>, name?: string): NonNullable<StatusBody['details']> {
  const d: NonNullable<StatusBody['details']> = {};
  if (name !== undefined) d.name = name;
  if (spec.group !== '') d.group = spec.group;
  d.kind = spec.resource;
  return d;
}

/** 404 `pods "x" not found`. */
export function notFound(spec: Pick<ResourceSpec, 'group' | 'resource'>, name: string): ApiError {
  return new ApiError(failure(404, 'NotFound', `${qualifiedResource(spec)} "${name}" not found`, resourceDetails(spec, name)));
}

/** 404 for a namespace that does not exist, as kube answers for objects in it. */
export function namespaceNotFound(namespace: string): ApiError {
  return notFound({ group: '', resource: 'namespaces' }, namespace);
}

/** 404 for a resource kube does not serve inside a served group version (JSON, not text). */
export function resourceNotServed(): ApiError {
  return new ApiError(failure(404, 'NotFound', 'the server could not find the requested resource', {}));
}

/** 409 AlreadyExists. */
export function alreadyExists(spec: ResourceSpec, name: string): ApiError {
  return new ApiError(failure(409, 'AlreadyExists', `${qualifiedResource(spec)} "${name}" already exists`, resourceDetails(spec, name)));
}

/** 409 Conflict on a stale resourceVersion. */
export function conflict(spec: ResourceSpec, name: string): ApiError {
  return new ApiError(
    failure(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualifiedResource(spec)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      resourceDetails(spec, name),
    ),
  );
}

/** 422 Invalid with field causes; the message lists several causes in brackets like the real one. */
export function invalid(spec: ResourceSpec, name: string, causes: StatusCause[]): ApiError {
  const kind = spec.group === '' ? spec.kind : `${spec.kind}.${spec.group}`;
  const parts = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
  const list = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  const details: NonNullable<StatusBody['details']> = { name };
  if (spec.group !== '') details.group = spec.group;
  details.kind = spec.kind;
  details.causes = causes;
  return new ApiError(failure(422, 'Invalid', `${kind} "${name}" is invalid: ${list}`, details));
}

/** 400 BadRequest. */
export function badRequest(message: string): ApiError {
  return new ApiError(failure(400, 'BadRequest', message));
}

/** 403 for creating content in a namespace that is being deleted. */
export function namespaceTerminating(spec: ResourceSpec, name: string, namespace: string): ApiError {
  return new ApiError(
    failure(
      403,
      'Forbidden',
      `${qualifiedResource(spec)} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
      {
        ...resourceDetails(spec, name),
        causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }],
      },
    ),
  );
}

/** 405 for a verb the resource does not support. */
export function methodNotAllowed(): ApiError {
  return new ApiError(failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {}));
}

/** 406, with the wording of a resource path (fixture 406-cbor-not-acceptable). */
export function notAcceptable(): ApiError {
  return new ApiError(
    failure(
      406,
      'NotAcceptable',
      '406: Not Acceptable\n\nAvailable representations: application/json, application/yaml, application/vnd.kubernetes.protobuf, application/json;stream=watch, application/vnd.kubernetes.protobuf;stream=watch',
      {},
    ),
  );
}

/** 406 for a media type that exists but not for this kind of answer (aggregated discovery on a group path, Table in protobuf). */
export function notAcceptableMediaType(): ApiError {
  return new ApiError(
    failure(406, 'NotAcceptable', 'only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf'),
  );
}

/** 415 for a request body in a format the server cannot read. */
export function unsupportedMediaType(detail?: string): ApiError {
  const base =
    'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf';
  return new ApiError(failure(415, 'UnsupportedMediaType', detail ? `${base} (${detail})` : base));
}

/** 401 as kube-apiserver answers an unknown or missing bearer token. */
export function unauthorized(): StatusBody {
  return failure(401, 'Unauthorized', 'Unauthorized');
}

/** 410 Expired: a watch or continue token older than the history this server keeps. */
export function expired(message: string): ApiError {
  return new ApiError(failure(410, 'Expired', message));
}

/** 500 InternalError. */
export function internalError(message: string): ApiError {
  return new ApiError(failure(500, 'InternalError', message, { causes: [{ message }] }));
}

/** Success Status answered by DELETE for most resources (fixture 60). */
export function deleteSuccess(spec: ResourceSpec, name: string, uid: string): StatusBody {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { ...resourceDetails(spec, name), uid } };
}
