/** State shared by the routes: settings, the job manager, the logger and facts fixed at startup. */
import type { Logger } from 'pino'

import type { JobManager } from '../jobs/job-manager.js'
import type { Settings } from './settings.js'

export interface ServerContext {
  settings: Settings
  manager: JobManager
  logger: Logger
  /** Package version from package.json. */
  version: string
  /** True when /v1 requires a bearer token. */
  authRequired: boolean
  startedAt: number
}
