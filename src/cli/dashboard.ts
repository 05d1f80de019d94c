// Placeholder dashboard: lists bottles; the full one comes with supervise.
import { showUsage } from "citty";

export async function dashboard(): Promise<void> {
  const { main } = await import("../main.ts");
  await showUsage(main);
}
