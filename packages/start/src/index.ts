export { HEAP_MB_DEFAULTS, HEAP_TUNING_FLAGS, heapFlags, heapSizes, heapVariable } from "./heap.js";
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
