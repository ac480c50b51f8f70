import autocannon from 'autocannon';
import { cpuDuring, threadCpuMicros } from './lib/cpu';
import { api, BenchServer, percentile } from './lib/server';

export interface LoadResult {
  commandsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  /** The server's CPU time (user + system, from /proc) per answered command over the load window, in µs. */
  cpuPerCommandUs: number;
  healthPerSecond: number;
  /**
   * cpuPerCommandUs by thread, those of at least 1 µs, as `thread` (its id minus the pid: 0 is
   * the main thread, the next few V8's platform threads, the later ones worker threads, e.g. the
   * store's writer and then the projections) → µs per command.
   */
  threadCpuPerCommandUs: Array<{ thread: number; us: number }>;
  /** The same for GET /health: the HTTP stack's cost per request, the ceiling of any route. */
  cpuPerHealthUs: number;
  lag: { samples: number; p50Ms: number; p99Ms: number };
  /** The same probe's plain read (no minPosition) under the same load: what any read costs then. */
  plainRead: { p50Ms: number; p99Ms: number };
}

const paragraph = (i: number) => ({ type: 'paragraph', text: `Paragraph ${i}: German Chancellor Friedrich Merz spoke with allies. `.repeat(4) });

/**
 * 64 clients, each editing its own article (PUT body with the If-Match chain), for a fixed
 * time, driven by autocannon from this process while the server runs in another. Alongside,
 * one more client measures projection lag: from a command's acknowledgement to the moment a
 * read with ?minPosition=<its position> answers.
 *
 * `warmupSeconds` (default 0: none) runs the same load first, uncounted: a fresh server spends
 * its first 10-20 s of load compiling its hot functions (V8's optimising compiler, on its
 * platform threads), CPU that a long-running server pays once, not per command.
 */
export async function httpLoad(server: BenchServer, seconds: number, connections = 64, warmupSeconds = 0): Promise<LoadResult> {
  const articles: string[] = [];
  const revisions = new Map<string, number>();
  for (let i = 0; i < connections; i++) {
    const created = await api<{ articleId: string; revision: number }>(server, 'POST', '/api/articles', {
      headline: `Bench article ${i}`,
      body: [paragraph(0)],
    });
    articles.push(created.articleId);
    revisions.set(created.articleId, created.revision);
  }
  const free = [...articles];
  const lagArticle = (await api<{ articleId: string }>(server, 'POST', '/api/articles', { headline: 'Lag probe', body: [paragraph(0)] })).articleId;

  let running = true;
  let lags: number[] = [];
  let plainReads: number[] = [];
  const probe = (async () => {
    let revision = 0;
    for (let i = 1; running; i++) {
      const ack = await api<{ revision: number; position: string }>(server, 'PUT', `/api/articles/${lagArticle}/body`, { body: [paragraph(i)] }, revision);
      const acknowledged = performance.now();
      revision = ack.revision;
      await api(server, 'GET', `/api/articles/${lagArticle}?minPosition=${ack.position}`);
      lags.push(performance.now() - acknowledged);
      const plain = performance.now();
      await api(server, 'GET', `/api/articles/${lagArticle}`);
      plainReads.push(performance.now() - plain);
    }
  })();

  let edit = 0;
  const pid = server.process.pid!;
  const commands = (duration: number) =>
    autocannon({
      url: server.url,
      connections,
      duration,
      requests: [
        {
          method: 'PUT',
          // Each request takes an article no other request has in flight, so its If-Match holds.
          setupRequest: (request, context) => {
            const articleId = free.pop()!;
            (context as { articleId?: string }).articleId = articleId;
            return {
              ...request,
              path: `/api/articles/${articleId}/body`,
              headers: {
                Authorization: `Bearer ${server.token}`,
                'Content-Type': 'application/json',
                'If-Match': `"${revisions.get(articleId)}"`,
              },
              body: JSON.stringify({ body: [paragraph(++edit), paragraph(edit + 1)] }),
            };
          },
          onResponse: (status, body, context) => {
            const articleId = (context as { articleId: string }).articleId;
            if (status === 200) revisions.set(articleId, (JSON.parse(body) as { revision: number }).revision);
            free.push(articleId);
          },
        },
      ],
    });
  if (warmupSeconds > 0) {
    await commands(warmupSeconds);
    // A request still in flight when autocannon stops gets no onResponse: its article would stay
    // taken, its revision unknown. Every article is free again, at its revision once the
    // server has answered what it was sent and its projections have caught up (a second).
    await new Promise((resolve) => setTimeout(resolve, 1000));
    free.splice(0, free.length, ...articles);
    for (const articleId of articles) {
      const article = await api<{ revision: number }>(server, 'GET', `/api/articles/${articleId}`);
      revisions.set(articleId, article.revision);
    }
    // The probe's figures count from here; a probe round under way straddles the two windows.
    lags = [];
    plainReads = [];
  }
  const threadsBefore = threadCpuMicros(pid);
  const { result: load, cpuMicros: loadCpu } = await cpuDuring(pid, () => commands(seconds));
  const threadsAfter = threadCpuMicros(pid);
  running = false;
  await probe;

  const { result: health, cpuMicros: healthCpu } = await cpuDuring(pid, () =>
    autocannon({ url: `${server.url}/health`, connections, duration: Math.max(3, Math.round(seconds / 2)) }),
  );
  lags.sort((a, b) => a - b);
  plainReads.sort((a, b) => a - b);
  const requests = load.requests.total + 3 * lags.length;
  const threadCpuPerCommandUs = [...threadsAfter]
    .map(([tid, micros]) => ({ thread: tid - pid, us: (micros - (threadsBefore.get(tid) ?? 0)) / requests }))
    .filter(({ us }) => us >= 1)
    .sort((a, b) => a.thread - b.thread);
  return {
    commandsPerSecond: load.requests.average,
    p50Ms: load.latency.p50,
    p99Ms: load.latency.p99,
    non2xx: load.non2xx,
    // The probe's requests (a command and two reads each) ran in the same window: counted too.
    cpuPerCommandUs: loadCpu / requests,
    threadCpuPerCommandUs,
    healthPerSecond: health.requests.average,
    cpuPerHealthUs: healthCpu / health.requests.total,
    lag: { samples: lags.length, p50Ms: percentile(lags, 50), p99Ms: percentile(lags, 99) },
    plainRead: { p50Ms: percentile(plainReads, 50), p99Ms: percentile(plainReads, 99) },
  };
}
