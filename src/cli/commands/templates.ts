import { knownTemplates, loadTemplate, templateHash } from "../../judge/templates/index.js";

export async function runTemplatesList(options: { json?: boolean }): Promise<void> {
  const rows = knownTemplates.map((t) => ({ id: t.id, protocol: t.protocol, hash: templateHash(t) }));
  if (options.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  for (const r of rows) process.stdout.write(`${r.id.padEnd(24)} ${r.protocol.padEnd(13)} ${r.hash}\n`);
}

export async function runTemplatesShow(idOrPath: string): Promise<void> {
  const template = await loadTemplate(idOrPath);
  process.stdout.write(`${JSON.stringify({ ...template, hash: templateHash(template) }, null, 2)}\n`);
}
