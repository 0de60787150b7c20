export const packageName = '@mcp-exec/ipc-batch';
