// Imported first by src/main.ts: citty and consola decide on colour when they
// load, and citty only looks at NO_COLOR=1, TERM=dumb and CI. No colour when
// stdout is not a terminal, or NO_COLOR is set to anything (no-color.org).
const env = process.env;
if ((env.NO_COLOR !== undefined && env.NO_COLOR !== "") || env.TERM === "dumb" || !process.stdout.isTTY) {
  env.NO_COLOR = "1";
  delete env.FORCE_COLOR;
}
