export const packageName = '@mcp-exec/cache';
