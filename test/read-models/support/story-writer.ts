import type { ArticleEvent, FieldChange } from '../../../src/articles/domain/article.events';
import { events, paragraph } from '../../../projections/test-support/article-events';

const SPEAKERS = [
  { name: 'Volodymyr Zelenskyy', title: 'President of Ukraine' },
  { name: 'Emmanuel Macron', title: 'President of France' },
  { name: 'François Bayrou' },
  { name: 'Keir Starmer' },
  { name: 'Donald Tusk' },
  { name: 'Lech Wałęsa' },
];
const WORDS = 'peace talks ceasefire sanctions allies pressure istanbul delegation support unconditional'.split(' ');
const REPORTER = { id: 'u-reporter', name: 'Rita Reporter' };
const EDITOR = { id: 'u-editor', name: 'Eddie Editor' };
const STANDARDS = { id: 'u-standards', name: 'Sam Standards' };

interface Story {
  id: string;
  status: 'draft' | 'published' | 'retracted';
  headline: string;
  quotes: string[];
  corrections: number;
}

export interface StoryAppend {
  articleId: string;
  actor: { id: string; name: string };
  events: ArticleEvent[];
  occurredAt: string;
}

/**
 * A deterministic newsroom: drafts, revisions, quotes, publications, corrections (several events
 * in one append) and retractions, interleaved across articles the way a real log is.
 */
export class StoryWriter {
  private readonly stories: Story[] = [];
  private state: number;
  private clock = Date.UTC(2025, 0, 1);
  /** Article ids carry the seed, so that writers with other seeds draft other articles, never the same one twice. */
  private readonly idGroup: string;

  constructor(seed: number) {
    this.state = seed >>> 0;
    this.idGroup = (0x8000 + (seed & 0xfff)).toString(16);
  }

  next(): StoryAppend {
    this.clock += 1000;
    const occurredAt = new Date(this.clock).toISOString();
    // Newsrooms work on recent stories: pick among the last 50 that are not retracted.
    const recent = this.stories.slice(-50).filter((s) => s.status !== 'retracted');
    if (recent.length < 3 || this.random() < 0.1) return { ...this.draft(), occurredAt };
    return { ...this.act(recent[Math.floor(this.random() * recent.length)]), occurredAt };
  }

  private draft(): Omit<StoryAppend, 'occurredAt'> {
    const n = this.stories.length;
    const id = `00000000-0000-4000-${this.idGroup}-${n.toString().padStart(12, '0')}`;
    const story: Story = { id, status: 'draft', headline: this.sentence(5), quotes: [], corrections: 0 };
    this.stories.push(story);
    const drafted = events.drafted(id, { headline: story.headline, body: [paragraph('p1', this.sentence(40))], draftedAt: new Date(this.clock).toISOString() });
    return { articleId: id, actor: REPORTER, events: [drafted] };
  }

  private act(story: Story): Omit<StoryAppend, 'occurredAt'> {
    const roll = this.random();
    const out = (actor: StoryAppend['actor'], ...list: ArticleEvent[]) => ({ articleId: story.id, actor, events: list });
    if (story.status === 'published' && roll < 0.25) {
      const headline = this.sentence(6);
      const change: FieldChange = { field: 'headline', before: story.headline, after: headline };
      story.headline = headline;
      const id = `${story.id}-c${story.corrections++}`;
      return out(STANDARDS, events.headlineRevised(headline), events.correctionIssued(id, [change], { issuedAt: new Date(this.clock).toISOString() }));
    }
    if (story.status === 'published' && roll < 0.3) {
      story.status = roll < 0.27 ? 'draft' : 'retracted';
      return out(STANDARDS, story.status === 'draft' ? events.unpublished() : events.retracted('Sources recanted.'));
    }
    if (story.status === 'draft' && roll < 0.2) {
      story.status = 'published';
      return out(EDITOR, events.published(new Date(this.clock).toISOString()));
    }
    if (roll < 0.5) {
      const quoteId = `${story.id}-q${story.quotes.length}`;
      story.quotes.push(quoteId);
      const speaker = SPEAKERS[Math.floor(this.random() * SPEAKERS.length)];
      return out(REPORTER, events.quoteAttributed(quoteId, speaker, this.sentence(12), { attributedAt: new Date(this.clock).toISOString() }));
    }
    if (roll < 0.6 && story.quotes.length > 0) {
      const quoteId = story.quotes[Math.floor(this.random() * story.quotes.length)];
      return out(REPORTER, events.quoteAmended(quoteId, SPEAKERS[0], this.sentence(10), { description: 'A post on X' }));
    }
    if (roll < 0.63 && story.quotes.length > 0) return out(REPORTER, events.quoteWithdrawn(story.quotes.pop()!));
    if (roll < 0.75) return out(REPORTER, events.bodyRevised([paragraph('p1', this.sentence(40)), paragraph('p2', this.sentence(30))]));
    story.headline = this.sentence(5);
    return out(REPORTER, events.headlineRevised(story.headline));
  }

  private sentence(words: number): string {
    return Array.from({ length: words }, () => WORDS[Math.floor(this.random() * WORDS.length)]).join(' ');
  }

  /** mulberry32: small, fast and the same on every machine. */
  private random(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}
