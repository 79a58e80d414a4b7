// What the brief investigation's page shows besides its countdown: the triggers the decision
// offered (read again when it starts) and the services whose logs "Open logs" streams, the
// same environment's. Given by the application layer to the front end's investigate().
import type { LogWatchService } from '../logs/types';

export interface InvestigationPageInfo {
  /** Error spikes and the like ("api: 47 errors in the last 5 minutes, 3 in the hour before"); may arrive after the page opens. Never rejects. */
  triggers?: Promise<string[]>;
  /** The services with logs: on the environment the triggers were read on ([] when none has them). Never rejects. */
  logs?: Promise<LogWatchService[]>;
}
