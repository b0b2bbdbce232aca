import type { AppInfo, SessionSummary } from '../../../preload/contract';
import type { Notice } from './notice';

/** What the error screen shows: the `error` AppStatus or a problem found by the renderer. */
export interface Problem {
  title: string;
  message: string;
  detail?: string;
}

/** The top-level screens. Every state after startup carries the AppInfo it was built from. */
export type View =
  | { name: 'loading' }
  | { name: 'error'; problem: Problem }
  | { name: 'setup'; info: AppInfo }
  | { name: 'login'; info: AppInfo; notice: Notice | null }
  | { name: 'signed-in'; info: AppInfo; session: SessionSummary };
