// The run sessions live in the application layer (src/app/sessions.ts), shared with the
// command line; VS Code builds them in extension.ts. Re-exported here for the views and
// commands that import them from their old place.
export { RollbackSessions, type SessionsDeps } from '../app/sessions';
export { operatorName } from '../app/operator';
