// Believable post copy: templates × topics, so lengths and hashtags vary like real feeds.
import type { Rng } from '../prng.js';
import { HASHTAG_MULTIPLIER } from './signal.js';

const TOPICS = [
  'customer onboarding',
  'pricing experiments',
  'our hiring process',
  'remote collaboration',
  'the product roadmap',
  'AI-assisted support',
  'quarterly planning',
  'brand storytelling',
  'conversion funnels',
  'data pipelines',
  'design systems',
  'community building',
  'email campaigns',
  'customer retention',
  'partner launches',
];

const OPENERS = [
  'How we rethought {t}.',
  '5 lessons from a year of {t}.',
  'Hot take: {t} is underrated.',
  'We just shipped something new for {t}!',
  'What nobody tells you about {t}.',
  'Thread on {t} 👇',
  'Behind the scenes: {t}.',
  'A quick tip on {t}.',
  'Join our webinar on {t} next week.',
  'Why {t} matters more than ever.',
];

const SENTENCES = [
  'We tried three approaches before one stuck.',
  'The numbers surprised the whole team.',
  'Small changes compound faster than you think.',
  'Our customers told us exactly what they needed, we just had to listen.',
  'It took longer than planned, and that was fine.',
  'Measure first, then optimise.',
  'The hardest part was saying no to good ideas.',
  'Here is the checklist we use every week.',
  'Curious how others handle this — reply below.',
  'Full write-up on the blog.',
  'Shoutout to everyone who made this happen.',
  'Consistency beats intensity every single time.',
];

const TAGS = Object.keys(HASHTAG_MULTIPLIER);

export interface GeneratedText {
  text: string;
  hashtags: string[];
}

export function generateText(rng: Rng, maxLength: number): GeneratedText {
  let body = rng.pick(OPENERS).replace('{t}', rng.pick(TOPICS));
  const sentences = rng.weighted([3, 4, 3, 2, 1, 1]);
  const used = new Set<string>();
  while (used.size < sentences) {
    const sentence = rng.pick(SENTENCES);
    if (!used.has(sentence)) body += ` ${sentence}`;
    used.add(sentence);
  }
  const tagCount = rng.weighted([3, 3, 2, 1]);
  const hashtags: string[] = [];
  while (hashtags.length < tagCount) {
    const tag = rng.pick(TAGS);
    if (!hashtags.includes(tag)) hashtags.push(tag);
  }
  const suffix = hashtags.map((h) => `#${h}`).join(' ');
  const room = maxLength - (suffix ? suffix.length + 1 : 0);
  if (body.length > room) body = `${body.slice(0, Math.max(0, room - 1)).trimEnd()}…`;
  return { text: suffix ? `${body} ${suffix}` : body, hashtags };
}
