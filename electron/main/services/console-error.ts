/**
 * An error a console command answers with. Its message is shown to the operator as it is, so it
 * never carries a stack, a token or a secret value.
 */
export class ConsoleError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConsoleError';
  }
}
