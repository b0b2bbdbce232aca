/** The data engine and its row/column security: what the rest of main uses. */
export type { Principal } from './principal';
export { principalFromSession } from './principal';
export { dataConfig, SAMPLE_DATASET_ID, type DataConfig, type DataConfigInput, type DatasetConfig } from './data-config';
export {
  DataService,
  type DataServiceOptions,
  type DataQueryInput,
  type DataCountsInput,
  type DataExportInput,
} from './data-service';
export { setupDataHandlers, type DataHandlerDeps } from './data-handlers';
export { DataStartup, type DataAccess, type DataStartupState } from './data-startup';
