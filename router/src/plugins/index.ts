import type { ApolloServerPlugin } from "@apollo/server";
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from "@apollo/server/plugin/landingPage/default";
import type { RouterContext } from "../context.js";
import { requestIdPlugin } from "./requestId.js";

export interface RouterPluginsOptions {
  /** Production hides the Sandbox landing page. */
  production: boolean;
}

/**
 * The router's plugins, in order. Order is behaviour (STYLE.md §3): tracing first, auth before cost, cache last.
 * The landing page only renders HTML for browsers and has no request hooks, so its place does not matter.
 */
export function routerPlugins({ production }: RouterPluginsOptions): ApolloServerPlugin<RouterContext>[] {
  return [
    requestIdPlugin(),
    production
      ? ApolloServerPluginLandingPageProductionDefault({ footer: false })
      : ApolloServerPluginLandingPageLocalDefault({ embed: true }),
  ];
}
