// Pure: `smolvm machine ls --json` → validated machine list. The object
// shape is machine_status_json() in smolvm's vm_common.rs; we require only
// what we use and let the rest through, so newer fields do not break us.
import * as v from "valibot";
import { BottleError } from "../../util/errors.ts";

export const MACHINE_STATES = ["created", "running", "stopped", "failed", "unreachable"] as const;
export type MachineState = (typeof MACHINE_STATES)[number];

const machineSchema = v.looseObject({
  name: v.string(),
  state: v.picklist(MACHINE_STATES),
  cpus: v.optional(v.number()),
  memory_mib: v.optional(v.number()),
  pid: v.optional(v.nullable(v.number())),
  image: v.optional(v.nullable(v.string())),
  network: v.optional(v.boolean()),
  ephemeral: v.optional(v.boolean()),
});

export type MachineInfo = v.InferOutput<typeof machineSchema>;

const listSchema = v.array(machineSchema);

export function parseMachineList(stdout: string): MachineInfo[] {
  let data: unknown;
  try {
    data = JSON.parse(stdout);
  } catch (e) {
    throw new BottleError("SMOLVM", `smolvm machine ls --json printed something that is not JSON: ${stdout.trim().slice(0, 80)}`, {
      hint: "run `bot-bottle doctor` to check the smolvm version",
      cause: e,
    });
  }
  const res = v.safeParse(listSchema, data);
  if (!res.success) {
    const issue = res.issues[0];
    const path = issue.path?.map((p) => String(p.key)).join(".") ?? "";
    throw new BottleError("SMOLVM", `unexpected smolvm machine ls --json output at ${path || "top level"}: ${issue.message}`, {
      hint: "run `bot-bottle doctor` to check the smolvm version",
    });
  }
  return res.output;
}
