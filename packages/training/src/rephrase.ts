/**
 * A library's one-line error in the words of whoever called it. Libraries name their own function and arguments
 * (`setupBackend: expected options.backend 'node' to load, got …`); an app that took the value from a flag says it
 * in its own (`vaejs train: expected --backend node to load, got …`): the function's prefix becomes the caller's,
 * and each of the library's phrases for an argument becomes the caller's flag. The rest of the line (what was
 * expected, what came) is the library's, unchanged.
 */

/** For each library function, the phrases to replace (a string, or a pattern with `$1` …) and what replaces them. */
export type Rephrasings = Readonly<Record<string, readonly (readonly [string | RegExp, string])[]>>;

/**
 * `message`'s first line, said by `caller` in its words when a function of `words` says it; null otherwise (an error
 * the caller has no words for: leave it as it is).
 * @example
 * rephrase("setupBackend: expected options.backend 'node' to load, got …", 'vaejs train',
 *   { setupBackend: [[/options\.backend '([^']+)'/, '--backend $1']] })
 * // "vaejs train: expected --backend node to load, got …"
 */
export function rephrase(message: string, caller: string, words: Rephrasings): string | null {
  const line = message.split('\n')[0] ?? '';
  const match = /^([\w.]+): (expected .*)$/.exec(line);
  const phrases = match ? words[match[1] as string] : undefined;
  if (!match || !phrases) return null;
  let text = match[2] as string;
  for (const [from, to] of phrases) text = text.replace(from, to);
  return `${caller}: ${text}`;
}
