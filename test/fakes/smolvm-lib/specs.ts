// The fake smolvm's clap definitions: 0.8.x by default, the 1.1+ `-n/--name`
// dialect for create/delete when FAKE_SMOLVM_VERSION says so.
import type { CmdSpec, OptSpec } from "./clap.ts";

export const VERSION = process.env.FAKE_SMOLVM_VERSION ?? "0.8.2";
const [MAJ, MIN] = VERSION.split(".").map(Number) as [number, number];
export const atLeast = (a: number, b: number) => MAJ > a || (MAJ === a && MIN >= b);
export const NAME_FLAG = atLeast(1, 1);

const nameOpt: OptSpec = { long: "name", short: "n", value: "NAME" };

export const CREATE: CmdSpec = {
  usage: NAME_FLAG ? "smolvm machine create [OPTIONS]" : "smolvm machine create [OPTIONS] [NAME]",
  positionals: NAME_FLAG ? [] : [{ name: "NAME", required: false }],
  opts: [
    ...(NAME_FLAG ? [nameOpt] : []),
    { long: "image", short: "I", value: "IMAGE", conflicts: ["from"] },
    { long: "from", value: "PATH", conflicts: ["image", "smolfile"] },
    { long: "cpus", value: "N" },
    { long: "mem", value: "MiB" },
    { long: "storage", value: "GiB" },
    { long: "overlay", value: "GiB" },
    { long: "volume", short: "v", value: "HOST:GUEST[:ro]", multi: true },
    { long: "port", short: "p", value: "HOST:GUEST", multi: true },
    { long: "net" },
    { long: "allow-cidr", value: "CIDR", multi: true },
    { long: "allow-host", value: "HOSTNAME", multi: true },
    { long: "outbound-localhost-only" },
    { long: "gpu" },
    { long: "init", value: "COMMAND", multi: true },
    { long: "env", short: "e", value: "KEY=VALUE", multi: true },
    { long: "workdir", short: "w", value: "DIR" },
    { long: "ssh-agent" },
    { long: "smolfile", short: "s", value: "PATH" },
  ],
};

export const nameOnly = (verb: string): CmdSpec => ({ usage: `smolvm machine ${verb} [OPTIONS]`, positionals: [], opts: [nameOpt, ...(verb === "status" ? [{ long: "json" }] : [])] });

export const DELETE: CmdSpec = NAME_FLAG
  ? { usage: "smolvm machine delete [OPTIONS] --name <NAME>", positionals: [], opts: [{ ...nameOpt, required: true }, { long: "force", short: "f" }] }
  : { usage: "smolvm machine delete [OPTIONS] <NAME>", positionals: [{ name: "NAME", required: true }], opts: [{ long: "force", short: "f" }] };

export const EXEC: CmdSpec = {
  usage: "smolvm machine exec [OPTIONS] <COMMAND>...",
  positionals: [],
  trailing: { name: "COMMAND", required: true },
  opts: [
    { long: "name", value: "NAME" },
    { long: "workdir", short: "w", value: "DIR" },
    { long: "env", short: "e", value: "KEY=VALUE", multi: true },
    { long: "timeout", value: "DURATION" },
    { long: "interactive", short: "i" },
    { long: "tty", short: "t" },
    { long: "stream" },
  ],
};

export const CP: CmdSpec = { usage: "smolvm machine cp <SRC> <DST>", positionals: [{ name: "SRC", required: true }, { name: "DST", required: true }], opts: [] };
export const LS: CmdSpec = { usage: "smolvm machine ls [OPTIONS]", positionals: [], opts: [{ long: "verbose", short: "v" }, { long: "json" }] };
export const PACK_CREATE: CmdSpec = {
  usage: "smolvm pack create [OPTIONS] --output <PATH>",
  positionals: [],
  opts: [
    { long: "image", short: "I", value: "IMAGE", conflicts: ["from-vm"] },
    { long: "from-vm", value: "VM_NAME" },
    { long: "output", short: "o", value: "PATH", required: true },
    { long: "cpus", value: "N" },
    { long: "mem", value: "MiB" },
    { long: "entrypoint", value: "CMD" },
    { long: "oci-platform", value: "OS/ARCH" },
  ],
};

