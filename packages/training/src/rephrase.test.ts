import { describe, expect, it } from 'vitest';
import { rephrase } from './rephrase';

const words = {
  setupBackend: [
    [/options\.backend '([^']+)'/, '--backend $1'],
    ['options.threads', '--threads'],
  ],
  readCodesManifest: [[/^expected folder ('[^']+')/, 'expected --codes $1']],
} as const;

describe('rephrase', () => {
  it("says a library's line in the caller's words: its prefix and the arguments' names", () => {
    expect(
      rephrase(
        "setupBackend: expected options.backend 'node' to load, got tfjs-node: not installed.",
        'vaejs train',
        words,
      ),
    ).toBe('vaejs train: expected --backend node to load, got tfjs-node: not installed.');
    expect(
      rephrase("readCodesManifest: expected folder 'x' to exist, got none.\nmore", 'vaejs prior train', words),
    ).toBe("vaejs prior train: expected --codes 'x' to exist, got none.");
  });

  it('leaves alone what the caller has no words for', () => {
    expect(rephrase('loadIdxFolder: expected images file in a, got none.', 'vaejs train', words)).toBeNull();
    expect(rephrase('something broke', 'vaejs train', words)).toBeNull();
  });
});
