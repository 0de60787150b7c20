export const packageName = '@mcp-exec/process-pool';
