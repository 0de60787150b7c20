export const packageName = '@mcp-exec/circuit-breaker';
