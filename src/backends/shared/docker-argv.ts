// Pure: every docker command line the backend uses. Nothing here runs a
// process; docker.ts hands these to a Runner so tests can assert the argv.
//
// Secrets never appear in an argv (it is world-readable in /proc): a variable
// listed in `passEnv` is written as `-e NAME` and its value travels in the
// docker CLI's own environment (see Docker.create).

export const LABEL_IDENTITY = "bot-bottle.identity";
/** Which state database owns the resource: gc never touches another one's bottles. */
export const LABEL_STATE = "bot-bottle.state";
export const LABEL_ROLE = "bot-bottle.role";

export type Role = "bundle" | "agent" | "internal" | "egress" | "image";

export interface Labels {
  identity: string;
  state: string;
  role: Role;
}

export function labelArgs(l: Labels): string[] {
  return ["--label", `${LABEL_IDENTITY}=${l.identity}`, "--label", `${LABEL_STATE}=${l.state}`, "--label", `${LABEL_ROLE}=${l.role}`];
}

export function infoArchArgv(): string[] {
  return ["docker", "info", "--format", "{{.Architecture}}"];
}

export interface NetworkSpec {
  name: string;
  /** No route out: agent ↔ bundle only. */
  internal: boolean;
  subnet?: string;
  gateway?: string;
  /** No address for the host on this bridge: containers cannot reach host services through it. */
  noHostAddress?: boolean;
  labels: Labels;
}

export function networkCreateArgv(n: NetworkSpec): string[] {
  const argv = ["docker", "network", "create", "--driver", "bridge"];
  if (n.internal) argv.push("--internal");
  if (n.subnet) argv.push("--subnet", n.subnet);
  if (n.gateway) argv.push("--gateway", n.gateway);
  // --internal only stops forwarding; the host still answers on the bridge's gateway
  // address (and, through it, on every host address). Without an address it cannot.
  if (n.noHostAddress) argv.push("--opt", "com.docker.network.bridge.inhibit_ipv4=true");
  argv.push(...labelArgs(n.labels), n.name);
  return argv;
}

export function networkConnectArgv(network: string, container: string, ip?: string): string[] {
  return ["docker", "network", "connect", ...(ip ? ["--ip", ip] : []), network, container];
}

export function networkRmArgv(names: string[]): string[] {
  return ["docker", "network", "rm", ...names];
}

/** One line per network: `name<TAB>identity`. */
export function networkLsArgv(labelFilter: string[]): string[] {
  return ["docker", "network", "ls", ...labelFilter.flatMap((f) => ["--filter", `label=${f}`]), "--format", `{{.Name}}\t{{.Label "${LABEL_IDENTITY}"}}`];
}

/** IDs of every network on the engine (not only ours: a bottle must not overlap any). */
export function networkIdsArgv(): string[] {
  return ["docker", "network", "ls", "--quiet", "--no-trunc"];
}

/** One line per network: its IPv4/IPv6 subnets, space-separated. */
export function networkSubnetsArgv(ids: string[]): string[] {
  return ["docker", "network", "inspect", "--format", "{{range .IPAM.Config}}{{.Subnet}} {{end}}", ...ids];
}

/** One line per container: `name<TAB>identity<TAB>state`. */
export function psArgv(labelFilter: string[]): string[] {
  return [
    "docker", "ps", "-a", "--no-trunc",
    ...labelFilter.flatMap((f) => ["--filter", `label=${f}`]),
    "--format", `{{.Names}}\t{{.Label "${LABEL_IDENTITY}"}}\t{{.State}}`,
  ];
}

export interface ContainerSpec {
  name: string;
  image: string;
  labels: Labels;
  network: string;
  ip?: string;
  hostname?: string;
  /** Literal `-e K=V` (non-secret values only). */
  env?: Record<string, string>;
  /** `-e NAME`: the value comes from the docker CLI's environment. */
  passEnv?: string[];
  /** `host:container[:ro]`. */
  volumes?: string[];
  user?: string;
  workdir?: string;
  capAdd?: string[];
  cpus?: number;
  memory?: string;
  /** Reap zombies and forward SIGTERM so `stop` is quick. */
  init?: boolean;
  /** Process cap (default DEFAULT_PIDS_LIMIT): a fork bomb in a bottle must not starve the host. */
  pidsLimit?: number;
  entrypoint?: string;
  cmd?: string[];
}

export const DEFAULT_PIDS_LIMIT = 4096;

export function createArgv(c: ContainerSpec): string[] {
  const argv = ["docker", "create", "--name", c.name, ...labelArgs(c.labels), "--network", c.network];
  if (c.ip) argv.push("--ip", c.ip);
  if (c.hostname) argv.push("--hostname", c.hostname);
  // Least privilege: no capabilities but the few named, no setuid escalation.
  argv.push("--cap-drop", "ALL");
  for (const cap of c.capAdd ?? []) argv.push("--cap-add", cap);
  argv.push("--security-opt", "no-new-privileges");
  if (c.init) argv.push("--init");
  argv.push("--pids-limit", String(c.pidsLimit ?? DEFAULT_PIDS_LIMIT));
  if (c.cpus !== undefined) argv.push("--cpus", String(c.cpus));
  if (c.memory) argv.push("--memory", c.memory);
  if (c.user) argv.push("--user", c.user);
  if (c.workdir) argv.push("--workdir", c.workdir);
  for (const v of c.volumes ?? []) argv.push("--volume", v);
  for (const [k, v] of Object.entries(c.env ?? {})) argv.push("--env", `${k}=${v}`);
  for (const k of c.passEnv ?? []) argv.push("--env", k);
  if (c.entrypoint !== undefined) argv.push("--entrypoint", c.entrypoint);
  argv.push(c.image, ...(c.cmd ?? []));
  return argv;
}

/** `docker run --detach`: create and start in one call (one CLI process less on the launch path). */
export function runDetachedArgv(c: ContainerSpec): string[] {
  const [docker, , ...rest] = createArgv(c);
  return [docker!, "run", "--detach", ...rest];
}

export function startArgv(names: string[]): string[] {
  return ["docker", "start", ...names];
}

export function stopArgv(names: string[], timeoutSeconds = 3): string[] {
  return ["docker", "stop", "--time", String(timeoutSeconds), ...names];
}

/** Force-remove (running or not) with anonymous volumes. */
export function rmArgv(names: string[]): string[] {
  return ["docker", "rm", "--force", "--volumes", ...names];
}

export interface ExecSpec {
  container: string;
  argv: string[];
  user?: string;
  workdir?: string;
  /** Keep stdin open (-i). */
  interactive?: boolean;
  tty?: boolean;
  env?: Record<string, string>;
}

export function execArgv(e: ExecSpec): string[] {
  const argv = ["docker", "exec"];
  if (e.interactive) argv.push("--interactive");
  if (e.tty) argv.push("--tty");
  if (e.user) argv.push("--user", e.user);
  if (e.workdir) argv.push("--workdir", e.workdir);
  for (const [k, v] of Object.entries(e.env ?? {})) argv.push("--env", `${k}=${v}`);
  argv.push(e.container, ...e.argv);
  return argv;
}

/** Copy a host path into a container; `-` reads a tar stream from stdin. */
export function cpArgv(src: string, container: string, dest: string): string[] {
  return ["docker", "cp", src, `${container}:${dest}`];
}

export function inspectStateArgv(names: string[]): string[] {
  return ["docker", "inspect", "--type", "container", "--format", "{{.Name}}\t{{.State.Status}}", ...names];
}

export function logsArgv(container: string, opts: { follow?: boolean; tail?: number; since?: string } = {}): string[] {
  const argv = ["docker", "logs"];
  if (opts.follow) argv.push("--follow");
  if (opts.tail !== undefined) argv.push("--tail", String(opts.tail));
  if (opts.since !== undefined) argv.push("--since", opts.since);
  argv.push(container);
  return argv;
}

export function imageIdArgv(image: string): string[] {
  return ["docker", "image", "inspect", "--format", "{{.Id}}", image];
}

/** Images bot-bottle built, unused by any container and older than `until` (docker duration, e.g. "1h"). */
export function imagePruneArgv(until: string): string[] {
  return ["docker", "image", "prune", "--all", "--force", "--filter", "label=bot-bottle.image", "--filter", `until=${until}`];
}

/** Not forced: an image another image or a container still uses stays. */
export function imageRmArgv(ids: string[]): string[] {
  return ["docker", "image", "rm", ...ids];
}

export function imageTagsArgv(ids: string[]): string[] {
  return ["docker", "image", "inspect", "--format", "{{.Id}}\t{{json .RepoTags}}", ...ids];
}

export function imageSizeArgv(ids: string[]): string[] {
  return ["docker", "image", "inspect", "--format", "{{.Id}}\t{{.Size}}", ...ids];
}

export function buildArgv(o: { tag: string; contextDir: string; labels?: Record<string, string> }): string[] {
  // --force-rm: a failed step's container goes too, not only a successful one's.
  const argv = ["docker", "build", "--force-rm", "--tag", o.tag];
  for (const [k, v] of Object.entries(o.labels ?? {})) argv.push("--label", `${k}=${v}`);
  argv.push(o.contextDir);
  return argv;
}

const shq = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/** `sh -c` removing containers, then networks (they are in use until the containers go), quietly. */
export function reapArgv(containers: string[], networks: string[]): string[] {
  const line = (argv: string[]) => `${argv.map(shq).join(" ")} >/dev/null 2>&1`;
  return ["sh", "-c", `${line(rmArgv(containers))}; ${line(networkRmArgv(networks))}`];
}
