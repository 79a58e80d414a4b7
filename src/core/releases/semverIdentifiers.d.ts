// semver's own prerelease-identifier order (semver/internal/identifiers.js, in semver 7 since
// 7.1), imported on its own so that start-up does not load the whole package. @types/semver
// declares it under another path (internals/), which does not exist at run time.
declare module 'semver/internal/identifiers' {
  export function compareIdentifiers(a: string | number, b: string | number): 1 | 0 | -1;
}
