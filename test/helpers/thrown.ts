// Test helper: run `fn`, return what it threw (sync or async). Fails the test if nothing was thrown.
import { BottleError } from "../../src/util/errors.ts";

export function thrown(fn: () => unknown): BottleError {
  try {
    fn();
  } catch (e) {
    if (e instanceof BottleError) return e;
    throw new Error(`expected a BottleError, got ${String(e)}`);
  }
  throw new Error("expected a BottleError, nothing was thrown");
}

export async function rejected(fn: () => Promise<unknown>): Promise<BottleError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof BottleError) return e;
    throw new Error(`expected a BottleError, got ${String(e)}`);
  }
  throw new Error("expected a BottleError, nothing was thrown");
}
