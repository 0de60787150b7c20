export const packageName = '@mcp-exec/framework';
