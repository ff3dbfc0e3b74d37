/**
 * The slice of panva's oidc-provider 9 that embedded-idp.ts uses. The package ships no types
 * (and @types/oidc-provider lags behind v9), so only what is called here is declared.
 */
declare module 'oidc-provider' {
  type Req = import('node:http').IncomingMessage;
  type Res = import('node:http').ServerResponse;

  /** The Koa context as the configuration hooks see it. */
  export interface ProviderContext {
    path: string;
    method: string;
    status: number;
    body: unknown;
    type: string;
    oidc?: {
      params?: Record<string, unknown>;
      client?: { clientId: string; clientName?: string };
      [key: string]: unknown;
    };
  }

  /** One interaction (login or consent step) as `interactionDetails` returns it. */
  export interface InteractionDetails {
    uid: string;
    prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
    params: Record<string, unknown>;
    session?: { accountId: string };
    grantId?: string;
  }

  /** A grant: what a person consented to for one client. */
  export interface GrantInstance {
    addOIDCScope(scope: string): void;
    addOIDCClaims(claims: string[]): void;
    addResourceScope(resource: string, scope: string): void;
    save(): Promise<string>;
  }

  /** The provider: a Koa application. */
  export default class Provider {
    constructor(issuer: string, configuration?: Record<string, unknown>);
    callback(): (req: Req, res: Res) => void;
    interactionDetails(req: Req, res: Res): Promise<InteractionDetails>;
    interactionFinished(req: Req, res: Res, result: Record<string, unknown>, options?: { mergeWithLastSubmission?: boolean }): Promise<void>;
    use(middleware: (ctx: ProviderContext, next: () => Promise<void>) => Promise<void>): void;
    on(event: string, listener: (...args: never[]) => void): this;
    Grant: {
      new (init: { accountId: string; clientId: string }): GrantInstance;
      find(id: string): Promise<GrantInstance | undefined>;
    };
  }
}

declare module 'oidc-provider/lib/adapters/memory_adapter.js' {
  /** A per-instance in-memory adapter factory (the default adapter shares one global store and warns). */
  export function createMemoryAdapter(clockTolerance?: number): (model: string) => unknown;
}
