/** A process warning (`MCPExecWarning`): for what must not fail the call that noticed it. */
export function warn(code: string, message: string, cause: unknown): void {
  const detail = cause instanceof Error ? cause.message : String(cause);
  process.emitWarning(`${message}: ${detail}`, { type: 'MCPExecWarning', code });
}
