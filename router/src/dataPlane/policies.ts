import type { Logger } from "@commerce/common";
import { createCallPolicy, type BreakerView, type CallPolicy, type CallPolicyOptions } from "@commerce/resilience";

export interface SubgraphPoliciesOptions {
  /** Options every subgraph's policy starts from (`SUBGRAPH_TIMEOUT_MS`, …). @default the @commerce/resilience defaults */
  defaults?: Readonly<CallPolicyOptions>;
  /** Per subgraph, keyed by env name (`REVIEWS` for `SUBGRAPH_REVIEWS_TIMEOUT_MS`): options over the defaults. @default {} */
  overrides?: Readonly<Record<string, Readonly<CallPolicyOptions>>>;
  /** Logs breaker state changes. @default silent */
  logger?: Logger;
}

/** The env-var form of a subgraph name: `accounts` → `ACCOUNTS` (as in `SUBGRAPH_ACCOUNTS_URL`). */
export function subgraphEnvName(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]/g, "_");
}

/**
 * One call policy per subgraph name, made on first use and kept for the life of the router: the breaker state and
 * retry budget survive supergraph reloads (which rebuild the data sources). Breaker changes are logged.
 */
export class SubgraphPolicies {
  private readonly policies = new Map<string, CallPolicy>();

  constructor(private readonly options: SubgraphPoliciesOptions = {}) {}

  /** The policy of subgraph `name`. */
  get(name: string): CallPolicy {
    let policy = this.policies.get(name);
    if (!policy) {
      const { defaults = {}, overrides = {}, logger } = this.options;
      // SubgraphHttpClient.post reads the whole answer before it returns: nothing is left to cancel once it has.
      policy = createCallPolicy(name, { ...defaults, ...overrides[subgraphEnvName(name)], abortOnReturn: false });
      policy.onStateChange((view) => {
        const line = {
          subgraph: view.name,
          breaker: view.state,
          ...(view.lastFailure ? { cause: view.lastFailure } : {}),
        };
        if (view.state === "closed") logger?.info(line, "subgraph circuit closed: calls flow again");
        else if (view.state === "open") logger?.warn(line, "subgraph circuit open: calls fail fast");
        else logger?.info(line, "subgraph circuit half-open: probing");
      });
      this.policies.set(name, policy);
    }
    return policy;
  }

  /** Env names with options of their own (`SUBGRAPH_<NAME>_<KNOB>`), to warn about names no subgraph has. */
  overriddenNames(): string[] {
    return Object.keys(this.options.overrides ?? {});
  }

  /** The breaker of every subgraph called so far. */
  views(): BreakerView[] {
    return [...this.policies.values()].map((policy) => policy.view());
  }

  /** The breaker of `name`, when it was called. */
  view(name: string): BreakerView | undefined {
    return this.policies.get(name)?.view();
  }
}
