import { envIds, specInfo } from "../sim/index.js";

/** `rapier-gym envs`: ids, spaces and episode lengths, as a table or as JSON. */
export function listEnvs(json: boolean): void {
  const infos = envIds().map(specInfo);
  if (json) {
    const rows = infos.map((s) => ({
      id: s.id,
      summary: s.summary,
      maxEpisodeSteps: s.maxEpisodeSteps,
      observationSpace: s.observationSpace.toJSON(),
      actionSpace: s.actionSpace.toJSON(),
    }));
    console.log(JSON.stringify(rows, null, 2));
    return;
  }
  const width = Math.max(...infos.map((s) => s.id.length));
  for (const s of infos) {
    const dims = Object.entries(s.observationSpace.spaces)
      .map(([k, box]) => `${k} ${box.type === "Box" ? box.size : "?"}`)
      .join(", ");
    console.log(`${s.id.padEnd(width)}  steps ${String(s.maxEpisodeSteps).padStart(3)}  action ${s.actionSpace.size}  obs: ${dims}`);
    console.log(`${" ".repeat(width)}  ${s.summary}`);
  }
}
