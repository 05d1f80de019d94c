// Fixed locations inside every bottle (agent side). One place, so the
// backends, the provisioning steps and the tests agree.
export const AGENT_USER = "node";
export const AGENT_HOME = "/home/node";
export const AGENT_WORKDIR = "/home/node/work";
export const BOTTLE_ETC = "/etc/bot-bottle";
/** The bottle CA alone (NODE_EXTRA_CA_CERTS adds it to Node's roots). */
export const AGENT_CA_FILE = `${BOTTLE_ETC}/ca.crt`;
/** System roots + bottle CA (SSL_CERT_FILE / REQUESTS_CA_BUNDLE replace the store). */
export const AGENT_CA_BUNDLE = `${BOTTLE_ETC}/ca-bundle.crt`;
/** System prompt, mode 0600, always present (maybe empty). */
export const AGENT_PROMPT_FILE = `${BOTTLE_ETC}/prompt.md`;
export const PORTS = { proxy: 8888, gitGate: 9418, supervise: 9100 } as const;
