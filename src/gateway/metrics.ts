/**
 * Prometheus metrics of one gateway (prom-client, a registry of its own so several gateways can share a
 * process). Labels are bounded: connection names come from the config (anything else is `unknown`), verbs
 * from a fixed list; no user, session or value ever becomes a label.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AuditEvent } from '../audit/audit-event.js';

/** What the gauges read when scraped. */
export interface MetricsSources {
  connections: string[];
  /** Live proxied requests and streams (live-streams registry). */
  openStreams(): number;
  activeSessions(): Promise<number>;
  pendingApprovals(): Promise<number>;
}

/**
 * The hops of one proxied request whose latency `/metrics` reports, one observation per request that went through it:
 * `policy` the authorize step, `upstream` sending the request until the upstream's response headers, `masking` the
 * time spent in the masker on the answer (CPU, not the wait for upstream bytes), `audit` the time the request waited
 * on its audit writes (all its stages together).
 */
export type Phase = 'policy' | 'upstream' | 'masking' | 'audit';

/** The gateway's metrics. */
export interface GatewayMetrics {
  readonly registry: Registry;
  /** Counts one proxied request from its final audit event (requests, latency, masked values). */
  observeAudit(event: AuditEvent): void;
  /** One audit write took `seconds`; `ok` false: it failed (the request it describes failed too). */
  observeAuditWrite(seconds: number, ok: boolean): void;
  /** One request spent `seconds` in `phase`. */
  observePhase(phase: Phase, seconds: number): void;
  /** A store call failed. */
  storeError(operation: string): void;
  /** A notification attempt failed (`final`: given up). */
  notificationFailure(targetType: string, final: boolean): void;
  /** A request that failed authentication was refused (429) by the per-source limit, audited only in aggregate. */
  unauthenticatedLimited(): void;
  /** The text exposition format. */
  scrape(): Promise<{ contentType: string; body: string }>;
}

const VERBS = new Set([
  'get',
  'list',
  'watch',
  'create',
  'update',
  'patch',
  'delete',
  'deletecollection',
  'proxy',
  'post',
  'put',
  'head',
  'options',
  'connect',
]);
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
// A policy decision takes microseconds and a local upstream about a millisecond: the phase buckets start lower.
const PHASE_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** `step` with each call observed as one request in `phase` (also when it throws); `step` itself without metrics. */
export function timedPhase<X, R>(metrics: GatewayMetrics | undefined, phase: Phase, step: (x: X) => Promise<R>): (x: X) => Promise<R> {
  if (metrics === undefined) return step;
  return async (x) => {
    const started = performance.now();
    try {
      return await step(x);
    } finally {
      metrics.observePhase(phase, (performance.now() - started) / 1000);
    }
  };
}

/** Creates the metrics of one gateway. */
export function createGatewayMetrics(sources: MetricsSources): GatewayMetrics {
  const registry = new Registry();
  const known = new Set(sources.connections);
  const conn = (c: string | null): string => (c !== null && known.has(c) ? c : 'unknown');
  const requests = new Counter({
    name: 'hoopctl_gateway_requests_total',
    help: 'Kubernetes API requests through the gateway, by connection, verb, decision and HTTP status.',
    labelNames: ['connection', 'verb', 'decision', 'code'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'hoopctl_gateway_request_duration_seconds',
    help: 'Time from receiving a request to its last byte (streams included).',
    labelNames: ['connection', 'verb', 'decision'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const masked = new Counter({
    name: 'hoopctl_gateway_masked_values_total',
    help: 'Values masked in answers and request URIs.',
    labelNames: ['connection'] as const,
    registers: [registry],
  });
  const auditWrite = new Histogram({
    name: 'hoopctl_gateway_audit_write_duration_seconds',
    help: 'Time to append one audit event to the store.',
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const phase = new Histogram({
    name: 'hoopctl_gateway_phase_seconds',
    help: 'Time one proxied request spent in one hop: policy (authorize), upstream (until response headers), masking (in the masker), audit (waiting on its audit writes).',
    labelNames: ['phase'] as const,
    buckets: PHASE_BUCKETS,
    registers: [registry],
  });
  // Bound once, so an observation on the request path does no label lookup.
  const phases: Record<Phase, { observe(v: number): void }> = {
    policy: phase.labels('policy'),
    upstream: phase.labels('upstream'),
    masking: phase.labels('masking'),
    audit: phase.labels('audit'),
  };
  const auditFailures = new Counter({
    name: 'hoopctl_gateway_audit_write_failures_total',
    help: 'Audit events the store could not write.',
    registers: [registry],
  });
  const storeErrors = new Counter({
    name: 'hoopctl_gateway_store_errors_total',
    help: 'Failed store calls, by operation.',
    labelNames: ['operation'] as const,
    registers: [registry],
  });
  const notifyFailures = new Counter({
    name: 'hoopctl_gateway_notification_failures_total',
    help: 'Failed notification attempts; final="true" when given up.',
    labelNames: ['target', 'final'] as const,
    registers: [registry],
  });
  const limited = new Counter({
    name: 'hoopctl_gateway_unauthenticated_rate_limited_total',
    help: 'Requests that failed authentication over the per-source limit: answered 429, audited as one event per source and interval.',
    registers: [registry],
  });
  new Gauge({
    name: 'hoopctl_gateway_open_streams',
    help: 'Proxied requests and streams open now (watch, logs -f, exec included).',
    registers: [registry],
    collect() {
      this.set(sources.openStreams());
    },
  });
  // Read from the store at scrape time; a failing store leaves the gauge out rather than reporting 0.
  new Gauge({
    name: 'hoopctl_gateway_active_sessions',
    help: 'Sessions not ended and not expired (all replicas).',
    registers: [registry],
    async collect() {
      this.set(await sources.activeSessions());
    },
  });
  new Gauge({
    name: 'hoopctl_gateway_pending_approvals',
    help: 'Access requests waiting for approvers (all replicas).',
    registers: [registry],
    async collect() {
      this.set(await sources.pendingApprovals());
    },
  });

  return {
    registry,
    observeAudit(e) {
      if (e.stage !== 'ResponseComplete' && e.stage !== 'Panic') return;
      const labels = { connection: conn(e.connection), verb: VERBS.has(e.verb) ? e.verb : 'other', decision: e.decision };
      requests.inc({ ...labels, code: e.responseStatus === null ? 'none' : String(e.responseStatus) });
      if (e.latencyMs !== null) latency.observe(labels, e.latencyMs / 1000);
      if (e.maskedCount > 0) masked.inc({ connection: labels.connection }, e.maskedCount);
    },
    observeAuditWrite(seconds, ok) {
      auditWrite.observe(seconds);
      if (!ok) auditFailures.inc();
    },
    observePhase: (p, seconds) => phases[p].observe(seconds),
    storeError: (operation) => storeErrors.inc({ operation }),
    notificationFailure: (target, final) => notifyFailures.inc({ target, final: String(final) }),
    unauthenticatedLimited: () => limited.inc(),
    scrape: async () => {
      try {
        return { contentType: registry.contentType, body: await registry.metrics() };
      } catch {
        // A gauge whose store read failed: the rest is still worth scraping.
        const parts = await Promise.all(
          registry.getMetricsAsArray().map(async (m) => {
            try {
              return await registry.getSingleMetricAsString(m.name);
            } catch {
              return '';
            }
          }),
        );
        return { contentType: registry.contentType, body: `${parts.filter((p) => p !== '').join('\n\n')}\n` };
      }
    },
  };
}
