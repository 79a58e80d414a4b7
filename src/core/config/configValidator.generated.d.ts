// Types of the standalone validator scripts/gen-config-validator.mjs generates beside this file.
import type { ValidateFunction } from 'ajv';

declare const validate: ValidateFunction;
export default validate;
