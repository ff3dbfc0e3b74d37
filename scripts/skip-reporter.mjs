// A node:test reporter that writes one JSON line per skipped test or suite: Node 20's own summary does not
// count a skipped `describe`, so a suite that skips whole would otherwise pass unnoticed (see run-tests.mjs).
export default async function* skipReporter(source) {
  for await (const event of source) {
    if (event.type !== 'test:pass' || event.data.skip === undefined) continue;
    const { name, skip, file, details } = event.data;
    yield `${JSON.stringify({ name, reason: typeof skip === 'string' ? skip : '', file: file ?? '', suite: details?.type === 'suite' })}\n`;
  }
}
