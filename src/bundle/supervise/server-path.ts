// The supervise daemon's MCP endpoint path, apart from server.ts so the pure
// config builders do not pull in the MCP SDK.
export const MCP_PATH = "/mcp";
