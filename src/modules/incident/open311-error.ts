/** A refusal of an Open311 request: answered with `status` and `[{ code: status, description }]`, one per problem. */
export class Open311Error extends Error {
  constructor(
    readonly status: number,
    readonly descriptions: readonly string[],
  ) {
    super(descriptions.join('; '));
  }
}
