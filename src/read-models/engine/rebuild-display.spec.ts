import { PassThrough } from 'node:stream';
import { LineDisplay } from './rebuild-display';

describe('LineDisplay', () => {
  it('says when a generation leaves catch-up mode, and how many of its reads missed', () => {
    const stream = new PassThrough();
    let out = '';
    stream.on('data', (chunk: Buffer) => (out += chunk.toString()));
    new LineDisplay(stream).leftCatchUp('articles', 5, 0.966);
    expect(out).toBe('articles: generation 5 goes on batch by batch: 97% of its reads found documents its catch-up pass had evicted\n');
  });
});
