// What an unfinished image build leaves behind. docker's classic builder
// commits every step as an untagged image and runs each step in a container;
// when a build fails or is interrupted, the last committed step (hundreds of
// MB) stays as a dangling image that carries none of our labels. So every
// step's image and container id goes into a journal as the build prints it;
// a finished build deletes its journal, a failed one removes what it lists at
// once, and `gc --images` collects journals whose build process is gone
// (crashed, killed, engine down at the time).
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
/** What removing leftovers needs of the engine (the docker wrapper provides it; tests fake it). */
export interface LeftoverEngine {
  /** Remove by id, never forced; true when every id is gone (or was already). */
  rmQuiet(kind: "container" | "image", ids: string[]): Promise<boolean>;
  /** Which of these image ids exist without any tag. */
  untagged(ids: string[]): Promise<Set<string>>;
}
import { cacheDir } from "../util/paths.ts";
import { pidAlive } from "../util/process.ts";

export interface Leftovers {
  images: string[];
  containers: string[];
}

/** Pure: ids in one line of `docker build` output (classic builder: ` ---> 3f2a…`, ` ---> Running in 9bc1…`). */
export function leftoverOfLine(line: string): { kind: "image" | "container"; id: string } | undefined {
  const run = /^\s*---> Running in ([0-9a-f]{12,64})\s*$/.exec(line);
  if (run) return { kind: "container", id: run[1]! };
  const img = /^\s*---> ([0-9a-f]{12,64})\s*$/.exec(line);
  if (img) return { kind: "image", id: img[1]! };
  return undefined;
}

/** Pure: a journal's text → ids, newest first (removing the newest image first also frees its untagged parents). */
export function parseJournal(text: string): Leftovers {
  const out: Leftovers = { images: [], containers: [] };
  for (const l of text.split("\n").reverse()) {
    const [kind, id] = l.trim().split(" ");
    if (!id || !/^[0-9a-f]{12,64}$/.test(id)) continue;
    if (kind === "image" && !out.images.includes(id)) out.images.push(id);
    if (kind === "container" && !out.containers.includes(id)) out.containers.push(id);
  }
  return out;
}

function journalDir(env: Record<string, string | undefined>): string {
  return join(cacheDir(env), "build-journal");
}

/** The journal of one build in this process. */
export class BuildJournal {
  readonly file: string;
  constructor(tag: string, env: Record<string, string | undefined> = process.env, pid = process.pid) {
    const dir = journalDir(env);
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, `${pid}-${tag.replace(/[^A-Za-z0-9_.-]/g, "_")}.txt`);
  }

  private cached = false;

  /** Feed every build output line. The base image and a cache hit's image are not this build's: never ours to remove. */
  see(line: string): void {
    if (/^\s*---> Using cache\s*$/.test(line) || /^Step \d+\/\d+ : FROM /i.test(line)) return void (this.cached = true);
    const hit = leftoverOfLine(line);
    if (!hit) return;
    if (hit.kind === "image" && this.cached) return void (this.cached = false);
    appendFileSync(this.file, `${hit.kind} ${hit.id}\n`);
  }

  /** The build succeeded: its step images are the tagged image's parents now. */
  done(): void {
    rmSync(this.file, { force: true });
  }

  /** The build failed: remove what it left; the journal stays if the engine would not. */
  async cleanUp(docker: LeftoverEngine, sleep: (ms: number) => Promise<unknown> = Bun.sleep): Promise<void> {
    if (!existsSync(this.file)) return;
    const l = parseJournal(readFileSync(this.file, "utf8"));
    // An interrupted build's last step container is still being removed by docker itself
    // (--force-rm): until that ends it holds its image. A few short retries let it finish.
    for (let attempt = 0; attempt < CLEANUP_TRIES; attempt++) {
      if (attempt) await sleep(200 * attempt);
      if (await removeLeftovers(docker, l)) return this.done();
    }
  }
}

/** Tries at cleaning up after a failed build (about 2 s in all) before the journal is left to `gc --images`. */
export const CLEANUP_TRIES = 5;

/**
 * Remove listed containers and images that are still untagged; true when
 * nothing is left to retry. Never forces, never touches a tagged image (a
 * base image or a finished build): an image in use or named stays.
 */
export async function removeLeftovers(docker: LeftoverEngine, l: Leftovers): Promise<boolean> {
  const okC = await docker.rmQuiet("container", l.containers);
  const dangling = await docker.untagged(l.images);
  const okI = await docker.rmQuiet("image", l.images.filter((id) => dangling.has(id)));
  return okC && okI;
}

/** Journals of builds whose process is gone (a live build's are its own business). */
export function staleJournals(env: Record<string, string | undefined> = process.env, alive: (pid: number) => boolean = pidAlive): { file: string; leftovers: Leftovers }[] {
  const dir = journalDir(env);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^\d+-.*\.txt$/.test(f) && !alive(Number(f.split("-")[0])))
    .map((f) => ({ file: join(dir, f), leftovers: parseJournal(readFileSync(join(dir, f), "utf8")) }));
}
