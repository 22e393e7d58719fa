export { HEAP_GROWING_PERCENT, HEAP_MB_DEFAULTS, SEMI_SPACE_MB, heapFlags, heapSizes, heapVariable } from "./heap.js";
export { loadStartConfig, subgraphUrlVariable, type SeedMode, type StartConfig } from "./config.js";
export {
  startRouterWorkers,
  startService,
  stopService,
  waitReady,
  type RouterWorkersOptions,
  type Service,
  type StartServiceOptions,
} from "./processes.js";
export {
  SERVICE_CALLERS,
  generatedServiceKeys,
  serviceIdentityEnv,
  serviceSecretVariable,
} from "./serviceIdentities.js";
