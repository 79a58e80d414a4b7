/** A plan that cannot be made, with the reason in words the operator can act on. */
export class PlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanError';
  }
}
