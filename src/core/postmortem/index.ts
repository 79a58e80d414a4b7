export { renderPostmortem, assertReadableJournal, UnsupportedJournalError, type PostmortemOptions } from './render';
export { extractFreeText, mergeFreeText, freeTextBlock } from './freeText';
export { defaultPostmortemPath, postmortemPathIn, PostmortemPathError } from './paths';
export { proposeChangelogNote, changelogNote, type ChangelogNoteContext } from './changelog';
export { fleetChangelogLines } from './fleet';
